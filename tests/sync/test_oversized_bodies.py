"""A body far larger than any real one costs only its record, and none of it is kept: the record
is quarantined at stage `fetch` with one sentence naming the size and the cap, with no payload
(a 50 MB body once grew the database by 52 MB, and again on every run). Driven through the CLI
against the replica."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hearings.store import schema
from hearings.sync.runner import EXIT_QUARANTINED
from tests.sync.harness import API_KEY, Harness, api_time, meeting_ids

OVERSIZED = 9 * 2**20  # just over the client's 8 MiB cap


@pytest.mark.imported
@pytest.mark.parametrize("batch", ["--batch", "--no-batch"])
def test_a_meeting_with_an_oversized_body_is_quarantined_without_its_payload(
    harness: Harness, batch: str
) -> None:
    victim, *others = meeting_ids(harness.corpus)[:4]
    for event_id in [victim, *others]:
        body = harness.corpus.meeting(event_id)
        assert body is not None
        body.update(
            meetingStatus="Postponed", updateDate=api_time(datetime.now(UTC) - timedelta(hours=1))
        )
        harness.corpus.put_meeting(body)
    # A real meeting, padded: read whole, it would parse and be stored.
    padded = {**(harness.corpus.meeting(victim) or {}), "padding": "p" * OVERSIZED}
    harness.replica.overrides.set_item_body(
        "meeting", victim, json.dumps({"committeeMeeting": padded}).encode()
    )

    done = harness.cli("update", "--congress", "119", batch, "--json")

    assert done.returncode == EXIT_QUARANTINED, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert all(harness.hearing(e).status == "Postponed" for e in others)
    assert harness.hearing(victim).status != "Postponed"
    table = schema.import_errors
    with harness.engine().connect() as connection:
        stage, reason, payload = connection.execute(
            select(table.c.stage, table.c.reason, table.c.raw_payload).where(
                table.c.identifier == victim
            )
        ).one()
    assert stage == "fetch" and payload is None
    assert reason.startswith("Congress.gov sent a body of ")
    assert f"{len(json.dumps({'committeeMeeting': padded})):,} bytes" in reason
    assert "more than the 8 MiB (8,388,608 bytes) this client reads" in reason
    assert API_KEY not in reason and "\n" not in reason
