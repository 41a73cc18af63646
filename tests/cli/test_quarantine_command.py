"""`hearings quarantine list|accept|reject ID`: reviewing versions held as suspicious.

Accept applies the held version; reject discards it, and that exact version is never applied
again, until upstream changes the meeting once more.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sync.degraded import appearances, publish, site_copy, witnessed_meeting
from tests.sync.site import Site


@pytest.fixture(scope="module")
def imported(imported_119: Path) -> Path:
    return imported_119


@pytest.fixture
def site(imported: Path, tmp_path: Path) -> Iterator[Site]:
    with site_copy(imported, tmp_path) as made:
        yield made


HOLD = {"SUSPICIOUS_CHANGES": "hold"}


def hold_update(site: Site) -> None:
    run = site.hearings("update", "--congress", "119", **HOLD)
    site.assert_sound(run)
    assert run.code in (0, 3), run.err


def held_entry(site: Site, event_id: str) -> int:
    listed = site.hearings("quarantine", "list", "--json")
    assert listed.code == 0, listed.err
    entries = {e["event_id"]: e for e in json.loads(listed.out)}
    return int(entries[event_id]["id"])


def hold_a_degraded_version(site: Site) -> tuple[str, int, dict[str, Any]]:
    body = witnessed_meeting(site)
    publish(site, body, lambda b: b.__setitem__("witnesses", []))
    hold_update(site)
    return body["eventId"], held_entry(site, body["eventId"]), body


def test_accept_applies_the_held_version_now(site: Site) -> None:
    event_id, entry, _ = hold_a_degraded_version(site)
    assert appearances(site, event_id) > 0

    run = site.hearings("quarantine", "accept", str(entry))
    assert run.code == 0, run.err
    assert run.out.splitlines()[0] == (
        f"Accepted and applied the held version of meeting {event_id}."
    )
    assert appearances(site, event_id) == 0
    assert ("meeting", event_id) not in site.quarantine()
    logged = "".join(p.read_text() for p in (site.folder / "logs").glob("*.log"))
    assert f"quarantine accept {entry}: Accepted and applied the held version" in logged
    history = site.hearings("history", event_id, "--json")
    assert history.code == 0, history.err
    versions = json.loads(history.out)["versions"]
    assert len(versions) == 2  # the accepted version is archived
    assert [v["accepted_from_quarantine"] for v in versions] == [False, True]
    shown = site.hearings("history", event_id).out
    assert "accepted from the quarantine" in shown and "run unknown" not in shown
    assert versions[1]["first_seen"].replace("T", " ").replace("Z", " UTC") in shown
    report = json.loads(site.hearings("report", "--format", "json").out)
    (changed,) = [h for h in report["changed_hearings"] if h["event_id"] == event_id]
    assert changed["run_id"] is None

    # Upstream still serves that version: the next update has nothing to hold or apply.
    hold_update(site)
    assert site.last_metrics()["suspicious_changes"] == []
    assert appearances(site, event_id) == 0


def test_reject_discards_that_version_until_upstream_changes_it_again(site: Site) -> None:
    event_id, entry, body = hold_a_degraded_version(site)
    before = appearances(site, event_id)

    run = site.hearings("quarantine", "reject", str(entry))
    assert run.code == 0, run.err
    assert "will not be applied unless upstream changes the meeting again" in run.out
    assert ("meeting", event_id) not in site.quarantine()

    # The same version again, in either mode: skipped, neither applied nor held.
    for mode in ("hold", "flag"):
        run = site.hearings("update", "--congress", "119", SUSPICIOUS_CHANGES=mode)
        assert run.code == 0, run.err
        assert appearances(site, event_id) == before
        assert ("meeting", event_id) not in site.quarantine()
        assert [s["action"] for s in site.last_metrics()["suspicious_changes"]] == ["skipped"]
    logged = [line for line in site.log_text().splitlines() if f"meeting {event_id}:" in line]
    skipped = [line for line in logged if "held" not in line]
    assert len(skipped) == 2  # one for each update
    assert all("because a reviewer rejected it" in line for line in skipped)
    assert not any("→" in line for line in skipped)

    # Put back in line (Retry in /admin), the entry is closed again and the version skipped.
    connection = sqlite3.connect(site.database)
    with connection:
        connection.execute(
            "UPDATE import_errors SET resolved = 0, attempts = 0 WHERE error_id = ?", (entry,)
        )
    connection.close()
    hold_update(site)
    assert appearances(site, event_id) == before
    assert ("meeting", event_id) not in site.quarantine()

    # Upstream changes it once more: a new version, judged afresh.
    publish(site, body, lambda b: b.update(witnesses=[], meetingStatus="Canceled"))
    hold_update(site)
    assert ("meeting", event_id) in site.quarantine()
    assert appearances(site, event_id) == before


def test_list_json_gives_utc_times_ending_in_z(site: Site) -> None:
    event_id, entry, _ = hold_a_degraded_version(site)
    (listed,) = json.loads(site.hearings("quarantine", "list", "--json").out)
    assert listed["id"] == entry and listed["event_id"] == event_id
    for name in ("first_seen_at", "last_seen_at"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", listed[name]), listed[name]


def test_list_says_so_when_nothing_is_held(site: Site) -> None:
    run = site.hearings("quarantine", "list")
    assert run.code == 0, run.err
    assert run.out.strip() == "No suspicious changes are held for review."


def test_list_shows_the_records_waiting_for_the_next_update_too(site: Site) -> None:
    """A malformed record is in the quarantine but not for review: listing only the held
    versions said the quarantine was empty."""
    body = witnessed_meeting(site)
    event_id = str(body["eventId"])
    publish(site, body, lambda b: b.update(title="Revised"))
    site.replica.overrides.set_item("meeting", event_id, lambda m: {**m, "congress": "119th"})
    assert site.hearings("update").code == 3

    run = site.hearings("quarantine", "list")

    assert run.code == 0, run.err
    words = " ".join(run.out.split())
    assert words.startswith(
        "No suspicious changes are held for review. 1 other record is in the quarantine: every "
        "update retries it, and it needs no review."
    ), words
    assert f"meeting {event_id}" in words and "field 'congress'" in words


def test_an_entry_that_is_not_held_for_review_is_refused_in_one_sentence(site: Site) -> None:
    for missing in ("999", "2147483648", "99999999999999999999"):  # past an id column's range
        run = site.hearings("quarantine", "accept", missing)
        assert run.code == 1
        assert run.err.strip() == (
            f"Error: There is no quarantine entry {missing}; `hearings quarantine list` shows them."
        )
    event_id, entry, _ = hold_a_degraded_version(site)
    assert site.hearings("quarantine", "reject", str(entry)).code == 0
    again = site.hearings("quarantine", "accept", str(entry))
    assert again.code == 1
    assert again.err.strip() == (
        f"Error: Quarantine entry {entry} was already reviewed or resolved."
    )


def backups(site: Site) -> set[Path]:
    return set((site.folder / "backups").glob("hearings_backup_*"))


def entry_in(database: Path, entry: int) -> dict[str, Any]:
    connection = sqlite3.connect(database)
    connection.row_factory = sqlite3.Row
    try:
        row = connection.execute(
            "SELECT resolved, locator FROM import_errors WHERE error_id = ?", (entry,)
        ).fetchone()
    finally:
        connection.close()
    return {"resolved": bool(row["resolved"]), "locator": json.loads(row["locator"] or "{}")}


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_a_review_backs_the_database_up_before_it_writes(site: Site, decision: str) -> None:
    event_id, entry, _ = hold_a_degraded_version(site)
    before = backups(site)

    run = site.hearings("quarantine", decision, str(entry))
    assert run.code == 0, run.err
    (made,) = backups(site) - before
    assert f"Backup taken first: {made}" in " ".join(run.out.split())
    # The backup holds the database as it was before the decision: the entry still waiting.
    kept = entry_in(made, entry)
    assert kept["resolved"] is False
    assert not {"accepted_hash", "rejected_hash", "rejected_hashes"} & set(kept["locator"])
    assert entry_in(site.database, entry)["resolved"] is True

    # An entry that cannot be reviewed is refused before any backup is taken.
    again = site.hearings("quarantine", decision, str(entry))
    assert again.code == 1
    assert backups(site) == before | {made}


def test_a_rejected_version_stays_rejected_after_the_meeting_is_held_again(site: Site) -> None:
    event_id, entry, body = hold_a_degraded_version(site)
    before = appearances(site, event_id)
    assert site.hearings("quarantine", "reject", str(entry)).code == 0

    # Upstream changes the meeting once more: the new version is screened afresh and held.
    publish(site, body, lambda b: b.update(witnesses=[], meetingStatus="Canceled"))
    hold_update(site)
    assert ("meeting", event_id) in site.quarantine()
    assert [s["action"] for s in site.last_metrics()["suspicious_changes"]] == ["held"]

    # Then it serves the rejected version again: skipped in either mode, never applied.
    publish(site, body, lambda b: b.__setitem__("witnesses", []))
    for mode in ("flag", "hold"):
        run = site.hearings("update", "--congress", "119", SUSPICIOUS_CHANGES=mode)
        assert run.code in (0, 3), run.err
        assert appearances(site, event_id) == before
        actions = {
            s["action"]
            for s in site.last_metrics()["suspicious_changes"]
            if s["event_id"] == event_id
        }
        assert "skipped" in actions and "flagged" not in actions, actions


def test_rejecting_a_second_version_keeps_the_first_rejected(site: Site) -> None:
    event_id, first, body = hold_a_degraded_version(site)
    before = appearances(site, event_id)
    assert site.hearings("quarantine", "reject", str(first)).code == 0
    publish(site, body, lambda b: b.update(witnesses=[], meetingStatus="Canceled"))
    hold_update(site)
    second = held_entry(site, event_id)
    assert site.hearings("quarantine", "reject", str(second)).code == 0

    publish(site, body, lambda b: b.__setitem__("witnesses", []))
    run = site.hearings("update", "--congress", "119", SUSPICIOUS_CHANGES="flag")
    assert run.code == 0, run.err
    assert appearances(site, event_id) == before
    assert [s["action"] for s in site.last_metrics()["suspicious_changes"]] == ["skipped"]
