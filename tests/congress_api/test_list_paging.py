"""Paging a list the API does not page: when every answer is the first page (the API ignoring
`offset`), the client stops at the second page with one sentence, rather than paging to
`pagination.count` (or, with no count, forever) through copies of the first page while the
entries past it are silently missed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

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
