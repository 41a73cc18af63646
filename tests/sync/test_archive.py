"""The payload archive: every distinct version of every admitted record, compressed, in the
transaction of the rows derived from it; refused records stay out of it; status counts it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hearings.store import schema
from hearings.store.archive import archived_record_counts, latest_versions, versions_of
from hearings.store.records import content_hash
from tests.sync.harness import Harness, api_time, meeting_ids


def test_an_import_archives_one_version_of_every_record(harness: Harness) -> None:
    metrics = harness.run("import")
    assert metrics.exit_code == 0
    with harness.engine().connect() as connection:
        counts = archived_record_counts(connection)
        meetings = {v.identifier: v for v in latest_versions(connection, "meeting")}
    assert counts == {"committee": 214, "meeting": 150, "member": 538, "printed_hearing": 11}
    event_id = meeting_ids(harness.corpus)[0]
    body = harness.corpus.meeting(event_id)
    assert body is not None
    version = meetings[event_id]
    # What is archived is what the API sent for the record, exactly.
    assert version.payload == body and version.content_hash == content_hash(body)
    assert version.run_id == metrics.run_id


@pytest.mark.imported
def test_a_changed_record_adds_a_version_and_a_touched_one_does_not(harness: Harness) -> None:
    changed, touched = meeting_ids(harness.corpus)[:2]
    stamp = api_time(datetime.now(UTC) - timedelta(minutes=5))
    for event_id, edit in ((changed, {"meetingStatus": "Postponed"}), (touched, {})):
        body = harness.corpus.meeting(event_id)
        assert body is not None
        body.update(edit, updateDate=stamp)
        harness.corpus.put_meeting(body)

    metrics = harness.run("update")

    assert metrics.exit_code == 0 and metrics.hearings_updated == 1
    with harness.engine().connect() as connection:
        history = versions_of(connection, "meeting", changed)
        same = versions_of(connection, "meeting", touched)
        total = connection.execute(
            select(func.count()).select_from(schema.payload_archive)
        ).scalar_one()
    assert [v.payload.get("meetingStatus") for v in history][-1] == "Postponed"
    assert len(history) == 2 and history[0].first_seen_at <= history[1].first_seen_at
    assert history[1].run_id == metrics.run_id
    (only,) = same  # touched upstream, content unchanged: the same version, seen again
    assert only.last_seen_at >= only.first_seen_at
    assert total == 150 + 214 + 538 + 11 + 1


@pytest.mark.imported
def test_a_refused_record_is_not_archived_and_status_counts_the_archive(
    harness: Harness,
) -> None:
    victim = meeting_ids(harness.corpus)[3]
    body = harness.corpus.meeting(victim)
    assert body is not None
    body["updateDate"] = api_time(datetime.now(UTC) - timedelta(minutes=5))
    harness.corpus.put_meeting(body)
    harness.replica.overrides.set_item("meeting", victim, lambda m: {**m, "congress": 118})

    assert harness.run("update").exit_code == 3

    with harness.engine().connect() as connection:
        assert len(versions_of(connection, "meeting", victim)) == 1
    shown = harness.cli("status", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["archived_records"]["meeting"] == 150
    assert "archived payloads" in harness.cli("status").stdout
