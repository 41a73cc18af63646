"""A meeting moved within the hour that comes twice as daylight time ends (1:30 a.m. EDT, then
1:30 a.m. EST, an hour later, on Nov 2, 2025) reads as a move on every surface that shows its
history: `hearings history` (text and --json), the API, the hearing page, /changes and the
Atom feed. Found by a held-out probe of seeded upstream changes: every surface said "Moved from
Sun Nov 2, 1:30 a.m. to Sun Nov 2, 1:30 a.m. ET"."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import feedparser
from fastapi.testclient import TestClient

from hearings.web.app import create_app
from tests.sync.harness import Harness, api_time

EVENT = "118278"  # Rayburn 1324, Wed May 21 2025 10:30 a.m. ET
MOVE = "Moved from Sun Nov 2, 1:30 a.m. EDT to Sun Nov 2, 1:30 a.m. EST"


def _upstream_date(harness: Harness, minutes_ago: int, date: str) -> None:
    body = harness.corpus.meeting(EVENT)
    assert body is not None
    body["date"] = date
    body["updateDate"] = api_time(datetime.now(UTC) - timedelta(minutes=minutes_ago))
    harness.corpus.put_meeting(body)


def test_a_move_from_edt_to_est_at_the_same_clock_time_reads_as_a_move_everywhere(
    harness: Harness,
) -> None:
    _upstream_date(harness, 30, "2025-11-02T05:30:00Z")
    harness.run("update")
    # The other of the API's date formats, an hour later.
    _upstream_date(harness, 10, "2025-11-02 06:30:00+00:00")
    harness.run("update")

    shown = harness.cli("history", EVENT, "--json")
    assert shown.returncode == 0, shown.stderr
    versions = json.loads(shown.stdout)["versions"]
    assert versions[1]["changes"] == [
        "Moved from Wed May 21, 10:30 a.m. to Sun Nov 2, 1:30 a.m. EDT"
    ]
    assert versions[2]["changes"] == [MOVE]
    assert f"• {MOVE}" in harness.cli("history", EVENT).stdout
    with TestClient(create_app(harness.engine(), settings=harness.settings())) as client:
        api = client.get(f"/api/hearings/{EVENT}/history").json()
        assert [v["changes"] for v in api["versions"]] == [v["changes"] for v in versions]
        assert f"<li>{MOVE}</li>" in client.get(f"/hearings/{EVENT}").text
        assert f"<li>{MOVE}</li>" in client.get("/changes?kind=rescheduled").text
        feed = feedparser.parse(client.get("/feeds/changes.atom").text)
        titles = {e.id: e.title for e in feed.entries}
        assert titles[f"urn:hearings:meeting:{EVENT}:version:3"] == MOVE
        calendar = client.get("/feeds/hearings.ics").text.replace("\r\n ", "")
    event = calendar[calendar.index(f"UID:meeting-{EVENT}@") :]
    assert re.search(r"SEQUENCE:(\d+)", event)[1] == "3"  # type: ignore[index]
