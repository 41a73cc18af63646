"""Paging a list: the client pages on to the `pagination.count` of the page it has just read, so
a list that grows while it is paged is followed to its new end with no request more than its
pages; a page that comes back short inside the list (the member list has served 249 entries of
250 mid-list, LibraryOfCongress/api.congress.gov#212 and #365) does not end it. And when every
answer is the first page (the API ignoring `offset`), the client stops at the second page with one
sentence, rather than paging to `pagination.count` (or, with no count, forever) through copies of
the first page while the entries past it are silently missed.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from hearings.congress_api.client import CongressClient
from hearings.congress_api.errors import MalformedPayload
from hearings.replica import Corpus, ReplicaServer


class IgnoredOffset(httpx.BaseTransport):
    """Real HTTP to the replica, as an API that ignores `offset` answers it: every list request
    gets the first page. `count` replaces `pagination.count` in the answers (None drops it)."""

    def __init__(self, count: int | None) -> None:
        self.inner = httpx.HTTPTransport()
        self.count = count
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.requests > 10:  # a client that pages on would go on for hours: fail it now
            return httpx.Response(500, json={"error": "paged on through copies of page one"})
        request.url = request.url.copy_set_param("offset", "0")
        response = self.inner.handle_request(request)
        response.read()
        page = json.loads(response.content)
        page["pagination"].pop("count", None)
        if self.count is not None:
            page["pagination"]["count"] = self.count
        return httpx.Response(response.status_code, json=page)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module")
def big_replica() -> Iterator[ReplicaServer]:
    with ReplicaServer(Corpus.load().scaled(600)) as server:
        yield server


@pytest.mark.parametrize("count", [600, 10**9, None], ids=["true", "huge", "none"])
def test_a_list_that_answers_every_offset_with_its_first_page_stops_with_a_sentence(
    big_replica: ReplicaServer, count: int | None
) -> None:
    transport = IgnoredOffset(count)
    client = CongressClient(big_replica.base_url, "replica-key", transport=transport, max_retries=0)
    with client, pytest.raises(MalformedPayload) as raised:
        list(client.list_meetings(119))
    assert transport.requests == 2
    message = str(raised.value)
    assert "offset 250 with the same entries as offset 0" in message
    assert message.endswith("it is not paging.") and "\n" not in message


# ---- a list that changes while it is paged ---------------------------------------------------


def meetings_updated(corpus: Corpus, when: datetime, count: int) -> list[dict[str, Any]]:
    """`count` new meetings, copies of one in the corpus under fresh event ids, updated `when`."""
    template = corpus.meeting(corpus.ids("meeting")[0])
    assert template is not None
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return [{**template, "eventId": str(900_000 + i), "updateDate": stamp} for i in range(count)]


@pytest.mark.parametrize("end", ["oldest", "newest"])
def test_a_list_that_grows_between_its_pages_is_paged_to_its_new_count(end: str) -> None:
    corpus = Corpus.load().scaled(500)  # two full pages: count 500 on the first
    listed_first = [r.update_date for r in corpus.iter_records("meeting")]
    newest = datetime.strptime(listed_first[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    oldest = datetime.strptime(listed_first[-1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    when = oldest - timedelta(days=1) if end == "oldest" else newest + timedelta(days=1)
    added = meetings_updated(corpus, when, 3)
    originals = set(corpus.ids("meeting"))
    with ReplicaServer(corpus) as replica:
        with CongressClient(replica.base_url, "replica-key", max_retries=0) as client:
            pages = client.list_meetings(119)
            seen = [m["eventId"] for m in itertools.islice(pages, 250)]
            for meeting in added:  # between the first page and the second
                replica.corpus.put_meeting(meeting)
            seen += [m["eventId"] for m in pages]
            assert client.last_list_count("committee-meeting/119") == 503
        assert replica.stats.by_kind["meeting_list"] == 3  # the third page held 3: no fourth
    assert originals <= set(seen) and len(seen) == 503
    # Added at the end, they are on the third page. Added at the front, they push three
    # entries of the first page onto the second, and wait for the next update's window.
    new_ids = {m["eventId"] for m in added}
    assert (new_ids <= set(seen)) == (end == "oldest")


class ShortFirstPage(httpx.BaseTransport):
    """Real HTTP to the replica, as the member list answered in 2024-25: the first page holds
    one entry fewer than asked for, and every later page is whole."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.offsets: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        self.offsets.append(offset)
        response = self.inner.handle_request(request)
        response.read()
        page = json.loads(response.content)
        if offset == 0:
            page["members"] = page["members"][:-1]
        return httpx.Response(response.status_code, json=page)

    def close(self) -> None:
        self.inner.close()


def test_a_short_page_inside_a_list_does_not_end_it() -> None:
    transport = ShortFirstPage()
    corpus = Corpus.load()
    with ReplicaServer(corpus) as replica:
        client = CongressClient(replica.base_url, "replica-key", transport=transport)
        with client:
            members = [m["bioguideId"] for m in client.list_members(119)]
    assert sorted(members) == sorted(corpus.ids("member"))
    assert transport.offsets == [0, 249, 499]  # the next page starts where this one ended
