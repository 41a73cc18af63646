"""An upstream value that echoes the API key back inside a data field: the key reaches neither
the console, the log, the run record, the quarantine, the stored meetings nor the webhook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hearings.replica.overrides import Raw
from hearings.store import schema
from hearings.sync.runner import EXIT_PARTIAL
from tests.sync.harness import API_KEY, Harness, api_time, meeting_ids
from tests.sync.test_notify import Receiver


@pytest.mark.imported
def test_an_echoed_api_key_is_redacted_everywhere_it_could_be_kept(harness: Harness) -> None:
    refused, applied = meeting_ids(harness.corpus)[:2]
    stamp = api_time(datetime.now(UTC) - timedelta(minutes=5))
    bad, good = harness.corpus.meeting(refused), harness.corpus.meeting(applied)
    assert bad is not None and good is not None
    bad.update(updateDate=stamp)
    good.update(title=f"Hearing on keys like {API_KEY}", updateDate=stamp)  # applied
    harness.corpus.put_meeting(bad)
    harness.corpus.put_meeting(good)
    # Refused at the gate, with a reason that quotes the bad chamber.
    harness.replica.overrides.set_item("meeting", refused, lambda m: {**m, "chamber": API_KEY})
    # The printed-hearing list fails, so the run is announced (a partial run) with its errors.
    harness.replica.faults.fail_next(20, "500", path=r"/hearing/119")
    receiver = Receiver()
    try:
        done = harness.cli("update", "--congress", "119", NOTIFY_WEBHOOK_URL=receiver.url)
    finally:
        receiver.close()

    assert done.returncode == EXIT_PARTIAL, done.stderr
    assert API_KEY not in done.stdout + done.stderr
    logs = "".join(p.read_text() for p in (harness.tmp_path / "logs").glob("*.log"))
    assert refused in logs and API_KEY not in logs
    with harness.engine().connect() as connection:
        errors = connection.execute(select(schema.import_errors)).all()
        runs = connection.execute(select(schema.update_logs.c.metrics)).all()
        title = connection.execute(
            select(schema.hearings.c.title).where(schema.hearings.c.event_id == applied)
        ).scalar_one()
    assert [e.identifier for e in errors] == [refused]
    assert "***" in errors[0].reason and API_KEY not in errors[0].reason
    assert API_KEY not in (errors[0].raw_payload or "")
    assert runs and all(API_KEY not in str(run.metrics) for run in runs)
    assert title == "Hearing on keys like ***"
    assert API_KEY not in harness.export()
    (body,) = receiver.raw
    assert b"***" in body and API_KEY.encode() not in body


def test_an_echoed_api_key_is_not_kept_in_the_lists_an_import_keeps(harness: Harness) -> None:
    """An import stopped by its budget keeps the lists it read in the database for the next
    slice: a key echoed in a list entry is kept there as `***`, as everywhere else."""
    member, deep = sorted(harness.corpus.ids("member"))[:2]
    harness.replica.overrides.set_list_entry(
        "member", member, lambda entry: {**entry, "state": f"Echo {API_KEY}"}
    )
    # Nested deeper than a walk of Python's goes, yet not too deep to read: kept all the same.
    nested = Raw(b"[" * 800 + b"]" * 800)
    harness.replica.overrides.set_list_entry(
        "member", deep, lambda entry: {**entry, "state": f"Echo {API_KEY}", "extra": nested}
    )
    stopped = harness.cli("import", "--congress", "119", "--max-requests", "30")
    assert stopped.returncode == EXIT_PARTIAL, stopped.stderr
    with harness.engine().connect() as connection:
        kept = (
            connection.execute(
                select(schema.import_list_entries.c.entry).where(
                    schema.import_list_entries.c.list_key == "member/119/all"
                )
            )
            .scalars()
            .all()
        )
    assert sum("Echo ***" in entry for entry in kept) == 2
    assert all(API_KEY not in entry for entry in kept)

    # The next slice reads the entry from there, and stores it as the gate would have.
    harness.replica.overrides.clear()
    done = harness.cli("import", "--congress", "119")
    assert done.returncode == 0, done.stderr
    with harness.engine().connect() as connection:
        state = connection.execute(
            select(schema.members.c.state).where(schema.members.c.bioguide_id == member)
        ).scalar_one()
    assert state == "Echo ***"
