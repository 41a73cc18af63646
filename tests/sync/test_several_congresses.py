"""Every Congress in one database (issue #14, items 1 and 2).

Two Congresses are imported with `--congress 118-119` in one run. Then a day of changes lands in
both, and one `hearings update` without `--congress` applies all of it: one backup, one
`update_logs` row with each Congress's figures, at most changed records + list pages + 5 requests
(counted at the replica), and exports byte-identical to a fresh import of the changed corpus.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hearings.replica import BUNDLED_CORPUS_DIR, Corpus, ReplicaServer
from hearings.sync.notify import notification_text
from hearings.sync.runlog import BatchStats, CongressFigures, RunMetrics
from tests.sync.imported_template import ImportedTemplates
from tests.sync.site import CliRun, Site, stamp_for

EXPORTS = ("hearings", "appearances", "witnesses", "committees")
BOTH = ("118", "119")


@pytest.fixture(scope="module")
def both_congresses() -> Corpus:
    """The bundled corpus: the 119th Congress and a small 118th."""
    return Corpus.load(BUNDLED_CORPUS_DIR)


@pytest.fixture
def site(both_congresses: Corpus, tmp_path: Path, database_url: str) -> Iterator[Site]:
    with ReplicaServer(both_congresses.copy()) as replica:
        yield Site(tmp_path, replica, database_url)


def import_both(folder: Path, database_url: str, corpus: Corpus) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with ReplicaServer(corpus.copy()) as replica:
        run = Site(folder, replica, database_url).hearings("import", "--congress", "118-119")
    assert run.code == 0, run.err[-3000:]


@pytest.fixture(scope="module")
def both_imported(
    both_congresses: Corpus, tmp_path_factory: pytest.TempPathFactory
) -> ImportedTemplates:
    """`hearings import --congress 118-119`, run once per module and backend."""
    return ImportedTemplates(
        both_congresses, tmp_path_factory.mktemp("both-imported"), importer=import_both
    )


@pytest.fixture
def both_congresses_imported(
    request: pytest.FixtureRequest, site: Site, both_imported: ImportedTemplates
) -> None:
    """`site`'s database starts as a copy of that import, not an import of its own."""
    server = None if site.on_sqlite else request.getfixturevalue("postgres_server")
    both_imported.fill(site.database_url, server)


def meetings_of(corpus: Corpus, congress: int) -> list[str]:
    return sorted(
        event_id
        for event_id in corpus.ids("meeting")
        if (corpus.meeting(event_id) or {}).get("congress") == congress
        and (corpus.meeting(event_id) or {}).get("title")
    )


def a_day_of_changes(corpus: Corpus, stamp: str) -> dict[int, int]:
    """In each Congress two meetings change and one is added. Returns changed records per
    Congress."""
    changed: dict[int, int] = {}
    for congress, new_id in ((118, "990118"), (119, "990119")):
        existing = meetings_of(corpus, congress)
        first, second = corpus.meeting(existing[0]), corpus.meeting(existing[1])
        assert first is not None and second is not None
        first.update(meetingStatus="Postponed", updateDate=stamp)
        second.update(title=f"{second['title']} (revised)", updateDate=stamp)
        corpus.put_meeting(first)
        corpus.put_meeting(second)
        added = copy.deepcopy(second)
        added.pop("hearingTranscript", None)
        added.update(eventId=new_id, title=f"A new hearing of the {congress}th", updateDate=stamp)
        corpus.put_meeting(added)
        changed[congress] = 3
    return changed


def update_all(site: Site) -> CliRun:
    """The daily cron line: `hearings update`, no --congress."""
    return site.hearings("update", "--lookback-days", "7")


def exports(site: Site) -> dict[str, str]:
    found = {}
    for entity in EXPORTS:
        target = site.folder / f"{entity}.jsonl"
        run = site.hearings("export", entity, "--output", str(target))
        assert run.code == 0, run.err
        found[entity] = target.read_text()
    return found


