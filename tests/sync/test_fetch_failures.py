"""A record the API keeps failing costs only itself: after the client's retries it is quarantined
at stage `fetch` with its reason, the rest of the stage applies, and the next run retries it. An
API that fails record after record is an outage: the stage fails instead of quarantining them.
Driven through the CLI against the replica."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hearings.replica.faults import FaultKind
from hearings.store import schema
from hearings.sync.fetching import OUTAGE_AFTER
from hearings.sync.runner import EXIT_FAILED, EXIT_OK, EXIT_QUARANTINED
from tests.sync.harness import API_KEY, Harness, api_time, meeting_ids
from tests.sync.mutations import touch


def _postpone(harness: Harness, count: int) -> list[str]:
    """Mark `count` meetings postponed upstream, as an update an hour ago."""
    changed = meeting_ids(harness.corpus)[:count]
    for event_id in changed:
        body = harness.corpus.meeting(event_id)
        assert body is not None
        body.update(
            meetingStatus="Postponed", updateDate=api_time(datetime.now(UTC) - timedelta(hours=1))
        )
        harness.corpus.put_meeting(body)
    return changed


def _open_fetch_failures(harness: Harness) -> dict[str, str]:
    table = schema.import_errors
    with harness.engine().connect() as connection:
        rows = connection.execute(
            select(table.c.identifier, table.c.stage, table.c.reason).where(
                table.c.resolved.is_(False)
            )
        ).all()
    return {row.identifier: row.reason for row in rows if row.stage == "fetch"}


@pytest.mark.imported
def test_a_meeting_the_api_keeps_failing_is_quarantined_and_the_others_apply(
    harness: Harness,
) -> None:
    victim, *others = _postpone(harness, 8)
    # Every attempt at the victim, retries included, answers HTTP 500.
    harness.replica.faults.fail_next(10_000, "500", path=rf"/committee-meeting/119/\w+/{victim}$")

    done = harness.cli("update", "--congress", "119", "--json")

    assert done.returncode == EXIT_QUARANTINED, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    metrics = json.loads(done.stdout)
    assert metrics["stages"]["meetings"]["status"] == "completed"
    assert metrics["hearings_updated"] == len(others)
    assert all(harness.hearing(e).status == "Postponed" for e in others)
    assert harness.hearing(victim).status != "Postponed"
    reason = _open_fetch_failures(harness)[victim]
    assert "HTTP 500" in reason and API_KEY not in reason and "\n" not in reason

    harness.replica.faults.clear()
    again = harness.cli("update", "--congress", "119", "--json")

    assert again.returncode == EXIT_OK, again.stderr[-2000:]
    assert harness.hearing(victim).status == "Postponed"
    assert victim not in _open_fetch_failures(harness)


@pytest.mark.imported
@pytest.mark.parametrize(("kind", "said"), [("301", "redirected to https://"), ("400", "HTTP 400")])
def test_a_meeting_whose_own_path_the_api_refuses_is_quarantined_and_the_others_apply(
    harness: Harness, kind: FaultKind, said: str
) -> None:
    """A 400 or a redirect for one record's path is that record's: it ended the stage, so one
    record the API kept refusing held every meeting of every later update back."""
    victim, *others = _postpone(harness, 8)
    harness.replica.faults.fail_next(10_000, kind, path=rf"/committee-meeting/119/\w+/{victim}$")

    done = harness.cli("update", "--congress", "119", "--json")

    assert done.returncode == EXIT_QUARANTINED, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    metrics = json.loads(done.stdout)
    assert metrics["stages"]["meetings"]["status"] == "completed"
    assert all(harness.hearing(e).status == "Postponed" for e in others)
    reason = _open_fetch_failures(harness)[victim]
    assert said in reason and API_KEY not in reason and "\n" not in reason

    harness.replica.faults.clear()
    again = harness.cli("update", "--congress", "119", "--json")

    assert again.returncode == EXIT_OK, again.stderr[-2000:]
    assert harness.hearing(victim).status == "Postponed"


@pytest.mark.imported
def test_without_batches_a_meeting_the_api_keeps_failing_rolls_the_whole_run_back(
    harness: Harness,
) -> None:
    """`--no-batch` is one all-or-nothing transaction: a record the API would not serve is a
    failure to fetch, not a record the gate refused, so nothing of the run is applied."""
    victim, *others = _postpone(harness, 8)
    harness.replica.faults.fail_next(10_000, "500", path=rf"/committee-meeting/119/\w+/{victim}$")

    done = harness.cli("update", "--congress", "119", "--no-batch", "--json")

    assert done.returncode == EXIT_FAILED, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    metrics = json.loads(done.stdout)
    assert metrics["stages"]["meetings"]["status"] == "failed"
    assert "HTTP 500" in metrics["stages"]["meetings"]["error"]
    assert metrics["hearings_updated"] == 0
    assert not any(harness.hearing(e).status == "Postponed" for e in [victim, *others])
    assert _open_fetch_failures(harness) == {}

    harness.replica.faults.clear()
    again = harness.cli("update", "--congress", "119", "--no-batch", "--json")

    assert again.returncode == EXIT_OK, again.stderr[-2000:]
    assert all(harness.hearing(e).status == "Postponed" for e in [victim, *others])


@pytest.mark.imported
def test_a_printed_hearing_the_api_keeps_failing_costs_only_itself(harness: Harness) -> None:
    victim, other = _retitle_printed_hearings(harness, 2)
    harness.replica.faults.fail_next(10_000, "500", path=rf"/hearing/119/\w+/{victim}$")

    done = harness.cli("update", "--congress", "119", "--json")

    assert done.returncode == EXIT_QUARANTINED, done.stderr[-2000:]
    metrics = json.loads(done.stdout)
    assert metrics["stages"]["printed hearings"]["status"] == "completed"
    # Quarantined under its Congress and jacket number: GPO reuses jacket numbers.
    assert "HTTP 500" in _open_fetch_failures(harness)[f"119/{victim}"]
    titles = _printed_titles(harness)
    assert "(revised)" not in titles.get(victim, "") and "(revised)" in titles[other]


def _retitle_printed_hearings(harness: Harness, count: int) -> list[str]:
    jackets = [j for j in harness.corpus.ids("hearing") if harness.corpus.printed_hearing(j, 119)]
    for jacket in jackets[:count]:
        body = harness.corpus.printed_hearing(jacket, 119)
        assert body is not None
        body.update(
            title=f"{body.get('title')} (revised)",
            updateDate=api_time(datetime.now(UTC) - timedelta(hours=1)),
        )
        harness.corpus.put_printed_hearing(body)
    return jackets[:count]


def _printed_titles(harness: Harness) -> dict[str, str]:
    table = schema.printed_hearings
    with harness.engine().connect() as connection:
        rows = connection.execute(select(table.c.jacket_number, table.c.title)).all()
    return {str(row.jacket_number): str(row.title) for row in rows}


@pytest.mark.imported
def test_an_api_failing_record_after_record_fails_the_stage_rather_than_quarantine_them(
    harness: Harness,
) -> None:
    _postpone(harness, OUTAGE_AFTER + 2)
    harness.replica.faults.fail_next(10_000, "503", path=r"/committee-meeting/119/\w+/\d+$")

    done = harness.cli("update", "--congress", "119", "--json", API_MAX_RETRIES="0")

    assert done.returncode == EXIT_FAILED, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    metrics = json.loads(done.stdout)
    assert metrics["stages"]["meetings"]["status"] == "failed"
    assert "HTTP 503" in metrics["stages"]["meetings"]["error"]
    assert _open_fetch_failures(harness) == {}


@pytest.mark.imported
def test_a_title_holding_a_lone_surrogate_is_served_and_repaired(harness: Harness) -> None:
    """The API can send `\\udcff` (a JSON escape no UTF-8 text can hold): the replica serves it
    as that escape, and the gate stores U+FFFD in its place."""
    (event_id,) = _postpone(harness, 1)
    body = harness.corpus.meeting(event_id)
    assert body is not None
    body["title"] = "Oversight of \udcff the budget"
    harness.corpus.put_meeting(body)

    done = harness.cli("update", "--congress", "119", "--json")

    assert done.returncode == EXIT_OK, done.stderr[-2000:]
    assert harness.hearing(event_id).title == "Oversight of \ufffd the budget"


@pytest.mark.imported
def test_a_committee_the_api_keeps_failing_costs_only_itself(harness: Harness) -> None:
    victim, other = [c for c in sorted(harness.corpus.ids("committee")) if c.startswith("hs")][:2]
    for code in (victim, other):
        touch(harness.corpus, "committee", code, api_time(datetime.now(UTC) - timedelta(hours=1)))
    harness.replica.faults.fail_next(10_000, "500", path=rf"/committee/house/{victim}$")

    done = harness.cli("update", "--congress", "119", "--json")

    assert done.returncode == EXIT_QUARANTINED, done.stderr[-2000:]
    metrics = json.loads(done.stdout)
    assert metrics["stages"]["committees"]["status"] == "completed"
    assert set(_open_fetch_failures(harness)) == {victim}
    committees = schema.committees
    with harness.engine().connect() as connection:
        names = dict(connection.execute(select(committees.c.system_code, committees.c.name)).all())
    assert "(renamed)" in str(names[other]) and "(renamed)" not in str(names[victim])
