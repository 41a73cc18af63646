"""Committees the API answers 404 for (issue #14): a parent's entry names subcommittees that have
no item of their own, as on Congress.gov. Such a committee is gone upstream, as a meeting no list
names and the API answers 404 for is: recorded once with that reason, never quarantined and
retried forever, fetched at most once per run whatever the Congresses, and never the reason a
budgeted import stops making progress."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from hearings.replica import BUNDLED_CORPUS_DIR, Corpus, ReplicaServer
from hearings.store import schema
from hearings.store.opening import open_database
from hearings.sync.quarantine import quarantine
from hearings.sync.stages import GONE_REASON
from tests.sync.site import Site, sentence, stamp_for

#: Parents whose subcommittees lose their items: some of those subcommittees are named by 118th
#: and 119th meetings (hsii15, hsii24, hsvr11) and by a printed hearing (hsii24).
PARENTS = ("hsii00", "hsvr00", "ssfi00", "ssap00", "hsap00")
EXPORTS = ("hearings", "witnesses", "committees", "members", "appearances")
BUDGET = 60


def subcommittees_of(corpus: Corpus, parents: tuple[str, ...]) -> list[str]:
    codes = []
    for parent in parents:
        body = corpus.committee(parent)
        assert body is not None, parent
        codes += [str(sub["systemCode"]) for sub in body["subcommittees"]]
    return sorted(codes)


@pytest.fixture(scope="module")
def unserved() -> tuple[Corpus, list[str]]:
    """The bundled corpus (118th and 119th) where the parents' subcommittees answer 404."""
    corpus = Corpus.load(BUNDLED_CORPUS_DIR).copy()
    removed = subcommittees_of(corpus, PARENTS)
    for code in removed:
        assert corpus.remove_committee(code), code
    return corpus, removed


@pytest.fixture
def site(unserved: tuple[Corpus, list[str]], tmp_path: Path, database_url: str) -> Iterator[Site]:
    with ReplicaServer(unserved[0].copy()) as replica:
        yield Site(tmp_path, replica, database_url)


def not_found(site: Site) -> int:
    return site.replica.stats.by_status[404]


def list_pages(site: Site) -> int:
    return sum(n for kind, n in site.replica.stats.by_kind.items() if kind.endswith("_list"))


def gone_entries(site: Site) -> dict[str, dict[str, object]]:
    rows = site.query("SELECT * FROM import_errors WHERE entity = ?", "committee")
    return {str(r["identifier"]): r for r in rows}


def a_day_of_changes(corpus: Corpus, stamp: str) -> int:
    """Two meetings of each Congress change, and every parent whose subcommittees are unserved
    changes too, so the committee list names them again. Returns the records changed."""
    changed = 0
    for congress in (118, 119):
        ids = sorted(
            event_id
            for event_id in corpus.ids("meeting")
            if (corpus.meeting(event_id) or {}).get("congress") == congress
        )
        for event_id in ids[:2]:
            body = corpus.meeting(event_id)
            assert body is not None
            body.update(meetingStatus="Postponed", updateDate=stamp)
            corpus.put_meeting(body)
            changed += 1
    for parent in PARENTS:
        record = corpus.record("committee", parent)
        body = copy.deepcopy(corpus.committee(parent))
        assert record is not None and body is not None
        body["updateDate"] = stamp
        corpus.put_committee(body, chamber=record.chamber, congresses=list(record.congresses))
        changed += 1
    return changed


def test_an_import_records_each_unserved_committee_once_as_gone(
    site: Site, unserved: tuple[Corpus, list[str]]
) -> None:
    _, removed = unserved

    run = site.hearings("import", "--congress", "118-119", "--json")

    site.assert_sound(run)
    assert run.code == 0, run.err[-3000:]
    # Each unserved committee is asked for once in the run, not once per Congress.
    assert not_found(site) == len(removed), site.replica.stats.by_kind
    served = site.corpus.count("committee")
    assert site.replica.stats.by_kind["committee_item"] <= served + len(removed)
    entries = gone_entries(site)
    assert sorted(entries) == removed
    for entry in entries.values():
        assert entry["resolved"] and entry["reason"] == GONE_REASON and sentence(GONE_REASON)
    assert ("committee", removed[0]) not in site.quarantine()
    metrics = site.last_metrics()
    assert metrics["quarantined"] == 0, metrics["quarantined_records"]
    # A meeting that names one keeps its reference as the committee's row.
    assert site.row("committee", "hsii15") is not None


def test_later_updates_do_not_fetch_unserved_committees_again(site: Site) -> None:
    assert site.hearings("import", "--congress", "118-119").code == 0
    changed = a_day_of_changes(site.corpus, stamp_for(datetime.now(UTC)))
    site.replica.reset_counters()

    run = site.hearings("update", "--lookback-days", "7")

    site.assert_sound(run)
    assert run.code == 0, run.err[-3000:]
    assert not_found(site) == 0, site.replica.stats.by_kind
    assert site.replica.request_count <= changed + list_pages(site) + 5, site.replica.stats.by_kind


