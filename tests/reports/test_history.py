"""`hearings history`: a meeting's archived versions, oldest first, with what changed in plain
sentences, checked against the payloads of a day of changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hearings.replica import Corpus, ReplicaServer
from tests.sync.harness import Harness, api_time

EVENT = "118278"  # Rayburn 1324, Wed May 21 2025 10:30 a.m. ET, three witnesses, a video


@pytest.fixture
def harness(tmp_path: Path, database_url: str) -> Iterator[Harness]:
    """A database of its own, and a replica of its own whose upstream the test edits."""
    with ReplicaServer(Corpus.load()) as replica:
        made = Harness(tmp_path=tmp_path, database_url=database_url, replica=replica)
        yield made
        made.close()


def _upstream(harness: Harness, minutes_ago: int, edit: object) -> None:
    body = harness.corpus.meeting(EVENT)
    assert body is not None
    edit(body)  # type: ignore[operator]
    body["updateDate"] = api_time(datetime.now(UTC) - timedelta(minutes=minutes_ago))
    harness.corpus.put_meeting(body)


def test_a_meetings_history_says_what_changed_in_each_version(harness: Harness) -> None:
    harness.run("import")

    def postpone(body: dict) -> None:  # type: ignore[type-arg]
        body["meetingStatus"] = "Postponed"

    _upstream(harness, 30, postpone)
    harness.run("update")

    def reschedule(body: dict) -> None:  # type: ignore[type-arg]
        body["meetingStatus"] = "Rescheduled"
        body["date"] = "2025-05-23T18:00:00Z"
        body["location"] = {"building": "Longworth House Office Building", "room": "1100"}
        body["title"] = body["title"] + " (rescheduled)"
        gone = body["witnesses"].pop(0)
        assert gone["name"] == "Rachel McArdle"
        body["witnesses"].append(
            {"name": "Dr. Jane Roe", "organization": "GAO", "position": "Director"}
        )
        body["meetingDocuments"] += [
            {"name": "Memo", "url": "https://example.org/a.pdf", "documentType": "Other"},
            {"name": "Memo 2", "url": "https://example.org/b.pdf", "documentType": "Other"},
        ]
        body["videos"] = body["videos"][:1]
        body["relatedItems"] = {"bills": [{"congress": 119, "type": "HR", "number": "1"}]}

    _upstream(harness, 10, reschedule)
    harness.run("update")

    shown = harness.cli("history", EVENT, "--json")
    assert shown.returncode == 0, shown.stderr
    versions = json.loads(shown.stdout)
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[0]["changes"] == ["First seen"]
    assert versions[1]["changes"] == ["Status: Scheduled → Postponed"]
    assert versions[2]["changes"] == [
        "Status: Postponed → Rescheduled",
        "Moved from Wed May 21, 10:30 a.m. to Fri May 23, 2:00 p.m. ET",
        "Title changed",
        "Room 1324 Rayburn → 1100 Longworth",
        "Witness added: Dr. Jane Roe (GAO)",
        "Witness removed: Rachel McArdle (Department of Veterans Affairs)",
        "Documents: +2 −0",
        "Video removed",
        "Bill added: H.R. 1",
    ]
    runs = [v["run_id"] for v in versions]
    assert runs == sorted(runs) and len(set(runs)) == 3
    text = harness.cli("history", EVENT).stdout
    assert "Version 3" in text and "• Room 1324 Rayburn → 1100 Longworth" in text


def test_history_of_a_meeting_never_archived_is_one_sentence(harness: Harness) -> None:
    harness.run("import")
    shown = harness.cli("history", "999999")
    assert shown.returncode == 1
    assert "no version of meeting '999999'" in shown.stderr
    assert "Traceback" not in shown.stderr
