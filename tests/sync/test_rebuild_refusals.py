"""A record whose newest archived version today's checks refuse (the checks grew stricter since it
was archived) is left out of a rebuild and quarantined with its reason, as an import of the same
payloads would quarantine it. It was left out and no more: gone from the pages and exports, in no
quarantine and no report, and fetched again by no later update. Now `hearings rebuild` says so
and exits 3, and the next update fetches it again."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select

from hearings.store import schema
from hearings.store.archive import pack, unpack
from hearings.store.records import content_hash
from hearings.sync.gate.untrusted import MAX_TEXT
from hearings.sync.runner import EXIT_OK, EXIT_QUARANTINED
from tests.sync.harness import Harness, meeting_ids


def _archive_a_newer_version(
    harness: Harness, entity: str, identifier: str, change: Callable[[dict[str, Any]], None]
) -> None:
    """A newest version of the record, as an earlier hearings, with laxer checks, archived it."""
    archive = schema.payload_archive
    with harness.engine().begin() as connection:
        newest = connection.execute(
            select(archive)
            .where(archive.c.entity == entity, archive.c.identifier == identifier)
            .order_by(archive.c.version_id.desc())
            .limit(1)
        ).one()
        payload = unpack(newest.payload)
        change(payload)
        now = datetime.now(UTC).replace(tzinfo=None)
        connection.execute(
            insert(archive).values(
                entity=entity,
                identifier=identifier,
                content_hash=content_hash(payload),
                payload=pack(payload),
                update_date=newest.update_date,
                locator=newest.locator,
                first_seen_at=now,
                last_seen_at=now,
            )
        )


def _open_quarantine(harness: Harness) -> dict[tuple[str, str], str]:
    table = schema.import_errors
    with harness.engine().connect() as connection:
        rows = connection.execute(
            select(table.c.entity, table.c.identifier, table.c.reason).where(
                table.c.resolved.is_(False)
            )
        )
        return {(row.entity, row.identifier): row.reason for row in rows}


@pytest.mark.imported
def test_a_meeting_todays_checks_refuse_is_quarantined_and_the_next_update_fetches_it(
    harness: Harness,
) -> None:
    victim, other = meeting_ids(harness.corpus)[:2]
    _archive_a_newer_version(
        harness, "meeting", victim, lambda payload: payload.update(title="x" * (MAX_TEXT + 1))
    )
    kept = harness.hearing(other)

    done = harness.cli("rebuild")

    assert done.returncode == EXIT_QUARANTINED, done.stderr[-2000:]
    said = " ".join(done.stdout.split())
    assert "1 archived meeting was refused by today's checks, left out and quarantined" in said
    assert f"{victim}: " in said and "Traceback" not in done.stdout + done.stderr
    assert harness.hearing(victim) is None
    assert harness.hearing(other) == kept
    logged = "".join(p.read_text() for p in (harness.tmp_path / "logs").glob("*.log"))
    assert "rebuild: Rebuilt from the archive: " in logged
    assert f"rebuild quarantined meeting {victim}: a text field is 100,001" in logged
    reason = _open_quarantine(harness)[("meeting", victim)]
    assert reason == "a text field is 100,001 characters long (at most 100,000)"

    again = harness.cli("update")

    assert again.returncode == EXIT_OK, again.stderr[-2000:]
    assert harness.hearing(victim) is not None
    assert ("meeting", victim) not in _open_quarantine(harness)


@pytest.mark.imported
def test_a_printed_hearing_todays_checks_refuse_is_quarantined(harness: Harness) -> None:
    archive = schema.payload_archive
    with harness.engine().connect() as connection:
        victim = connection.execute(
            select(archive.c.identifier).where(archive.c.entity == "printed_hearing").limit(1)
        ).scalar_one()
    _archive_a_newer_version(
        harness, "printed_hearing", victim, lambda payload: payload.update(title=None)
    )

    done = harness.cli("rebuild", "--json")

    assert done.returncode == EXIT_QUARANTINED, done.stderr[-2000:]
    document = json.loads(done.stdout)
    assert document["rebuilt"] == {
        "committees": 214,
        "members": 538,
        "meetings": 150,
        "printed_hearings": 10,
    }
    ((reason,),) = document["quarantined"].values()
    assert list(document["quarantined"]) == ["printed_hearings"]
    assert reason.startswith(f"{victim}: ") and document["seconds"] > 0
    if harness.database_url.startswith("sqlite"):  # PostgreSQL's rebuild is one transaction
        assert (harness.tmp_path / document["replaced"]).exists()
    else:
        assert document["replaced"] is None
    assert ("printed_hearing", victim) in _open_quarantine(harness)


@pytest.mark.imported
def test_a_committee_todays_checks_refuse_is_quarantined(harness: Harness) -> None:
    with harness.engine().connect() as connection:
        victim = connection.execute(
            select(schema.hearing_committees.c.system_code).limit(1)
        ).scalar_one()
    _archive_a_newer_version(
        harness, "committee", victim, lambda payload: payload.update(systemCode="zzzz99")
    )

    with harness.engine().connect() as connection:
        meetings = _meetings_of(connection, victim)

    done = harness.cli("rebuild")

    assert done.returncode == EXIT_QUARANTINED, done.stderr[-2000:]
    assert "1 archived committee was refused" in " ".join(done.stdout.split())
    assert ("committee", victim) in _open_quarantine(harness)
    # Its meetings keep it, as a placeholder an import makes for a committee it lacks.
    with harness.engine().connect() as connection:
        assert _meetings_of(connection, victim) == meetings
    checked = harness.cli("verify")
    assert checked.returncode == 0, checked.stdout[-2000:]


def _meetings_of(connection: Any, code: str) -> list[str]:
    table = schema.hearing_committees
    return sorted(
        connection.execute(select(table.c.event_id).where(table.c.system_code == code)).scalars()
    )