def list_pages(replica: ReplicaServer) -> int:
    return sum(n for kind, n in replica.stats.by_kind.items() if kind.endswith("_list"))


def backups(site: Site) -> list[Path]:
    folder = site.folder / "backups"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_an_import_of_a_range_is_one_run_with_each_congresses_figures(site: Site) -> None:
    run = site.hearings("import", "--congress", "118-119", "--json")

    site.assert_sound(run)
    assert run.code == 0, run.err[-3000:]
    assert len(site.query("SELECT run_id FROM update_logs")) == 1
    assert site.last_run()["congress"] is None
    assert len(backups(site)) <= 1
    figures = site.last_metrics()["congresses"]
    assert sorted(figures) == list(BOTH)
    stored = {
        str(r["congress"]): r["n"]
        for r in site.query("SELECT congress, count(*) AS n FROM hearings GROUP BY congress")
    }
    assert stored == {c: figures[c]["hearings_added"] for c in BOTH}
    assert set(stored) == set(BOTH)


@pytest.mark.usefixtures("both_congresses_imported")
def test_one_update_applies_a_day_of_changes_in_both_congresses(site: Site, tmp_path: Path) -> None:
    runs_before, backups_before = len(site.query("SELECT run_id FROM update_logs")), backups(site)
    changed = a_day_of_changes(site.corpus, stamp_for(datetime.now(UTC)))
    # The reference is a SQLite file on either backend: exports are the same bytes on both.
    reference = Site(tmp_path / "reference", site.replica)
    reference.folder.mkdir()
    assert reference.hearings("import", "--congress", "118-119").code == 0
    expected = exports(reference)
    site.replica.reset_counters()

    run = update_all(site)

    site.assert_sound(run)
    assert run.code == 0, run.err[-3000:]
    requests = site.replica.request_count
    assert requests <= sum(changed.values()) + list_pages(site.replica) + 5, (
        site.replica.stats.by_kind
    )
    assert len(site.query("SELECT run_id FROM update_logs")) == runs_before + 1
    assert len(backups(site)) == len(backups_before) + 1
    metrics = site.last_metrics()
    assert site.last_run()["congress"] is None
    for congress in BOTH:
        figures = metrics["congresses"][congress]
        assert (figures["hearings_added"], figures["hearings_updated"]) == (1, 2), congress
        assert f"Congress {congress}" in run.out and "1 added, 2 updated" in run.out
    assert exports(site) == expected


@pytest.mark.usefixtures("both_congresses_imported")
def test_an_update_reads_the_meeting_list_once_whatever_the_congresses(site: Site) -> None:
    site.replica.reset_counters()

    run = update_all(site)

    assert run.code == 0, run.err[-3000:]
    kinds = site.replica.stats.by_kind
    assert kinds["meeting_list"] == 1, kinds
    assert kinds["meeting_item"] == 0, kinds


def test_a_congress_imported_later_is_listed_from_its_own_mark(site: Site) -> None:
    """The 118th is imported after the 119th has been updated: the next update still lists from
    the older of the two windows, so nothing the 118th missed is skipped."""
    assert site.hearings("import", "--congress", "119").code == 0
    assert update_all(site).code == 0
    assert site.hearings("import", "--congress", "118").code == 0
    stamp = stamp_for(datetime.now(UTC))
    event_id = meetings_of(site.corpus, 118)[0]
    body = site.corpus.meeting(event_id)
    assert body is not None
    body.update(meetingStatus="Canceled", updateDate=stamp)
    site.corpus.put_meeting(body)

    run = update_all(site)

    assert run.code == 0, run.err[-3000:]
    assert site.row("meeting", event_id)["status"] == "Canceled"  # type: ignore[index]
    marks = {
        r["congress"]
        for r in site.query("SELECT congress FROM sync_state WHERE entity = 'meetings'")
    }
    assert marks == {118, 119}


