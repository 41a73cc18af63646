"""`hearings report --congress N` keeps to those Congresses: the summary counts their share of runs
over several Congresses, and suspicious changes of other Congresses' meetings are left out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hearings.replica import BUNDLED_CORPUS_DIR, Corpus, ReplicaServer
from tests.sync.site import Site, stamp_for


@pytest.fixture
def site(tmp_path: Path, database_url: str) -> Iterator[Site]:
    with ReplicaServer(Corpus.load(BUNDLED_CORPUS_DIR)) as replica:
        yield Site(tmp_path, replica, database_url)


def titled_meeting(corpus: Corpus, congress: int) -> dict[str, Any]:
    for event_id in sorted(corpus.ids("meeting")):
        body = corpus.meeting(event_id) or {}
        if body.get("congress") == congress and body.get("title"):
            return body
    raise AssertionError(f"the corpus has no titled meeting of the {congress}th")


def report(site: Site, *args: str) -> dict[str, Any]:
    run = site.hearings("report", "--format", "json", *args)
    assert run.code == 0, run.err
    return dict(json.loads(run.out))


def test_a_report_of_one_congress_counts_only_that_congress(site: Site) -> None:
    assert site.hearings("import", "--congress", "118-119").code == 0
    stamp = stamp_for(datetime.now(UTC))
    edited = titled_meeting(site.corpus, 118)
    edited.update(meetingStatus="Postponed", updateDate=stamp)
    site.corpus.put_meeting(edited)
    degraded = titled_meeting(site.corpus, 119)
    degraded.update(title="Hearing", updateDate=stamp)
    site.corpus.put_meeting(degraded)
    assert site.hearings("update", "--lookback-days", "7").code == 0

    whole = report(site)
    only_118 = report(site, "--congress", "118")
    only_119 = report(site, "--congress", "119")

    ids_118 = {
        r["event_id"] for r in site.query("SELECT event_id FROM hearings WHERE congress = 118")
    }
    meetings_118 = len(ids_118)
    figures = [run["congresses"]["118"] for run in whole["runs"]]
    summary = only_118["summary"]
    assert summary["hearings_added"] == meetings_118 == 10
    assert summary["hearings_checked"] == sum(f["hearings_checked"] for f in figures)
    assert summary["hearings_updated"] == sum(f["hearings_updated"] for f in figures) == 1
    assert (
        summary["hearings_added"] + only_119["summary"]["hearings_added"]
        == (whole["summary"]["hearings_added"])
    )
    assert {s["event_id"] for s in whole["suspicious_changes"]} == {degraded["eventId"]}
    assert only_118["suspicious_changes"] == [] and summary["suspicious_changes"] == 0
    assert [s["event_id"] for s in only_119["suspicious_changes"]] == [degraded["eventId"]]
    assert {h["event_id"] for h in only_118["changed_hearings"]} == ids_118


def test_a_single_congress_run_counts_only_when_its_congress_is_selected(site: Site) -> None:
    assert site.hearings("import", "--congress", "118").code == 0

    assert report(site, "--congress", "118")["summary"]["hearings_added"] == 10
    absent = report(site, "--congress", "119")
    assert absent["summary"]["hearings_added"] == 0 and absent["runs"] == []
