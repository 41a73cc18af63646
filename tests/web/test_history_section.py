"""A meeting's History section says which run fetched each version, or that a reviewer accepted
it from the quarantine, as `hearings history` does. Upstream removes a meeting's date; an update
with SUSPICIOUS_CHANGES=hold holds that version, and the admin accepts it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from hearings.replica import Corpus
from hearings.sync.review import held_versions
from tests.web.conftest import ADMIN_TOKEN, Scratch

EVENT = "118278"  # Rayburn 1324, Wed May 21 2025 10:30 a.m. ET
BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def remove_the_date_and_accept(scratch: Scratch, corpus: Corpus) -> TestClient:
    """Upstream drops EVENT's date; the update holds the version and the admin accepts it.
    Returns a client of the scratch database."""
    copied = corpus.copy()
    body = copied.meeting(EVENT)
    assert body is not None and body.get("date")
    stamp = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    copied.put_meeting({**body, "date": None, "updateDate": stamp})
    metrics = scratch.update_holding(copied)
    assert [(s.event_id, s.reason) for s in metrics.suspicious_changes] == [(EVENT, "date_removed")]
    with scratch.engine.connect() as connection:
        (held,) = held_versions(connection)
    # A backup of its own: the shared folder's backups are the admin tests' to list.
    client = scratch.client(backup_dir=scratch.database.path.parent / "backups")
    done = client.post(
        "/admin/quarantine/accept", data={"error_id": str(held.error_id)}, headers=BEARER
    )
    assert done.json()["decision"] == "applied"
    return client


def history_section(client: TestClient) -> str:
    page = client.get(f"/hearings/{EVENT}").text
    section = page[page.index('<section id="history"') :]
    return section[: section.index("</section>")]


def test_each_version_says_the_run_that_fetched_it_or_its_acceptance(
    scratch: Scratch, packaged_corpus: Corpus
) -> None:
    client = remove_the_date_and_accept(scratch, packaged_corpus)
    first_run = client.get(f"/api/hearings/{EVENT}/history").json()["versions"][0]
    assert first_run["run_id"] is not None and not first_run["accepted_from_quarantine"]
    section = history_section(client)
    newest, oldest = section.split("<strong>Version 2</strong>")[1].split(
        "<strong>Version 1</strong>"
    )
    assert " · accepted from the quarantine</p>" in newest and "fetched by run" not in newest
    assert "<li>Date removed (was Wed May 21, 10:30 a.m. ET)</li>" in newest
    assert f" · fetched by run {first_run['run_id']}</p>" in oldest
    assert "accepted from the quarantine" not in oldest