def test_an_update_of_an_empty_database_says_to_import_first(site: Site) -> None:
    run = site.hearings("update")

    assert run.code == 1
    assert "hearings import --congress N" in run.err
    assert "Traceback" not in run.err


def rows_written(site: Site) -> list[dict[str, object]]:
    return site.query(
        "SELECT (SELECT COUNT(*) FROM sync_state) AS marks,"
        " (SELECT COUNT(*) FROM update_logs) AS runs, (SELECT COUNT(*) FROM hearings) AS meetings"
    )


def test_an_update_of_a_congress_never_imported_is_refused_and_writes_nothing(site: Site) -> None:
    assert site.hearings("import", "--congress", "118").code == 0
    before = rows_written(site)
    backups = sorted((site.folder / "backups").iterdir())

    run = site.hearings("update", "--congress", "119", "--lookback-days", "3660")

    assert run.code == 1, run.err
    assert " ".join(run.err.split()) == (
        "Error: The database has never imported the 119th Congress: "
        "run `hearings import --congress 119` first."
    )
    assert rows_written(site) == before
    assert {r["congress"] for r in site.query("SELECT congress FROM sync_state")} == {118}
    assert sorted((site.folder / "backups").iterdir()) == backups  # no backup taken


def test_an_update_naming_held_and_unheld_congresses_names_the_unheld(site: Site) -> None:
    assert site.hearings("import", "--congress", "118").code == 0

    run = site.hearings("update", "--congress", "116-119", "--dry-run")

    assert run.code == 1 and "Traceback" not in run.err
    assert "116th, 117th and 119th Congresses" in " ".join(run.err.split())
    assert "hearings import --congress 116-117,119" in " ".join(run.err.split())


@pytest.mark.parametrize("spelling", ["12x", "119-115", "0", "1190"])
def test_a_congress_that_names_none_is_a_usage_error(site: Site, spelling: str) -> None:
    run = site.hearings("update", "--congress", spelling)

    assert run.code == 2
    assert "Traceback" not in run.err
    assert "--congress" in run.err


@pytest.mark.usefixtures("both_congresses_imported")
def test_a_dry_run_counts_each_congress_as_the_run_would(site: Site) -> None:
    changed = a_day_of_changes(site.corpus, stamp_for(datetime.now(UTC)))

    dry = json.loads(site.hearings("update", "--lookback-days", "7", "--dry-run", "--json").out)

    for congress, records in changed.items():
        figures = dry["congresses"][str(congress)]
        assert (figures["hearings_added"], figures["hearings_updated"]) == (1, records - 1)
    assert dry["hearings_updated"] == sum(f["hearings_updated"] for f in dry["congresses"].values())


@pytest.mark.usefixtures("both_congresses_imported")
def test_report_export_and_verify_take_a_congress_range(site: Site) -> None:
    a_day_of_changes(site.corpus, stamp_for(datetime.now(UTC)))
    assert update_all(site).code == 0

    whole = json.loads(site.hearings("report", "--format", "json").out)
    update = whole["runs"][-1]
    assert update["congress"] is None
    assert {c: f["hearings_added"] for c, f in update["congresses"].items()} == {
        "118": 1,
        "119": 1,
    }
    text = site.hearings("report").out
    assert "by Congress" in text and "Congress 118: 1 added, 2 updated" in text

    only_118 = json.loads(site.hearings("report", "--format", "json", "--congress", "118").out)
    changed_118 = {h["event_id"] for h in only_118["changed_hearings"]}
    assert changed_118 and changed_118 <= set(meetings_of(site.corpus, 118))

    lines = site.hearings("export", "hearings", "--congress", "118").out.splitlines()
    assert {json.loads(line)["congress"] for line in lines} == {118}
    assert len(lines) == len(site.query("SELECT event_id FROM hearings WHERE congress = 118"))
    members = site.hearings("export", "members", "--congress", "118")
    assert members.code == 2 and "not stored by Congress" in members.err

    checked = site.hearings("verify", "--reconcile", "--congress", "118-119", "--json")
    assert checked.code == 0, checked.out[-3000:]
    reconciled = json.loads(checked.out)["reconcile"]
    assert {r["congress"] for r in reconciled} == {118, 119}
    assert all(not r["missing_locally"] and not r["missing_upstream"] for r in reconciled)


