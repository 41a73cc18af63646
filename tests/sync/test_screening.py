"""A day upstream that degrades meetings, through `hearings update` against the replica.

SUSPICIOUS_CHANGES=flag (the default) applies the degraded version and flags it: in the run's
metrics, in `hearings report` with before and after, and in the webhook. `hold` quarantines it
for review, keeps the stored record, and does not apply it when the quarantine is retried.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.sync.degraded import appearances, publish, site_copy, witnessed_meeting
from tests.sync.harness import day_of_changes
from tests.sync.site import Site
from tests.sync.test_notify import Receiver


@pytest.fixture(scope="module")
def imported(imported_119: Path) -> Path:
    return imported_119


@pytest.fixture
def site(imported: Path, tmp_path: Path) -> Iterator[Site]:
    with site_copy(imported, tmp_path) as made:
        yield made


def test_flag_mode_applies_a_degraded_title_and_flags_it_everywhere(site: Site) -> None:
    body = witnessed_meeting(site)
    event_id, title = body["eventId"], body["title"]
    publish(site, body, lambda b: b.__setitem__("title", "Hearing"))
    receiver = Receiver()
    try:
        run = site.hearings(
            "update", "--congress", "119", "--json", NOTIFY_WEBHOOK_URL=receiver.url
        )
    finally:
        receiver.close()
    site.assert_sound(run)
    assert run.code == 0, run.err
    assert (site.row("meeting", event_id) or {})["title"] == "Hearing"
    flagged = site.last_metrics()["suspicious_changes"]
    assert flagged == [
        {
            "event_id": event_id,
            "reason": "title_placeholder",
            "sentence": "The title was replaced by a placeholder.",
            "before": title if len(title) <= 200 else title[:199] + "…",
            "after": "Hearing",
            "action": "flagged",
        }
    ]
    assert site.last_metrics()["suspicious_changes_total"] == 1
    assert [p["suspicious_changes"] for p in receiver.posts] == [flagged]
    assert (
        f"meeting {event_id}: The title was replaced by a placeholder" in receiver.posts[0]["text"]
    )

    report = site.hearings("report", "--format", "json")
    assert report.code == 0, report.err
    lines = json.loads(report.out)["suspicious_changes"]
    assert [(s["event_id"], s["action"], s["after"]) for s in lines] == [
        (event_id, "flagged", "Hearing")
    ]
    markdown = site.hearings("report", "--format", "markdown")
    assert "## Suspicious changes (1)" in markdown.out
    assert "| Hearing |" in markdown.out


def test_an_ordinary_day_of_changes_flags_nothing(site: Site) -> None:
    # Statuses, revised titles, witnesses added and edited, new meetings, malformed records.
    expected = day_of_changes(site.corpus, datetime.now(UTC))
    run = site.hearings("update", "--congress", "119", SUSPICIOUS_CHANGES="hold")
    assert run.code == 3, run.err
    assert site.last_metrics()["suspicious_changes"] == []
    assert {i for (_, i) in site.quarantine()} == expected.quarantined


def test_hold_mode_quarantines_the_degraded_version_and_keeps_the_stored_record(
    site: Site,
) -> None:
    body = witnessed_meeting(site)
    event_id = body["eventId"]
    before = appearances(site, event_id)
    publish(site, body, lambda b: b.__setitem__("witnesses", []))

    run = site.hearings("update", "--congress", "119", SUSPICIOUS_CHANGES="hold")
    site.assert_sound(run)
    assert run.code == 3, run.err
    assert appearances(site, event_id) == before
    held = site.quarantine()[("meeting", event_id)]
    assert held["reason"] == (
        "suspicious: Every witness was removed from a meeting that has already taken place."
    )
    assert json.loads(held["raw_payload"])["witnesses"] == []
    assert site.last_metrics()["suspicious_changes"][0]["action"] == "held"

    # The next run retries the quarantine: the version is held again, not applied.
    again = site.hearings("update", "--congress", "119", SUSPICIOUS_CHANGES="hold")
    assert again.code == 3, again.err
    assert appearances(site, event_id) == before
    assert site.quarantine()[("meeting", event_id)]["attempts"] == 2
    assert site.last_metrics()["quarantine_retried"] == 1


def test_hold_mode_in_one_all_or_nothing_transaction(site: Site) -> None:
    body = witnessed_meeting(site)
    event_id = body["eventId"]
    before = appearances(site, event_id)
    publish(site, body, lambda b: b.update(title="TBD", witnesses=[]))
    run = site.hearings("update", "--congress", "119", "--no-batch", SUSPICIOUS_CHANGES="hold")
    site.assert_sound(run)
    assert run.code == 3, run.err
    assert appearances(site, event_id) == before
    assert (site.row("meeting", event_id) or {})["title"] == body["title"]
    held = site.quarantine()[("meeting", event_id)]["reason"]
    assert held.startswith("suspicious: The title was replaced by a placeholder.")
    assert "Every witness was removed" in held


def test_a_setting_that_is_neither_flag_nor_hold_is_one_sentence(site: Site) -> None:
    run = site.hearings("update", "--congress", "119", SUSPICIOUS_CHANGES="sometimes")
    assert run.code == 2
    assert run.err.strip() == (
        "Error: The configuration is not valid: SUSPICIOUS_CHANGES must be flag or hold, not "
        "'sometimes'."
    )
