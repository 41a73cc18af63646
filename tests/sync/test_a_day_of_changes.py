"""A real-looking day upstream: 40 meetings updated, 15 added (one under a subcommittee the
database has never seen) and 3 malformed records, one in a list entry and two in items.

One `hearings update` applies every good change exactly: its exports equal those of a fresh
import of the same day without the malformed records. It exits 3 with the three malformed records
quarantined and their stored rows untouched, and the next run retries them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hearings.replica import Corpus, ReplicaServer
from tests.sync.site import Site, copy_database, stamp_for

NEW_SUBCOMMITTEE = "hsap77"
PARENT = "hsap00"
ADDED = [str(990_001 + i) for i in range(15)]
EXPORTS = ("hearings", "appearances", "witnesses", "committees")


@dataclass
class Malformed:
    """The day's malformed records."""

    typo_in_entry: str  # an updated meeting whose list entry says chamber "Hosue"
    bad_date_in_item: str  # a new meeting whose item has a date nobody can read
    wrong_record_in_item: str  # an updated meeting whose item carries another meeting's eventId
    impostor: str  # the meeting whose eventId that item carries


def meetings_with_titles(corpus: Corpus) -> list[str]:
    return sorted(i for i in corpus.ids("meeting") if (corpus.meeting(i) or {}).get("title"))


def good_changes(corpus: Corpus, stamp: str) -> tuple[list[str], list[str]]:
    """40 meetings edited in the ways upstream edits them, 15 new ones, one new subcommittee."""
    chosen = meetings_with_titles(corpus)[:40]
    for index, event_id in enumerate(chosen):
        body = corpus.meeting(event_id)
        assert body is not None
        match index % 5:
            case 0:
                body["meetingStatus"] = "Canceled"
            case 1:
                body["title"] = f"{body['title']} (revised)"
            case 2:
                body["location"] = {"building": "Rayburn House Office Building", "room": "B-369"}
            case 3:
                body["witnesses"] = [
                    *body.get("witnesses", []),
                    {"name": "Dr. Ada Quill", "organization": "Institute of Tests", "position": ""},
                ]
            case _:
                body["date"] = "2025-12-09T15:00:00Z"
        body["updateDate"] = stamp
        corpus.put_meeting(body)

    corpus.put_committee(
        {
            "history": [
                {
                    "committeeTypeCode": "Subcommittee",
                    "libraryOfCongressName": "Test Readiness Subcommittee",
                    "officialName": "Test Readiness Subcommittee",
                    "startDate": stamp,
                    "updateDate": stamp,
                }
            ],
            "isCurrent": True,
            "parent": {
                "name": "Appropriations Committee",
                "systemCode": PARENT,
                "url": f"https://api.congress.gov/v3/committee/house/{PARENT}?format=json",
            },
            "systemCode": NEW_SUBCOMMITTEE,
            "type": "Subcommittee",
            "updateDate": stamp,
        },
        chamber="house",
        congresses=[119],
    )
    templates = [corpus.meeting(i) for i in meetings_with_titles(corpus)[40:55]]
    for index, (event_id, template) in enumerate(zip(ADDED, templates, strict=True)):
        assert template is not None
        body = copy.deepcopy(template)
        body.pop("hearingTranscript", None)
        body.update(eventId=event_id, title=f"New hearing number {index + 1}", updateDate=stamp)
        if index == 0:
            body["chamber"] = "House"
            body["committees"] = [
                {
                    "name": "Test Readiness Subcommittee",
                    "systemCode": NEW_SUBCOMMITTEE,
                    "url": f"https://api.congress.gov/v3/committee/house/{NEW_SUBCOMMITTEE}",
                }
            ]
        corpus.put_meeting(body)
    return chosen, ADDED


