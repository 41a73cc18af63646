"""Which changes a filter keeps, read from the archive of a real SQLite file. What a change names
is kept in memory between requests by the two versions' content hashes: a database holding other
payloads under the same version ids (another file, or this one restored) must read as itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, insert

from hearings.reports.recent_changes import Involving, recent_changes
from hearings.store import schema
from hearings.store.archive import pack
from hearings.store.engine import create_db_engine
from hearings.store.opening import migrate
from hearings.store.records import content_hash

NOW = datetime(2026, 12, 1, 15, 0)


def _meeting(event_id: str, status: str, committee: str) -> dict[str, Any]:
    return {
        "eventId": event_id,
        "congress": 119,
        "chamber": "House",
        "meetingStatus": status,
        "title": f"Hearing {event_id}",
        "committees": [{"systemCode": committee, "name": committee}],
    }


def _archive(engine: Engine, versions: list[dict[str, Any]]) -> None:
    """The archive holds these versions, in order, ids from 1, and nothing else."""
    table = schema.payload_archive
    with engine.begin() as connection:
        connection.execute(delete(table))
        for number, payload in enumerate(versions, start=1):
            seen = NOW - timedelta(minutes=len(versions) - number)
            connection.execute(
                insert(table).values(
                    version_id=number,
                    entity="meeting",
                    identifier=payload["eventId"],
                    content_hash=content_hash(payload),
                    payload=pack(payload),
                    first_seen_at=seen,
                    last_seen_at=seen,
                )
            )


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    made = create_db_engine(f"sqlite:///{tmp_path / 'hearings.db'}")
    migrate(made)
    return made


def _kept(engine: Engine, **filters: Any) -> list[tuple[str, int]]:
    with engine.connect() as connection:
        total, changes = recent_changes(
            connection, since=NOW.replace(tzinfo=UTC) - timedelta(days=1), limit=50, **filters
        )
    assert total == len(changes)
    return [(change.event_id, change.version) for change in changes]


def test_the_same_version_ids_holding_other_payloads_are_read_as_they_are(engine: Engine) -> None:
    committee = Involving(committees=frozenset({"hsag00"}))
    _archive(engine, [_meeting("1", "Scheduled", "hsag00"), _meeting("1", "Postponed", "hsag00")])
    assert _kept(engine, involving=committee) == [("1", 2)]
    assert _kept(engine, kinds=["postponed"]) == [("1", 2)]

    # Version ids 1 and 2 now hold another committee's meeting, canceled rather than postponed.
    _archive(engine, [_meeting("1", "Scheduled", "hsju00"), _meeting("1", "Canceled", "hsju00")])
    assert _kept(engine, involving=committee) == []
    assert _kept(engine, involving=Involving(committees=frozenset({"hsju00"}))) == [("1", 2)]
    assert _kept(engine, kinds=["postponed"]) == []
    assert _kept(engine, kinds=["canceled"]) == [("1", 2)]


def test_a_filter_asked_again_keeps_what_it_kept(engine: Engine) -> None:
    versions = []
    for index in range(30):
        event_id = str(100 + index)
        committee = "hsag00" if index % 3 == 0 else "hsju00"
        versions += [_meeting(event_id, "Scheduled", committee)]
        versions += [_meeting(event_id, "Postponed" if index % 2 else "Canceled", committee)]
    _archive(engine, versions)
    filters: list[dict[str, Any]] = [
        {"involving": Involving(committees=frozenset({"hsag00"}))},
        {"involving": Involving(chamber="Senate")},
        {"kinds": ["postponed"]},
        {"kinds": ["canceled"], "involving": Involving(committees=frozenset({"hsju00"}))},
    ]
    first = [_kept(engine, **chosen) for chosen in filters]
    assert [len(kept) for kept in first] == [10, 0, 15, 10]
    assert [_kept(engine, **chosen) for chosen in filters] == first
