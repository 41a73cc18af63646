"""Batches: their size, the batch's own validation, committees new to the database, and the
failure injector."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import DataError

from hearings.congress_api.models import Meeting, parse_record
from hearings.replica import Corpus
from hearings.store.opening import open_database
from hearings.store.records import content_hash, meeting_rows
from hearings.sync import batches
from hearings.sync.batches import Change, apply_batch_isolated, validate_before_apply
from hearings.sync.failpoints import FailureInjector
from tests.sync.harness import Harness

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def change(body: dict[str, Any]) -> Change:
    meeting = parse_record(Meeting, body, entity="meeting")
    rows = meeting_rows(meeting, content_hash(body), NOW.replace(tzinfo=None))
    return Change(meeting=meeting, payload=body, rows=rows, locator={})


@pytest.fixture(scope="module")
def bodies() -> list[dict[str, Any]]:
    corpus = Corpus.load()
    return [corpus.meeting(e) or {} for e in sorted(corpus.ids("meeting"))[:12]]


@pytest.mark.parametrize(("size", "expected"), [(50, 3), (150, 1), (149, 2), (1, 150)])
def test_an_import_applies_its_meetings_in_batches_of_the_size_asked(
    harness: Harness, size: int, expected: int
) -> None:
    metrics = harness.run("import", batch_size=size)

    assert metrics.exit_code == 0, metrics.errors
    assert metrics.hearings_added == 150
    assert metrics.batch_processing.batch_count == expected
    assert metrics.batch_processing.batches_succeeded == expected


def test_all_valid_records_pass(bodies: list[dict[str, Any]]) -> None:
    valid, rejected = validate_before_apply([change(b) for b in bodies])
    assert len(valid) == len(bodies) and rejected == []


def test_duplicate_event_ids_within_a_batch_are_rejected(bodies: list[dict[str, Any]]) -> None:
    changes = [change(bodies[0]), change(bodies[1]), change(bodies[0])]
    valid, rejected = validate_before_apply(changes)
    assert [c.event_id for c in valid] == [bodies[0]["eventId"], bodies[1]["eventId"]]
    assert len(rejected) == 1 and "duplicate" in rejected[0].reason


def test_a_database_error_applying_a_meeting_is_a_one_line_reason(
    bodies: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLAlchemy's text of a database error goes on with the SQL and its parameters: a meeting
    whose apply failed so was quarantined with all of it for a reason (found by a mutation
    campaign on PostgreSQL, where a value too wide for its column fails the insert)."""
    changes = [change(b) for b in bodies[:3]]
    victim = changes[1].event_id
    real = batches.apply_meetings

    def apply(connection: Any, rows: Any, now: datetime) -> Any:
        if any(r.event_id == victim for r in rows):
            raise DataError(
                "INSERT INTO bills (bill_id) VALUES (%(bill_id)s)",
                {"bill_id": "x"},
                ValueError("value too long for type character varying(48)"),
            )
        return real(connection, rows, now)

    monkeypatch.setattr(batches, "apply_meetings", apply)
    engine = open_database(f"sqlite:///{tmp_path / 'h.db'}")
    try:
        outcome = apply_batch_isolated(
            engine,
            changes,
            injector=FailureInjector(),
            now=NOW,
            after_apply=lambda connection, applied: None,
            checkpoint_id=None,
        )
    finally:
        engine.dispose()
    assert [r.change.event_id for r in outcome.failed] == [victim]
    assert len(outcome.committed) == 2
    reason = outcome.failed[0].reason
    assert (
        reason == "DataError: (builtins.ValueError) value too long for type character varying(48)"
    )
    assert outcome.first_error == reason


def test_the_failure_injector_is_reproducible_and_proportional() -> None:
    ids = [str(100000 + i) for i in range(4000)]
    picked = [e for e in ids if FailureInjector(rate=0.05, seed=11).should_fail(e)]
    again = [e for e in ids if FailureInjector(rate=0.05, seed=11).should_fail(e)]
    other = [e for e in ids if FailureInjector(rate=0.05, seed=12).should_fail(e)]
    assert picked == again and picked != other
    assert 150 < len(picked) < 250
    assert not any(FailureInjector(rate=0.0, seed=11).should_fail(e) for e in ids)


@pytest.mark.imported
def test_mixed_additions_and_updates_in_one_batch(harness: Harness) -> None:
    existing = harness.corpus.meeting("117214")
    assert existing is not None
    existing["meetingStatus"] = "Postponed"
    existing["updateDate"] = "2026-11-26T10:00:00Z"
    harness.corpus.put_meeting(existing)
    fresh = copy.deepcopy(existing) | {"eventId": "990777", "title": "Brand new"}
    harness.corpus.put_meeting(fresh)

    metrics = harness.run("update", batch_size=50)

    assert metrics.success, metrics.errors
    assert (metrics.hearings_added, metrics.hearings_updated) == (1, 1)
    assert metrics.batch_processing.batch_count == 1
    assert metrics.batch_processing.batches_succeeded == 1


@pytest.mark.imported
def test_an_unknown_committee_is_fetched_never_a_failure(harness: Harness) -> None:
    body = harness.corpus.meeting("117214")
    assert body is not None
    body.update(eventId="990888", updateDate="2026-11-26T10:00:00Z")
    body["committees"] = [
        {"name": "A committee the API does not serve", "systemCode": "hsxx99", "url": "x"}
    ]
    harness.corpus.put_meeting(body)

    metrics = harness.run("update")

    assert metrics.exit_code == 0 and metrics.hearings_added == 1
    record = [r for r in harness.export().splitlines() if '"990888"' in r][0]
    assert '"committees": ["hsxx99"]' in record
