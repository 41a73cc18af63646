"""The admin: disabled without ADMIN_TOKEN, 401 without a token, 403 with a wrong one; run charts,
batches, the quarantine with its retry action, the backups, and suspicious changes held for
review with Accept and Reject (by script, and in Chromium)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import func, select

from hearings.replica import Corpus
from hearings.store import schema
from hearings.store.engine import sqlite_file
from hearings.store.writer_lock import writer_lock
from hearings.sync.review import held_versions
from hearings.web.app import create_app
from tests.web.browser_support import CHROMIUM, CHROMIUM_ARGS, serve
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


# ---- suspicious changes held for review ------------------------------------------------------


def hold_degraded_versions(scratch: Scratch, corpus: Corpus, count: int = 2) -> list[str]:
    """Upstream empties the witness lists of `count` past meetings; an update with
    SUSPICIOUS_CHANGES=hold holds each version for review. Returns their event ids."""
    copied = corpus.copy()
    stamp = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    degraded = []
    for event_id in sorted(copied.ids("meeting")):
        body = copied.meeting(event_id)
        if body and body.get("witnesses") and body.get("date") and body.get("title"):
            copied.put_meeting({**body, "witnesses": [], "updateDate": stamp})
            degraded.append(event_id)
        if len(degraded) == count:
            break
    metrics = scratch.update_holding(copied)
    assert [s.event_id for s in metrics.suspicious_changes] == degraded
    return degraded


def held_ids(scratch: Scratch) -> dict[str, int]:
    with scratch.engine.connect() as connection:
        return {h.event_id: h.error_id for h in held_versions(connection)}


def appearances(scratch: Scratch, event_id: str) -> int:
    table = schema.witness_appearances
    with scratch.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(table).where(table.c.event_id == event_id)
            ).scalar_one()
        )


def test_accept_and_reject_by_script_and_their_refusals(
    scratch: Scratch, packaged_corpus: Corpus, tmp_path: Path
) -> None:
    accepted, rejected = hold_degraded_versions(scratch, packaged_corpus)
    held = held_ids(scratch)
    backup_dir = tmp_path / "backups"
    client = scratch.client(backup_dir=backup_dir)
    assert client.post("/admin/quarantine/accept", data={"error_id": "1"}).status_code == 401
    page = client.get("/admin", headers=BEARER).text
    assert "Held for review" in page and f'id="held-{held[accepted]}"' in page
    assert "Every witness was removed from a meeting that has already taken place." in page

    done = client.post(
        "/admin/quarantine/accept", data={"error_id": str(held[accepted])}, headers=BEARER
    )
    # Each decision is written after a backup, as an update's changes are.
    (first_backup,) = backup_dir.iterdir()
    assert done.json() == {
        "error_id": held[accepted],
        "event_id": accepted,
        "decision": "applied",
        "backup": str(first_backup),
    }
    assert appearances(scratch, accepted) == 0
    kept = appearances(scratch, rejected)
    done = client.post(
        "/admin/quarantine/reject", data={"error_id": str(held[rejected])}, headers=BEARER
    )
    assert done.json()["decision"] == "rejected"
    assert appearances(scratch, rejected) == kept and held_ids(scratch) == {}
    backups = set(backup_dir.iterdir())
    assert len(backups) == 2 and done.json()["backup"] in {str(b) for b in backups}

    again = client.post(
        "/admin/quarantine/reject", data={"error_id": str(held[rejected])}, headers=BEARER
    )
    assert again.status_code == 409
    assert f"Quarantine entry {held[rejected]} was already reviewed or resolved." in again.text
    with scratch.engine.connect() as connection:
        parse_error = connection.execute(
            select(schema.import_errors.c.error_id).where(
                schema.import_errors.c.identifier == QUARANTINED_ID
            )
        ).scalar_one()
    refused = client.post(
        "/admin/quarantine/accept", data={"error_id": str(parse_error)}, headers=BEARER
    )
    assert refused.status_code == 409
    assert "is not a suspicious change held for review" in refused.text
    missing = client.post("/admin/quarantine/accept", data={"error_id": "999999"}, headers=BEARER)
    assert missing.status_code == 404
    assert (
        "There is no quarantine entry 999999; /admin lists the entries held for review."
        in missing.text
    )
    assert "hearings quarantine" not in missing.text
    assert set(backup_dir.iterdir()) == backups  # a refused review backs nothing up


@pytest.mark.browser
def test_accept_and_reject_in_chromium(
    scratch: Scratch, packaged_corpus: Corpus, tmp_path: Path
) -> None:
    accepted, rejected = hold_degraded_versions(scratch, packaged_corpus)
    kept = appearances(scratch, rejected)
    app = create_app(scratch.engine, settings=scratch.database.settings())
    with serve(app) as base, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
        )
        try:
            page = context.new_page()
            page.goto(f"{base}/admin")
            page.fill("#token", ADMIN_TOKEN)
            page.click("form.login button")
            held = page.locator("table[aria-labelledby=held-h] tbody tr")
            expect(held).to_have_count(2)
            page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing too wide
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
            page.set_viewport_size({"width": 1280, "height": 900})

            page.get_by_role(
                "button", name=f"Accept the held version of meeting {accepted}"
            ).click()
            expect(page.locator("p.notice")).to_have_text(
                f"Accepted and applied the held version of meeting {accepted}."
            )
            expect(held).to_have_count(1)
            page.get_by_role(
                "button", name=f"Reject the held version of meeting {rejected}"
            ).click()
            expect(page.locator("p.notice")).to_contain_text(
                f"Rejected the held version of meeting {rejected}"
            )
            expect(page.get_by_text("Nothing is held for review.")).to_be_visible()
            recent = page.locator("table[aria-labelledby=flagged-h] tbody tr")
            expect(recent).to_have_count(2)
            expect(recent.first).to_contain_text("held")
        finally:
            context.close()
    assert appearances(scratch, accepted) == 0
    assert appearances(scratch, rejected) == kept


@pytest.mark.parametrize("error_id", ["2147483648", "99999999999999999999", "0"])
def test_an_id_no_entry_can_have_is_a_404_and_retries_nothing(
    scratch: Scratch, error_id: str
) -> None:
    client = scratch.client()
    for decision in ("accept", "reject"):
        answer = client.post(
            f"/admin/quarantine/{decision}", data={"error_id": error_id}, headers=BEARER
        )
        assert answer.status_code == 404
        assert f"There is no quarantine entry {error_id};" in answer.text
    retried = client.post("/admin/quarantine/retry", data={"error_id": error_id}, headers=BEARER)
    assert retried.json() == {"marked_for_retry": 0}


def test_a_review_under_serve_takes_the_databases_own_writer_lock(
    scratch: Scratch, packaged_corpus: Corpus
) -> None:
    """`hearings serve` opens an existing SQLite file by its URI (`file:…?mode=rw&uri=true`);
    Accept and Reject took their lock at `file:/….db.lock`, relative to the working folder, and
    failed with a 500 (or, had that folder existed, locked nothing an update takes)."""
    accepted, rejected = hold_degraded_versions(scratch, packaged_corpus)
    held = held_ids(scratch)
    settings = scratch.database.settings()
    app = create_app(settings)  # as `hearings serve` makes it: from settings, not an engine
    with TestClient(app, raise_server_exceptions=False) as client:
        with writer_lock(scratch.engine, scratch.url):  # an update is running
            busy = client.post(
                "/admin/quarantine/accept", data={"error_id": str(held[accepted])}, headers=BEARER
            )
        assert busy.status_code == 409
        assert "An update is running; try again when it has finished." in busy.text
        assert "exits without touching it" not in busy.text
        done = client.post(
            "/admin/quarantine/accept", data={"error_id": str(held[accepted])}, headers=BEARER
        )
        assert done.status_code == 200 and done.json()["decision"] == "applied"
        done = client.post(
            "/admin/quarantine/reject", data={"error_id": str(held[rejected])}, headers=BEARER
        )
        assert done.status_code == 200 and done.json()["decision"] == "rejected"
    assert held_ids(scratch) == {}
    if scratch.database.path.exists():
        uri = f"sqlite:///file:{scratch.database.path.resolve()}?mode=rw&uri=true"
        assert sqlite_file(uri) == scratch.database.path.resolve()
