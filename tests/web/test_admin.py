"""The admin: disabled without ADMIN_TOKEN, 401 without a token, 403 with a wrong one; run charts,
batches, the quarantine with its retry action, and the backups."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from hearings.store import schema
from tests.web.conftest import ADMIN_TOKEN, QUARANTINED_ID, Scratch

BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_without_admin_token_the_admin_is_disabled(make_client: Callable[..., TestClient]) -> None:
    client = make_client(admin_token=None)
    page = client.get("/admin", headers=BEARER)
    assert page.status_code == 404
    assert "The admin is disabled" in page.text
    assert 'href="/admin"' not in client.get("/hearings").text


def test_without_a_token_401_and_with_a_wrong_one_403(
    client: TestClient, make_client: Callable[..., TestClient]
) -> None:
    missing = client.get("/admin")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert 'action="/admin/login"' in missing.text
    assert client.get("/admin", headers={"Authorization": "Bearer wrong"}).status_code == 403
    forged = make_client()
    forged.cookies.set("hearings_admin", "forged", path="/admin")
    assert forged.get("/admin").status_code == 401
    assert client.post("/admin/quarantine/retry", data={"error_id": "1"}).status_code == 401


def test_the_admin_shows_runs_batches_quarantine_and_backups(client: TestClient) -> None:
    page = client.get("/admin", headers=BEARER)
    assert page.status_code == 200
    html = page.text
    assert html.count("<svg") == 3 and "Meetings per run" in html and "Duration" in html
    assert "Failures" in html
    assert "Batches of the latest run" in html and html.count("<td>committed</td>") == 3
    assert QUARANTINED_ID in html and "is not a date" in html
    assert "hearings_backup_20250612_093000" in html


def test_signing_in_with_the_form_sets_a_session(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    wrong = client.post("/admin/login", data={"token": "nope"}, follow_redirects=False)
    assert wrong.status_code == 403 and "not the admin token" in wrong.text
    right = client.post("/admin/login", data={"token": ADMIN_TOKEN}, follow_redirects=False)
    assert right.status_code == 303
    cookie = right.cookies["hearings_admin"]
    assert ADMIN_TOKEN not in cookie
    assert "httponly" in right.headers["set-cookie"].lower()
    page = client.get("/admin")
    assert page.status_code == 200
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    assert (
        client.post("/admin/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    )
    assert client.get("/admin").status_code == 401


def test_retry_reopens_quarantined_records_for_the_next_update(scratch: Scratch) -> None:
    client = scratch.client()
    errors = schema.import_errors
    with scratch.engine.begin() as connection:
        error_id = connection.execute(
            select(errors.c.error_id).where(errors.c.identifier == QUARANTINED_ID)
        ).scalar_one()
        connection.execute(errors.update().values(resolved=True))
    client.post("/admin/login", data={"token": ADMIN_TOKEN}, follow_redirects=False)
    page = client.get("/admin?show_resolved=true")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    refused = client.post("/admin/quarantine/retry", data={"error_id": str(error_id), "csrf": "x"})
    assert refused.status_code == 403
    done = client.post(
        "/admin/quarantine/retry",
        data={"error_id": str(error_id), "csrf": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/admin?retried=1"
    with scratch.engine.connect() as connection:
        row = connection.execute(select(errors).where(errors.c.error_id == error_id)).one()
    assert row.resolved is False and row.attempts == 0 and row.resolved_at is None
    scripted = client.post(
        "/admin/quarantine/retry", data={"error_id": str(error_id)}, headers=BEARER
    )
    assert scripted.json() == {"marked_for_retry": 1}
