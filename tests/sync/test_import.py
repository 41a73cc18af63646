"""`hearings import`: a whole Congress from the replica into SQLite, idempotent and resumable."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from hearings.congress_api.models import Meeting, parse_record
from hearings.store import schema
from tests.backends import committed_meetings
from tests.sync.harness import Harness, slow_from_the_first_meeting


def test_import_stores_every_meeting_equal_to_the_corpus(harness: Harness) -> None:
    metrics = harness.run("import")

    assert metrics.success and metrics.exit_code == 0
    corpus = harness.corpus
    event_ids = sorted(corpus.ids("meeting"))
    assert metrics.hearings_added == len(event_ids) == 150
    assert harness.count(schema.committees) >= 214
    assert harness.count(schema.members) == 538
    assert harness.count(schema.printed_hearings) == len(corpus.ids("hearing"))

    exported = {
        json.loads(line)["event_id"]: json.loads(line) for line in harness.export().splitlines()
    }
    assert sorted(exported) == sorted(event_ids, key=lambda e: (len(e), e)) or set(exported) == set(
        event_ids
    )
    for event_id in event_ids:
        body = corpus.meeting(event_id)
        assert body is not None
        meeting = parse_record(Meeting, body, entity="meeting")
        record = exported[event_id]
        assert record["title"] == body.get("title")
        assert record["status"] == body.get("meetingStatus")
        assert record["chamber"] == meeting.chamber
        expected_start = meeting.date.strftime("%Y-%m-%dT%H:%M:%SZ") if meeting.date else None
        assert record["start"] == expected_start
        codes = []
        for ref in meeting.committees:
            if ref.system_code not in codes:
                codes.append(ref.system_code)
        assert record["committees"] == codes
        assert [w["name"] for w in record["witnesses"]] == [
            w.get("name") for w in body.get("witnesses", [])
        ]
        assert [w["organization"] for w in record["witnesses"]] == [
            w.get("organization") for w in body.get("witnesses", [])
        ]
        transcript_jackets = [t["jacketNumber"] for t in body.get("hearingTranscript", [])]
        assert record["jacket_numbers"][: len(transcript_jackets)] == transcript_jackets
        assert record["bills"] == [
            {"congress": b["congress"], "type": b["type"], "number": b["number"]}
            for b in (body.get("relatedItems") or {}).get("bills", [])
        ]
        assert record["documents"] == len(body.get("witnessDocuments", [])) + len(
            body.get("meetingDocuments", [])
        )
        assert record["videos"] == [v["url"] for v in body.get("videos", [])]


@pytest.mark.imported
def test_empty_senate_stubs_are_kept_and_flagged(harness: Harness) -> None:
    stubs = [
        e
        for e in harness.corpus.ids("meeting")
        if not (harness.corpus.meeting(e) or {}).get("title")
    ]
    assert stubs, "the corpus has empty stubs"
    for event_id in stubs:
        row = harness.hearing(event_id)
        assert row is not None and row.is_stub and row.title is None and row.start_at is None


@pytest.mark.imported
def test_second_import_changes_nothing_and_export_is_byte_identical(harness: Harness) -> None:
    first = harness.export()
    requests_before = harness.replica.stats.snapshot()["total"]

    again = harness.run("import")

    assert (again.hearings_added, again.hearings_updated) == (0, 0)
    assert again.hearings_unchanged == 150
    assert again.committees_updated == 0 and again.members_updated == 0
    assert harness.export() == first
    # Nothing is fetched again: only list pages.
    assert harness.replica.stats.snapshot()["total"] - requests_before < 20


@pytest.mark.imported
def test_witness_documents_are_never_dropped(harness: Harness) -> None:
    expected = sum(
        len({d["url"] for d in (harness.corpus.meeting(e) or {}).get("witnessDocuments", [])})
        for e in harness.corpus.ids("meeting")
    )
    assert harness.count(schema.witness_documents) == expected
    attached = harness.count(
        schema.witness_documents, schema.witness_documents.c.appearance_ordinal.is_not(None)
    )
    assert attached / expected > 0.9


def test_same_person_is_one_witness_across_hearings(harness: Harness) -> None:
    corpus = harness.corpus
    template = corpus.meeting("117214")
    assert template is not None
    other = dict(template, eventId="990500", title="A second appearance")
    other["witnesses"] = [
        dict(template["witnesses"][0], name="Mr. Mike Natchees"),  # same person, new honorific
    ]
    other["witnessDocuments"] = []
    corpus.put_meeting(other)

    harness.run("import")

    record = {json.loads(x)["event_id"]: json.loads(x) for x in harness.export().splitlines()}
    assert (
        record["990500"]["witnesses"][0]["witness_id"]
        == record["117214"]["witnesses"][0]["witness_id"]
    )
    assert record["990500"]["witnesses"][0]["name"] == "Mr. Mike Natchees"


def test_malformed_records_are_quarantined_and_the_rest_imported(harness: Harness) -> None:
    template = harness.corpus.meeting("117214")
    assert template is not None
    harness.corpus.put_meeting(dict(template, eventId="990201", date="31/02/2025"))

    metrics = harness.run("import")

    assert metrics.exit_code == 3 and metrics.success
    assert [q.identifier for q in metrics.quarantined_records] == ["990201"]
    assert "date" in metrics.quarantined_records[0].reason
    assert metrics.hearings_added == 150
    with harness.engine().connect() as connection:
        row = connection.execute(schema.import_errors.select()).one()
    assert row.entity == "meeting" and row.stage == "parse" and not row.resolved
    assert json.loads(row.raw_payload)["date"] == "31/02/2025"


def test_interrupted_import_resumes_where_it_stopped(harness: Harness) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "hearings", "import", "--congress", "119", "--batch-size", "10"],
        env=harness.cli_env(API_CONCURRENCY="2"),
        # A shell's background job ignores SIGINT, and Python keeps that: undo it for the child.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        cwd=harness.tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    slow_from_the_first_meeting(harness.replica, 40)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and committed_meetings(harness.database_url) < 30:
        time.sleep(0.05)
    # The rest of the meetings took 2.4 s: a test stalled that long on a loaded machine sent its
    # Ctrl-C after the import had ended. Now they take a minute; the Ctrl-C ends it at once.
    harness.replica.faults.latency_ms = 1000
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)
    harness.replica.faults.latency_ms = 0
    committed = harness.count(schema.hearings)
    assert 0 < committed < 150

    resumed = harness.run("import")

    assert resumed.success
    assert resumed.hearings_added == 150 - committed
    assert harness.count(schema.hearings) == 150


@pytest.mark.imported
def test_after_an_import_search_finds_meetings_by_their_printed_hearings(harness: Harness) -> None:
    from sqlalchemy import select

    from hearings.store.search_index import hearing_search, index_documents

    printed = schema.printed_hearings
    with harness.engine().connect() as connection:
        linked = connection.execute(
            select(printed.c.associated_event_id, printed.c.title)
            .join(schema.hearings, schema.hearings.c.event_id == printed.c.associated_event_id)
            .where(printed.c.title.is_not(None))
        ).all()
        stored = dict(
            connection.execute(select(hearing_search.c.event_id, hearing_search.c.documents)).all()
        )
        fresh = {
            row["event_id"]: row["documents"]
            for row in index_documents(connection, [event_id for event_id, _ in linked])
        }
    assert linked, "the corpus links printed hearings to meetings"
    # Printed hearings are stored after their meetings; the meetings' index rows follow them.
    for event_id, title in linked:
        assert " ".join(title.split()) in stored[event_id]
        assert stored[event_id] == fresh[event_id]