def a_committee(code: str, name: str, stamp: str) -> dict[str, object]:
    return {
        "history": [
            {
                "committeeTypeCode": "Select",
                "libraryOfCongressName": name,
                "officialName": name,
                "startDate": stamp,
                "updateDate": stamp,
            }
        ],
        "isCurrent": True,
        "systemCode": code,
        "type": "Select",
        "updateDate": stamp,
    }


@pytest.mark.usefixtures("both_congresses_imported")
def test_an_update_fetches_new_committees_of_its_congresses_only(site: Site) -> None:
    """The committee list across Congresses names every Congress's committees: a committee new
    to the database comes in when it belongs to a Congress the update covers, and not otherwise."""
    stamp = stamp_for(datetime.now(UTC))
    site.corpus.put_committee(
        a_committee("hlzz00", "Select Committee on Tests", stamp), chamber="house", congresses=[119]
    )
    site.corpus.put_committee(
        a_committee("hlyy00", "Select Committee of Old", stamp), chamber="house", congresses=[117]
    )
    site.replica.reset_counters()

    run = update_all(site)

    assert run.code == 0, run.err[-3000:]
    assert site.row("committee", "hlzz00") is not None
    assert site.row("committee", "hlyy00") is None
    assert site.replica.stats.by_kind["committee_item"] == 1, site.replica.stats.by_kind


def test_without_batches_each_congress_of_a_range_is_one_transaction(site: Site) -> None:
    """--no-batch: the 119th fails (its meetings cannot be fetched) and is rolled back; the 118th
    keeps what it committed, and the run says it is partial."""
    site.replica.faults.fail_next(500, "500", path=r"/committee-meeting/119/[a-z]+/")

    run = site.hearings("import", "--congress", "118-119", "--no-batch")

    site.assert_sound(run)
    assert run.code == 4, run.err[-3000:]
    stored = site.query("SELECT congress, count(*) AS n FROM hearings GROUP BY congress")
    assert [(r["congress"], r["n"]) for r in stored] == [(118, len(meetings_of(site.corpus, 118)))]
    metrics = site.last_metrics()
    assert metrics["hearings_added"] == stored[0]["n"]
    assert metrics["congresses"]["119"]["hearings_added"] == 0
    assert metrics["stages"]["meetings"]["status"] == "failed"


@pytest.mark.usefixtures("both_congresses_imported")
def test_a_quiet_congress_does_not_hold_every_later_update_back(site: Site) -> None:
    """Nothing changes in the 118th, whose mark is two years old after its import: once an update
    has listed across both Congresses, both marks stand at the newest entry it listed, and the
    next update lists from there, not from 2023."""
    assert update_all(site).code == 0
    first_window = site.last_metrics()["window_start"]

    assert update_all(site).code == 0

    marks = {
        r["congress"]: str(r["high_water_mark"])
        for r in site.query(
            "SELECT congress, high_water_mark FROM sync_state WHERE entity = ?", "meetings"
        )
    }
    assert set(marks) == {118, 119} and marks[118] == marks[119]
    newest = max(
        str((site.corpus.meeting(e) or {}).get("updateDate")) for e in site.corpus.ids("meeting")
    )
    assert marks[118].replace(" ", "T")[:19] == newest[:19]
    window = site.last_metrics()["window_start"]
    assert first_window < "2024" < window


