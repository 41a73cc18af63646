"""A list the API does not serve to its end: an update never ends it early in silence. A page
emptied inside the list, a `pagination.count` the page contradicts, a count one above what the
list holds with the page past its end failing: each run is read against the real replica over
loopback, and what the run did not see is named in one anomaly sentence, left out of the
high-water mark and listed again by the next run, however short its lookback.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hearings.replica.overrides import Status
from hearings.store import schema
from tests.sync.harness import Harness, api_time

MEETINGS = "committee-meeting/119"


def add_meetings(harness: Harness, newest: int, oldest: int) -> tuple[list[str], list[str]]:
    """`newest` meetings updated an hour ago (the update list's first page) and `oldest` updated
    three days ago (after them in the list, which runs newest first). Returns both id lists."""
    template = harness.corpus.meeting(harness.corpus.ids("meeting")[0])
    assert template is not None
    now = datetime.now(UTC)
    made: list[list[str]] = [[], []]
    for index in range(newest + oldest):
        event_id = str(970_000 + index)
        recent = index < newest
        body = copy.deepcopy(template)
        body.pop("hearingTranscript", None)
        body["eventId"] = event_id
        body["updateDate"] = api_time(now - (timedelta(hours=1) if recent else timedelta(days=3)))
        harness.corpus.put_meeting(body)
        made[0 if recent else 1].append(event_id)
    return made[0], made[1]


def stored(harness: Harness, event_ids: list[str]) -> set[str]:
    with harness.engine().connect() as connection:
        return set(
            connection.execute(
                select(schema.hearings.c.event_id).where(schema.hearings.c.event_id.in_(event_ids))
            ).scalars()
        )


def marks(harness: Harness) -> dict[str, Any]:
    state = schema.sync_state
    with harness.engine().connect() as connection:
        rows = connection.execute(
            select(state.c.entity, state.c.high_water_mark).where(state.c.congress == 119)
        ).all()
    return {row.entity: row.high_water_mark for row in rows}


@pytest.mark.imported
def test_an_empty_page_inside_the_list_is_an_anomaly_and_the_next_run_lists_it_again(
    harness: Harness,
) -> None:
    newest, oldest = add_meetings(harness, 250, 50)
    before = marks(harness)
    harness.replica.overrides.set_list_page(MEETINGS, 250, lambda p: {**p, "committeeMeetings": []})

    first = harness.run("update")

    assert first.stages["meetings"].status != "failed"
    assert stored(harness, newest) == set(newest)
    assert stored(harness, oldest) == set()
    [sentence] = first.anomalies
    assert sentence.startswith(f"The list {harness.replica.base_url}/{MEETINGS} could not be")
    # The corpus's newest meeting is in the window too: 301 listed, the last 51 not seen.
    hole = re.search(
        r"pagination\.count is (\d+), but the page at offset 250 was empty, leaving "
        r"(\d+) entries unseen",
        sentence,
    )
    assert hole is not None and int(hole[1]) >= 300 and int(hole[2]) == int(hole[1]) - 250
    assert sentence.endswith("and the next run lists it again.") and "\n" not in sentence
    after = marks(harness)
    # The 50 not seen are older than every meeting applied: a mark moved to those would pass them.
    assert after["meetings"] == before["meetings"]
    assert "meetings.relist" in after

    harness.replica.overrides.clear()
    second = harness.run("update", lookback_days=1)  # a window that alone would miss them

    assert stored(harness, oldest) == set(oldest)
    assert second.anomalies == []
    assert "meetings.relist" not in marks(harness)
    assert marks(harness)["meetings"] > before["meetings"]


@pytest.mark.imported
def test_a_count_of_zero_on_the_first_page_does_not_end_the_list(harness: Harness) -> None:
    newest, oldest = add_meetings(harness, 250, 50)
    harness.replica.overrides.set_list_page(
        MEETINGS, 0, lambda p: {**p, "pagination": {**p["pagination"], "count": 0}}
    )

    metrics = harness.run("update", lookback_days=1)

    # The page's own 250 entries contradict its count; `next` and the second page's count carry
    # the list to its end, which is then checked: nothing to report.
    assert stored(harness, newest + oldest) == set(newest + oldest)
    assert metrics.anomalies == []
    assert "meetings.relist" not in marks(harness)


def count_one_high_and_past_the_end(status: int) -> Any:
    """Every page counts one meeting more than the list holds, and the page past its end
    answers `status`."""

    def page(envelope: dict[str, Any]) -> object:
        if not envelope["committeeMeetings"]:
            return Status(status)
        pagination = envelope["pagination"]
        return {**envelope, "pagination": {**pagination, "count": pagination["count"] + 1}}

    return page


@pytest.mark.imported
@pytest.mark.parametrize("status", [404, 500])
def test_a_page_past_the_end_that_fails_does_not_fail_the_stage(
    harness: Harness, status: int
) -> None:
    newest, oldest = add_meetings(harness, 250, 50)
    harness.replica.overrides.set_list_page(MEETINGS, None, count_one_high_and_past_the_end(status))

    metrics = harness.run("update")

    assert metrics.stages["meetings"].status != "failed"
    assert stored(harness, newest + oldest) == set(newest + oldest)
    # The page the API marked as its last was short, yet the count said one more: the end is
    # not confirmed, so the run says so and the next lists the window again.
    [sentence] = metrics.anomalies
    assert re.search(
        r"the page at offset 30\d failed: Congress\.gov (has no|is unavailable)", sentence
    )
    assert "meetings.relist" in marks(harness)


@pytest.mark.imported
def test_a_page_past_every_counted_entry_that_fails_changes_nothing(harness: Harness) -> None:
    newest, oldest = add_meetings(harness, 250, 50)
    link = f"{harness.replica.base_url}/{MEETINGS}?offset=500&limit=250&format=json"

    def past_the_end(envelope: dict[str, Any]) -> object:
        if not envelope["committeeMeetings"]:
            return Status(500)
        return {**envelope, "pagination": {**envelope["pagination"], "next": link}}

    # `next` on the last page points past the end, and the page there fails.
    harness.replica.overrides.set_list_page(MEETINGS, None, past_the_end)

    metrics = harness.run("update")

    # Every counted entry arrived before `next` pointed past them: the failure loses nothing.
    assert metrics.stages["meetings"].status != "failed"
    assert stored(harness, newest + oldest) == set(newest + oldest)
    assert metrics.anomalies == []
    assert "meetings.relist" not in marks(harness)


@pytest.mark.imported
def test_a_reference_list_read_short_keeps_its_mark(harness: Harness) -> None:
    before = marks(harness)
    # The API counts five printed hearings changed in the window, and serves none of them.
    harness.replica.overrides.set_list_page(
        "hearing/119", 0, lambda p: {**p, "hearings": [], "pagination": {"count": 5}}
    )

    metrics = harness.run("update")

    [sentence] = metrics.anomalies
    assert f"{harness.replica.base_url}/hearing/119 could not be read to its end" in sentence
    after = marks(harness)
    assert after.get("printed_hearings") == before.get("printed_hearings")
    assert "printed_hearings.relist" in after
