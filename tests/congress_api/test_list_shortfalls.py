"""A list is read to its end, or says it was not: whatever `pagination` the API sends (a count of
0, a string, none, one off, a billion; `next` missing or pointing past the end), whatever page
comes back empty or short, and whatever page past the end fails, the client either yields every
entry of the list, or yields what it read followed by a `ListShortfall` naming why, or raises one
API error. Read over loopback from the replica, whose list pages are overridden per offset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hearings.congress_api.client import CongressClient
from hearings.congress_api.errors import ApiError
from hearings.congress_api.paging import ListShortfall
from hearings.replica import Corpus, ReplicaServer
from hearings.replica.overrides import Status

MEETINGS = "committee-meeting/119"
TOTAL = 600  # pages at offsets 0, 250 and 500; 600 and 750 are past the end

Envelope = dict[str, Any]


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with ReplicaServer(Corpus.load().scaled(TOTAL)) as server:
        yield server


def read(replica: ReplicaServer) -> tuple[list[str], ListShortfall | None]:
    with CongressClient(replica.base_url, "replica-key", max_retries=0) as client:
        entries = list(client.list_meetings(119))
    shortfalls = [e for e in entries if isinstance(e, ListShortfall)]
    assert shortfalls in ([], entries[-1:])  # at most one, and after every entry
    return [e["eventId"] for e in entries if isinstance(e, dict)], next(iter(shortfalls), None)


def every_id(replica: ReplicaServer) -> set[str]:
    return set(replica.corpus.ids("meeting"))


def with_pagination(**changes: object) -> Callable[[Envelope], Envelope]:
    def page(envelope: Envelope) -> Envelope:
        pagination = {**envelope["pagination"], **changes}
        return {**envelope, "pagination": {k: v for k, v in pagination.items() if v is not None}}

    return page


# ---- the cases a probe found -----------------------------------------------------------------


@pytest.mark.parametrize("count", [0, "600", None], ids=["zero", "text", "missing"])
def test_a_first_page_with_a_count_it_contradicts_or_lacks_does_not_end_the_list(
    replica: ReplicaServer, count: object
) -> None:
    replica.overrides.clear()
    replica.overrides.set_list_page(MEETINGS, 0, with_pagination(count=count))
    ids, shortfall = read(replica)
    assert set(ids) == every_id(replica) and len(ids) == TOTAL
    assert shortfall is None  # the later pages' count checks the end


def test_a_list_with_no_usable_count_anywhere_is_read_on_and_says_its_end_is_unchecked(
    replica: ReplicaServer,
) -> None:
    replica.overrides.clear()
    replica.overrides.set_list_page(MEETINGS, None, with_pagination(count="many"))
    ids, shortfall = read(replica)
    assert set(ids) == every_id(replica)
    assert shortfall is not None
    assert shortfall.reason == "no page gave a usable pagination.count to check its end against"


def test_an_empty_page_inside_the_list_is_read_past_and_named(replica: ReplicaServer) -> None:
    replica.overrides.clear()
    replica.overrides.set_list_page(MEETINGS, 250, lambda p: {**p, "committeeMeetings": []})
    ids, shortfall = read(replica)
    assert len(ids) == 350  # the pages before and after the hole
    assert shortfall is not None and shortfall.url.endswith(f"/v3/{MEETINGS}")
    assert shortfall.reason == (
        "pagination.count is 600, but the page at offset 250 was empty, leaving 350 entries unseen"
    )


@pytest.mark.parametrize("status", [404, 500])
def test_a_page_past_every_counted_entry_that_fails_ends_the_list_whole(
    replica: ReplicaServer, status: int
) -> None:
    replica.overrides.clear()
    link = f"{replica.base_url}/{MEETINGS}?offset=600&limit=250&format=json"
    replica.overrides.set_list_page(MEETINGS, 500, with_pagination(next=link))
    replica.overrides.set_list_page(MEETINGS, 600, Status(status))
    ids, shortfall = read(replica)
    assert len(set(ids)) == TOTAL and shortfall is None


# ---- whatever the API sends ------------------------------------------------------------------

counts = st.sampled_from([0, 1, 599, 600, 601, 10**9, "600", "many", None, True, -1])
nexts = st.sampled_from(["keep", "drop", "add"])
shapes = st.sampled_from(["whole", "empty", "short"])
past_the_end = st.sampled_from([200, 404, 500])


def page_override(count: object, link: str, shape: str, base: str) -> Callable[[Envelope], Any]:
    def page(envelope: Envelope) -> Envelope:
        entries = envelope["committeeMeetings"]
        if shape == "empty":
            entries = []
        elif shape == "short":
            entries = entries[:-1]
        pagination = dict(envelope["pagination"])
        pagination.pop("count")
        if count is not None:
            pagination["count"] = count
        if link == "drop":
            pagination.pop("next", None)
        elif link == "add":
            pagination["next"] = f"{base}/{MEETINGS}?offset=999&limit=250&format=json"
        return {**envelope, "committeeMeetings": entries, "pagination": pagination}

    return page


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pages=st.lists(st.tuples(counts, nexts, shapes), min_size=3, max_size=3),
    beyond=st.tuples(past_the_end, past_the_end),
)
def test_a_list_ends_early_only_with_a_sentence_saying_so(
    replica: ReplicaServer,
    pages: list[tuple[object, str, str]],
    beyond: tuple[int, int],
) -> None:
    # Two answers no client can tell from a shorter list, for the API says so every way it can:
    # a first page that is empty, counts 0 and has no `next` (an empty list, as on a day without
    # changes), and a last page that holds one entry fewer while a page counts exactly that many.
    assume(pages[0] != (0, "drop", "empty"))
    assume(pages[2][2] != "short" or all(count != TOTAL - 1 for count, _, _ in pages))
    replica.overrides.clear()
    for offset, (count, link, shape) in zip((0, 250, 500), pages, strict=True):
        replica.overrides.set_list_page(
            MEETINGS, offset, page_override(count, link, shape, replica.base_url)
        )
    for offset, status in zip((600, 750), beyond, strict=True):
        if status != 200:
            replica.overrides.set_list_page(MEETINGS, offset, Status(status))
    try:
        ids, shortfall = read(replica)
    except ApiError as failure:  # the stage fails, saying why in one sentence
        assert "\n" not in str(failure)
        return
    if shortfall is None:
        assert set(ids) == every_id(replica), "a list ended early without saying so"
    else:
        assert shortfall.reason and "\n" not in shortfall.reason