def malformed(replica: ReplicaServer, stamp: str) -> Malformed:
    """Three records that must be quarantined, each on a meeting the good changes leave alone."""
    corpus = replica.corpus
    spare = meetings_with_titles(corpus)[60:]
    typo, wrong, impostor = spare[0], spare[1], spare[2]
    for event_id in (typo, wrong):
        body = corpus.meeting(event_id)
        assert body is not None
        body.update(title=f"{body['title']} (revised)", updateDate=stamp)
        corpus.put_meeting(body)
    replica.overrides.set_list_entry("meeting", typo, lambda e: {**e, "chamber": "Hosue"})
    replica.overrides.set_item("meeting", wrong, lambda m: {**m, "eventId": impostor})

    bad_date = "990101"
    template = corpus.meeting(spare[3])
    assert template is not None
    body = copy.deepcopy(template)
    body.pop("hearingTranscript", None)
    body.update(eventId=bad_date, title="A hearing on a day nobody knows", updateDate=stamp)
    corpus.put_meeting(body)
    replica.overrides.set_item("meeting", bad_date, lambda m: {**m, "date": "the 32nd of May"})
    return Malformed(typo, bad_date, wrong, impostor)


@pytest.fixture
def site(imported_119: Path, tmp_path: Path) -> Iterator[Site]:
    copy_database(imported_119, tmp_path / "hearings.db")
    with ReplicaServer(Corpus.load()) as replica:
        yield Site(tmp_path, replica)


def exports(site: Site) -> dict[str, str]:
    found = {}
    for entity in EXPORTS:
        run = site.hearings("export", entity, "--output", str(site.folder / f"{entity}.jsonl"))
        assert run.code == 0, run.err
        found[entity] = (site.folder / f"{entity}.jsonl").read_text()
    return found


def fresh_import_of(corpus: Corpus, folder: Path) -> dict[str, str]:
    """The exports of a new database imported from `corpus`."""
    folder.mkdir()
    with ReplicaServer(corpus) as replica:
        reference = Site(folder, replica)
        run = reference.hearings("import", "--congress", "119")
        assert run.code == 0, run.err
        return exports(reference)


def test_one_update_applies_every_good_change_and_quarantines_the_rest(
    site: Site, tmp_path: Path
) -> None:
    stamp = stamp_for(datetime.now(UTC))
    good_changes(site.corpus, stamp)
    expected = fresh_import_of(site.corpus.copy(), tmp_path / "reference")
    day = malformed(site.replica, stamp)
    untouched = {
        e: site.stored("meeting", e)
        for e in (day.typo_in_entry, day.wrong_record_in_item, day.impostor)
    }

    run = site.update()

    site.assert_sound(run)
    assert run.code == 3, run.err[-3000:]
    metrics = site.last_metrics()
    assert (metrics["hearings_updated"], metrics["hearings_added"]) == (40, 15)
    quarantined = {i for (entity, i) in site.quarantine() if entity == "meeting"}
    assert quarantined == {day.typo_in_entry, day.bad_date_in_item, day.wrong_record_in_item}
    for event_id in (day.typo_in_entry, day.wrong_record_in_item, day.impostor):
        assert site.stored("meeting", event_id) == untouched[event_id], event_id
    assert site.row("meeting", day.bad_date_in_item) is None
    new_committee = site.row("committee", NEW_SUBCOMMITTEE)
    assert new_committee is not None and new_committee["parent_code"] == PARENT
    # The malformed records were left as they were, in both.
    assert exports(site) == expected


def test_the_next_run_retries_the_quarantine(site: Site) -> None:
    stamp = stamp_for(datetime.now(UTC))
    good_changes(site.corpus, stamp)
    day = malformed(site.replica, stamp)
    assert site.update().code == 3

    # Upstream fixes two of the three; the third stays broken.
    site.replica.overrides.clear()
    site.replica.overrides.set_item(
        "meeting", day.bad_date_in_item, lambda m: {**m, "date": "the 32nd of May"}
    )
    run = site.update()

    site.assert_sound(run)
    assert run.code == 3, run.err[-3000:]
    open_items = site.quarantine()
    assert set(open_items) == {("meeting", day.bad_date_in_item)}
    assert open_items[("meeting", day.bad_date_in_item)]["attempts"] >= 2
    for event_id in (day.typo_in_entry, day.wrong_record_in_item):
        row = site.row("meeting", event_id)
        assert row is not None and str(row["title"]).endswith("(revised)"), event_id
