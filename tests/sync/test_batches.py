"""Batches: division, validation before and after applying, and the failure injector."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from hearings.congress_api.models import Meeting, parse_record
from hearings.replica import Corpus
from hearings.store.records import content_hash, meeting_rows
from hearings.sync.batches import (
    Change,
    FailureInjector,
    split_into_batches,
    validate_before_apply,
)
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


@pytest.mark.parametrize(
    ("count", "size", "expected"),
    [(100, 50, [50, 50]), (101, 50, [50, 50, 1]), (3, 50, [3]), (0, 50, []), (5, 1, [1] * 5)],
)
def test_division_into_batches(
    bodies: list[dict[str, Any]], count: int, size: int, expected: list[int]
) -> None:
    changes = [change(bodies[i % len(bodies)]) for i in range(count)]
    batches = split_into_batches(changes, size)
    assert [len(b) for b in batches] == expected
    assert [c for b in batches for c in b] == changes


def test_a_batch_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        split_into_batches([], 0)


def test_all_valid_records_pass(bodies: list[dict[str, Any]]) -> None:
    valid, rejected = validate_before_apply([change(b) for b in bodies], congress=119, now=NOW)
    assert len(valid) == len(bodies) and rejected == []


def test_duplicate_event_ids_within_a_batch_are_rejected(bodies: list[dict[str, Any]]) -> None:
    changes = [change(bodies[0]), change(bodies[1]), change(bodies[0])]
    valid, rejected = validate_before_apply(changes, congress=119, now=NOW)
    assert [c.event_id for c in valid] == [bodies[0]["eventId"], bodies[1]["eventId"]]
    assert len(rejected) == 1 and "duplicate" in rejected[0].reason


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        ({"congress": 118}, "does not match"),
        ({"congress": 999}, "out of range"),
        ({"eventId": "12 ab/.."}, "not a valid identifier"),
        ({"date": "1789-03-04T12:00:00Z"}, "out of range"),
        ({"date": "2999-01-01T12:00:00Z"}, "out of range"),
        ({"updateDate": None}, "updateDate"),
    ],
)
def test_invalid_formats_are_rejected_with_their_reason(
    bodies: list[dict[str, Any]], edit: dict[str, Any], reason: str
) -> None:
    bad = copy.deepcopy(bodies[0]) | edit
    valid, rejected = validate_before_apply([change(bad), change(bodies[1])], congress=119, now=NOW)
    assert [c.event_id for c in valid] == [bodies[1]["eventId"]]
    assert reason in rejected[0].reason and rejected[0].stage == "validate"


def test_an_unknown_chamber_is_a_parse_error_naming_the_field(bodies: list[dict[str, Any]]) -> None:
    from hearings.congress_api.errors import MalformedPayload

    with pytest.raises(MalformedPayload, match="chamber"):
        change(copy.deepcopy(bodies[0]) | {"chamber": "Parliament"})


def test_the_failure_injector_is_reproducible_and_proportional() -> None:
    ids = [str(100000 + i) for i in range(4000)]
    picked = [e for e in ids if FailureInjector(rate=0.05, seed=11).should_fail(e)]
    again = [e for e in ids if FailureInjector(rate=0.05, seed=11).should_fail(e)]
    other = [e for e in ids if FailureInjector(rate=0.05, seed=12).should_fail(e)]
    assert picked == again and picked != other
    assert 150 < len(picked) < 250
    assert not any(FailureInjector(rate=0.0, seed=11).should_fail(e) for e in ids)


def test_mixed_additions_and_updates_in_one_batch(harness: Harness) -> None:
    harness.run("import")
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


def test_an_unknown_committee_is_fetched_never_a_failure(harness: Harness) -> None:
    harness.run("import")
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