def test_quarantined_unserved_committees_are_retried_once_then_closed(
    site: Site, unserved: tuple[Corpus, list[str]]
) -> None:
    """A database where an earlier version left them quarantined: the next update retries each
    once (counted as retried) and closes its entry; the one after asks for none of them."""
    _, removed = unserved
    assert site.hearings("import", "--congress", "118-119").code == 0
    engine = open_database(site.database_url)
    try:
        with engine.begin() as connection:
            table = schema.import_errors
            connection.execute(
                update(table)
                .where(table.c.entity == "committee")
                .values(resolved=False, resolved_at=None, reason="HTTP 404 Not Found")
            )
    finally:
        engine.dispose()
    dry = site.hearings("update", "--lookback-days", "7", "--dry-run", "--json")
    assert dry.code == 0, dry.err[-3000:]
    assert json.loads(dry.out)["quarantined"] == 0  # gone upstream, as the real run finds
    assert len([key for key in site.quarantine() if key[0] == "committee"]) == len(removed)
    site.replica.reset_counters()

    first = site.hearings("update", "--lookback-days", "7")

    site.assert_sound(first)
    assert first.code == 0, first.err[-3000:]
    assert not_found(site) == len(removed)
    assert site.last_metrics()["quarantine_retried"] == len(removed)
    assert not [key for key in site.quarantine() if key[0] == "committee"]
    assert {e["reason"] for e in gone_entries(site).values()} == {GONE_REASON}
    site.replica.reset_counters()

    second = site.hearings("update", "--lookback-days", "7")

    assert second.code == 0, second.err[-3000:]
    assert not_found(site) == 0
    assert site.last_metrics()["quarantine_retried"] == 0


def exports(site: Site) -> dict[str, str]:
    return {entity: site.hearings("export", entity).out for entity in EXPORTS}


@pytest.fixture(scope="module")
def uninterrupted(
    unserved: tuple[Corpus, list[str]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, str], int]:
    """What one import of both Congresses exports (a SQLite file, the same bytes on either
    backend), and the requests it made."""
    with ReplicaServer(unserved[0].copy()) as replica:
        reference = Site(tmp_path_factory.mktemp("uninterrupted"), replica)
        assert reference.hearings("import", "--congress", "118-119").code == 0
        return exports(reference), replica.request_count


def test_a_budgeted_import_progresses_on_every_rerun_to_the_uninterrupted_export(
    site: Site, unserved: tuple[Corpus, list[str]], uninterrupted: tuple[dict[str, str], int]
) -> None:
    """With more unserved committees than the budget, each rerun still spends its budget on
    records no run fetched before, and the reruns end with the uninterrupted import's export."""
    _, removed = unserved
    assert 2 * len(removed) > BUDGET  # once per Congress and run would never finish
    expected, needed = uninterrupted

    reruns = 0
    while True:
        reruns += 1
        assert reruns <= needed // BUDGET + 2, "the budgeted import makes no progress"
        run = site.hearings("import", "--congress", "118-119", "--max-requests", str(BUDGET))
        site.assert_sound(run)
        if run.code == 0:
            break
        assert run.code == 4, run.err[-3000:]

    assert site.replica.request_count <= needed + 5
    assert not_found(site) == len(removed)
    assert exports(site) == expected


def test_a_committee_quarantined_for_one_congress_is_not_fetched_or_counted_again(
    site: Site,
) -> None:
    """hsag14 sits in both Congresses' committee lists and its item keeps failing: the import's
    first Congress quarantines it, and its second neither fetches nor counts it again."""
    site.replica.faults.fail_next(50, "500", path=r"/committee/house/hsag14$")

    run = site.hearings("import", "--congress", "118-119")

    site.assert_sound(run)
    assert run.code == 3, run.err[-3000:]
    assert site.replica.stats.by_status[500] == 3  # one fetch: the request and its 2 retries
    metrics = site.last_metrics()
    assert [r["identifier"] for r in metrics["quarantined_records"]] == ["hsag14"]
    assert metrics["quarantined"] == 1
    assert ("committee", "hsag14") in site.quarantine()


def test_a_quarantined_printed_hearing_no_list_names_is_closed_when_gone(site: Site) -> None:
    """The same rule for printed hearings: one waiting in the quarantine that no list names and
    that the API answers 404 for is closed, not retried by every later update."""
    assert site.hearings("import", "--congress", "118-119").code == 0
    engine = open_database(site.database_url)
    try:
        with engine.begin() as connection:
            quarantine(
                connection,
                entity="printed_hearing",
                identifier="118/99999",
                stage="fetch",
                reason="HTTP 500",
                raw_payload=None,
                locator={"congress": 118, "chamber": "house"},
                now=datetime.now(UTC).replace(tzinfo=None),
            )
    finally:
        engine.dispose()
    site.replica.reset_counters()

    first = site.hearings("update", "--lookback-days", "7")

    assert first.code == 0, first.err[-3000:]
    assert not_found(site) == 1
    closed = site.query("SELECT * FROM import_errors WHERE identifier = ?", "118/99999")
    assert [(bool(r["resolved"]), r["reason"]) for r in closed] == [(True, GONE_REASON)]
    site.replica.reset_counters()

    assert site.hearings("update", "--lookback-days", "7").code == 0
    assert not_found(site) == 0