def test_a_notification_names_the_congresses_a_run_covered() -> None:
    metrics = RunMetrics(
        command="update",
        congress=None,
        chamber=None,
        batch_processing=BatchStats(enabled=True, batch_size=50),
        start_time=datetime(2026, 12, 1, 6, 30, tzinfo=UTC),
        success=False,
        errors=["Congress.gov is unavailable."],
        congresses={118: CongressFigures(), 119: CongressFigures()},
    )

    assert "(congresses 118-119)" in notification_text(metrics)


def with_older_congresses(corpus: Corpus, congresses: tuple[int, ...]) -> Corpus:
    """`corpus` plus a few meetings in each of `congresses`: 118th meetings moved back by whole
    Congresses (synthesized, so that a run can cover more than the two bundled ones)."""
    widened = corpus.copy()
    for offset, congress in enumerate(sorted(congresses, reverse=True), start=1):
        for index, event_id in enumerate(meetings_of(corpus, 118)[:3]):
            body = copy.deepcopy(corpus.meeting(event_id))
            assert body is not None
            body.pop("hearingTranscript", None)
            body.update(
                congress=congress,
                eventId=str(800_000 + congress * 10 + index),
                title=f"{body['title']} ({congress}th Congress)",
            )
            for key in ("date", "updateDate"):
                year = int(str(body[key])[:4]) - 2 * offset
                body[key] = f"{year}{str(body[key])[4:]}"
            widened.put_meeting(body)
    return widened


def test_the_meeting_list_is_read_once_however_many_congresses(
    both_congresses: Corpus, tmp_path: Path
) -> None:
    """Four Congresses, a change in each: one list page of meetings, one of committees, one of
    printed hearings per Congress, and the changed meetings; nothing per Congress besides."""
    corpus = with_older_congresses(both_congresses, (116, 117))
    with ReplicaServer(corpus) as replica:
        site = Site(tmp_path, replica)
        assert site.hearings("import", "--congress", "116-119").code == 0
        stamp = stamp_for(datetime.now(UTC))
        for congress in (116, 117, 118, 119):
            body = corpus.meeting(meetings_of(corpus, congress)[0])
            assert body is not None
            body.update(meetingStatus="Canceled", updateDate=stamp)
            corpus.put_meeting(body)
        replica.reset_counters()

        run = update_all(site)

        assert run.code == 0, run.err[-3000:]
        kinds = replica.stats.by_kind
        assert (kinds["meeting_list"], kinds["committee_list"]) == (1, 1), kinds
        assert kinds["meeting_item"] == 4 and kinds["hearing_list"] == 4, kinds
        assert replica.request_count <= 4 + list_pages(replica) + 5
        figures = site.last_metrics()["congresses"]
        assert {c: f["hearings_updated"] for c, f in figures.items()} == dict.fromkeys(
            ("116", "117", "118", "119"), 1
        )


def test_a_jacket_number_two_congresses_share_is_stored_under_each(site: Site) -> None:
    """GPO reuses jacket numbers across Congresses; a printed hearing is stored under its
    Congress and jacket number, so importing the second Congress leaves the first's alone."""
    assert site.hearings("import", "--congress", "119").code == 0
    held = site.query("SELECT * FROM printed_hearings WHERE congress = 119")[0]
    jacket = held["jacket_number"]
    borrowed = copy.deepcopy(site.corpus.printed_hearing(jacket, congress=119))
    assert borrowed is not None
    borrowed.update(congress=118, title="A 118th-Congress hearing under a reused jacket number")
    site.corpus.put_printed_hearing(borrowed)

    run = site.hearings("import", "--congress", "118")

    site.assert_sound(run)
    assert run.code == 0, run.err[-3000:]
    stored = site.query(
        "SELECT * FROM printed_hearings WHERE jacket_number = ? ORDER BY congress", jacket
    )
    assert [row["congress"] for row in stored] == [118, 119]
    assert stored[0]["title"] == borrowed["title"]
    assert stored[1] == held
    assert not [key for key in site.quarantine() if key[0] == "printed_hearing"]
