"""CongressClient against the replica over real loopback HTTP (and, for exact error bodies, an
httpx MockTransport): retries, give-up messages, key handling, paging, limits."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from hearings.config import Settings
from hearings.congress_api import (
    ApiError,
    ApiKeyMissing,
    ApiKeyRejected,
    ApiUnavailable,
    CongressClient,
    MalformedPayload,
    NotFound,
    RateLimited,
)
from hearings.congress_api.client import format_api_datetime, redact_url
from hearings.congress_api.limiter import Limiter
from hearings.congress_api.models import Meeting, parse_api_datetime, parse_record
from hearings.congress_api.paging import ListShortfall
from hearings.replica import Corpus, ReplicaServer
from hearings.sync.fetching import fetch_in_order

ERRORS = Path(__file__).resolve().parents[1] / "samples" / "errors"
FAST = {"backoff_base": 0.001, "backoff_max": 0.01, "timeout": 5.0}


class FakeClock:
    """A clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


class RecordingTransport(httpx.BaseTransport):
    """Real HTTP, but remembers every request and poisons `pagination.next` in the answers, so a
    client that followed `next` would go somewhere that does not exist."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = self.inner.handle_request(request)
        response.read()
        body = response.content
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and "next" in parsed.get("pagination", {}):
            parsed["pagination"]["next"] = "http://127.0.0.1:9/poisoned?offset=0"
            body = json.dumps(parsed).encode()
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(response.status_code, headers=headers, content=body)

    def close(self) -> None:
        self.inner.close()

    def offsets(self) -> list[int]:
        return [int(parse_qs(r.url.query.decode())["offset"][0]) for r in self.requests]


def client_for(replica: ReplicaServer, **options: object) -> CongressClient:
    settings = {**FAST, **options}
    return CongressClient(replica.base_url, "replica-key", **settings)  # type: ignore[arg-type]


def mock_client(handler: object, key: str | None = "mock-key", **options: object) -> CongressClient:
    transport = httpx.MockTransport(handler)  # type: ignore[arg-type]
    settings = {**FAST, "max_retries": 0, **options}
    return CongressClient("https://api.test/v3", key, transport=transport, **settings)  # type: ignore[arg-type]


# ---- the key ---------------------------------------------------------------------------------


def test_a_missing_key_fails_at_the_first_request_with_one_helpful_sentence(
    replica: ReplicaServer,
) -> None:
    client = CongressClient(replica.base_url, None)  # constructing needs no key
    with client, pytest.raises(ApiKeyMissing) as caught:
        next(client.list_meetings(119, "house"))
    message = str(caught.value)
    assert "https://api.congress.gov/sign-up/" in message and "DEMO_KEY" in message
    assert message.count(". ") == 0 and message.endswith(".")
    assert replica.request_count == 0


def test_the_key_travels_only_in_the_header_with_format_json() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"member": {"bioguideId": "A000055"}})

    with mock_client(handler, key="k-123") as client:
        client.get_member("a000055")
        client.get_json("member/A000055", {"api_key": "k-123", "limit": 1})
    for request in seen:
        assert request.headers["X-Api-Key"] == "k-123"
        assert "k-123" not in str(request.url)
        assert request.url.params["format"] == "json"
    assert seen[0].url.path == "/v3/member/A000055"


def test_the_key_never_appears_in_logs_or_errors(
    replica: ReplicaServer, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "SeCrEt-KeY-0042"
    caplog.set_level(logging.DEBUG)  # httpx and httpcore log every request at DEBUG/INFO
    messages: list[str] = []
    client = CongressClient(replica.base_url, secret, max_retries=1, **FAST)  # type: ignore[arg-type]
    with client:
        client.get_meeting(119, "house", "117214")
        for kind in ("500", "429", "truncated"):
            replica.faults.fail_next(2, kind)
            with pytest.raises(ApiError) as caught:
                client.get_member("A000055")
            messages += [str(caught.value), repr(caught.value), str(caught.value.url)]
        with pytest.raises(NotFound) as missing:
            client.get_member("Z999999")
        messages += [str(missing.value), str(missing.value.url), repr(client)]
    strict = ReplicaServer(replica.corpus, api_keys={"other"})
    rejected = CongressClient(strict.start(), secret, **FAST)  # type: ignore[arg-type]
    with strict, rejected, pytest.raises(ApiKeyRejected) as refused:
        rejected.get_member("A000055")
    messages.append(str(refused.value))
    assert "retrying" in caplog.text  # the retries were logged...
    assert secret not in caplog.text  # ...without the key
    for text in messages:
        assert secret not in text
    assert replica.base_url in messages[0]


def test_redaction_strips_api_key_parameters_and_the_key_itself() -> None:
    url = "https://api.congress.gov/v3/bill?api_key=abc123&format=json&API_KEY=abc123"
    assert redact_url(url, "abc123") == "https://api.congress.gov/v3/bill?format=json"
    assert redact_url("https://x/v3/abc123/y", "abc123") == "https://x/v3/***/y"


# ---- error bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "error", "words"),
    [
        ("403-api-key-invalid.json", ApiKeyRejected, "API key was rejected"),
        ("403-api-key-missing.json", ApiKeyMissing, "sign-up"),
        ("404-unknown-resource.json", NotFound, "Unknown resource: bill/6/cen_doc_h/73/actions"),
        ("429-over-rate-limit.json", RateLimited, "429"),
        ("500-application-error.json", ApiUnavailable, "HTTP 500"),
    ],
)
def test_every_real_error_body_maps_to_a_clear_exception(
    sample: str, error: type[ApiError], words: str
) -> None:
    status = int(sample[:3])
    body = (ERRORS / sample).read_bytes()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"Retry-After": "0"})

    with mock_client(handler) as client, pytest.raises(error) as caught:
        client.get_meeting(118, "house", "115520")
    assert type(caught.value) is error
    assert words in str(caught.value)
    assert caught.value.url == "https://api.test/v3/committee-meeting/118/house/115520?format=json"
    assert client.request_count == 1  # max_retries=0: one attempt only


def test_the_application_error_text_is_kept_for_a_500() -> None:
    body = (ERRORS / "500-application-error.json").read_bytes()
    client = mock_client(lambda request: httpx.Response(500, content=body))
    with client, pytest.raises(ApiUnavailable, match="after 1 attempt"):
        client.get_meeting(118, "house", "115520")


def test_other_client_errors_are_api_errors_without_retry() -> None:
    client = mock_client(
        lambda request: httpx.Response(400, json={"error": "Invalid limit"}), max_retries=3
    )
    with client, pytest.raises(ApiError, match="HTTP 400.*Invalid limit") as caught:
        client.get_member("A000055")
    assert caught.value.status == 400 and client.request_count == 1


def test_an_xml_answer_is_a_malformed_payload() -> None:
    xml = b'<?xml version="1.0"?><api-root/>'
    client = mock_client(lambda request: httpx.Response(200, content=xml), max_retries=1)
    with client, pytest.raises(MalformedPayload, match="after 2 attempts"):
        client.get_member("A000055")


def test_a_body_behind_a_byte_order_mark_is_read(replica: ReplicaServer) -> None:
    # It was "a truncated or invalid JSON body": retried, then quarantined, though valid JSON.
    record = replica.corpus.member("A000055")
    replica.overrides.set_item_body(
        "member", "A000055", b"\xef\xbb\xbf" + json.dumps({"member": record}).encode()
    )
    with client_for(replica, max_retries=0) as client:
        assert client.get_member("A000055") == record


def test_a_403_from_the_replica_without_a_known_key(replica_corpus: Corpus) -> None:
    with (
        ReplicaServer(replica_corpus, api_keys={"good"}) as server,
        client_for(server) as client,
        pytest.raises(ApiKeyRejected),
    ):
        client.get_member("A000055")


# ---- retries over real HTTP --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["500", "503", "429", "truncated", "disconnect"])
def test_transient_failures_are_retried(replica: ReplicaServer, kind: str) -> None:
    replica.faults.fail_next(2, kind)  # type: ignore[arg-type]
    with client_for(replica, max_retries=3) as client:
        meeting = client.get_meeting(119, "House", "117214")
    assert meeting["eventId"] == "117214"
    assert client.request_count == sum(client.requests_by_status.values()) == 3
    assert replica.request_count == 3


# The client's timeout must let every answer but the stalled one in: 0.25 s fails an ordinary
# answer a loaded machine serves late (a second timeout, or a 429 read as a timeout). The stall
# is well past the timeout.


def test_a_timeout_is_retried(replica: ReplicaServer) -> None:
    replica.faults.timeout_seconds = 3.0
    replica.faults.fail_next(1, "timeout")
    with client_for(replica, timeout=1.0, max_retries=2) as client:
        assert client.get_member("A000055")["bioguideId"] == "A000055"
    assert client.requests_by_status == {"timeout": 1, "200": 1}
    assert client.request_count == 2


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("500", ApiUnavailable),
        ("429", RateLimited),
        ("truncated", MalformedPayload),
        ("timeout", ApiUnavailable),
        ("disconnect", ApiUnavailable),
    ],
)
def test_after_max_retries_the_error_names_the_url(
    replica: ReplicaServer, kind: str, error: type[ApiError]
) -> None:
    replica.faults.timeout_seconds = 3.0
    replica.faults.fail_next(3, kind)  # type: ignore[arg-type]
    client = client_for(replica, max_retries=2, timeout=1.0)
    with client, pytest.raises(error) as caught:
        client.get_meeting(119, "house", "117214")
    url = f"{replica.base_url}/committee-meeting/119/house/117214?format=json"
    assert url in str(caught.value)
    assert "after 3 attempts" in str(caught.value)
    assert caught.value.url == url
    assert client.request_count == 3


def test_retry_after_is_honoured(replica: ReplicaServer) -> None:
    clock = FakeClock()
    replica.faults.retry_after = 7
    replica.faults.fail_next(1, "429")
    limiter = Limiter(5000, 2, clock=clock, sleep=clock.sleep)
    with client_for(replica, limiter=limiter, sleep=clock.sleep) as client:
        client.get_member("A000055")
    (slept,) = clock.sleeps
    assert 7.0 <= slept <= 7.0 * 1.25  # never sooner than asked; jitter spreads the threads


def test_429s_back_off_beyond_retry_after_each_time(replica: ReplicaServer) -> None:
    clock = FakeClock()
    replica.faults.retry_after = 1
    replica.faults.fail_next(5, "429")
    limiter = Limiter(5000, 2, clock=clock, sleep=clock.sleep)
    with client_for(
        replica, limiter=limiter, sleep=clock.sleep, max_retries=5, backoff_max=30.0
    ) as client:
        client.get_member("A000055")
    waits = clock.sleeps
    assert len(waits) == 5
    for attempt, wait in enumerate(waits):
        floor = max(1.0, 2.0**attempt)
        assert floor <= wait <= floor * 1.25
    # Five retries span a burst window many times longer than its Retry-After.
    assert sum(waits) >= 31.0


def test_backoff_grows_exponentially_with_jitter(replica: ReplicaServer) -> None:
    clock = FakeClock()
    replica.faults.fail_next(4, "500")
    with client_for(
        replica, max_retries=4, backoff_base=1.0, backoff_max=5.0, sleep=clock.sleep
    ) as c:
        c.get_member("A000055")
    first, second, third, fourth = clock.sleeps
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 2.0 and 2.0 <= third <= 4.0
    assert 2.5 <= fourth <= 5.0  # capped at backoff_max before jitter


def test_not_found_is_not_retried(replica: ReplicaServer) -> None:
    with client_for(replica) as client, pytest.raises(NotFound):
        client.get_meeting(119, "house", "999999")
    assert client.request_count == 1


# ---- the limiter -----------------------------------------------------------------------------


def test_concurrency_is_never_exceeded_at_the_server(replica: ReplicaServer) -> None:
    replica.faults.latency_ms = 20
    ids = replica.corpus.ids("meeting")[:30]
    with client_for(replica, concurrency=3) as client:

        def fetch(event_id: str) -> dict[str, object]:
            record = replica.corpus.record("meeting", event_id)
            assert record is not None
            return client.get_meeting(119, record.chamber, event_id)

        results = list(fetch_in_order(fetch, ids, concurrency=8))  # more threads than slots
    assert sorted(item for item, _ in results) == sorted(ids)
    assert all(isinstance(result, dict) for _, result in results)
    assert replica.request_count == 30
    assert replica.stats.max_in_flight <= 3
    assert client.limiter.max_in_flight <= 3


def test_the_hourly_budget_is_respected(replica: ReplicaServer) -> None:
    clock = FakeClock()
    limiter = Limiter(rate_limit_per_hour=5, concurrency=2, clock=clock, sleep=clock.sleep)
    stamps: list[float] = []
    with client_for(replica, limiter=limiter) as client:
        for _ in range(12):
            client.get_member("A000055")
            stamps.append(clock())
    assert replica.request_count == 12
    for start in stamps:
        assert sum(1 for s in stamps if start <= s < start + 3600) <= 5
    assert stamps[:5] == [0.0] * 5  # an initial burst is allowed
    assert stamps[-1] >= 2 * 3600


def test_retries_spend_the_budget_too(replica: ReplicaServer) -> None:
    clock = FakeClock()
    limiter = Limiter(rate_limit_per_hour=100, concurrency=2, clock=clock, sleep=clock.sleep)
    replica.faults.fail_next(2, "500")
    with client_for(replica, limiter=limiter) as client:
        client.get_member("A000055")
    assert limiter.used_in_window() == 3


def test_limiter_slots_hold_threads_back() -> None:
    limiter = Limiter(rate_limit_per_hour=10_000, concurrency=3)
    active = 0
    peak = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal active, peak
        for _ in range(5):
            with limiter.slot():
                with lock:
                    active += 1
                    peak = max(peak, active)
                time.sleep(0.002)
                with lock:
                    active -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak <= 3 and limiter.used_in_window() == 40


def test_a_429_holds_every_thread() -> None:
    clock = FakeClock()
    limiter = Limiter(rate_limit_per_hour=100, concurrency=4, clock=clock, sleep=clock.sleep)
    limiter.hold(30)
    with limiter.slot():
        pass
    assert clock.now >= 30


# ---- paging ----------------------------------------------------------------------------------


@pytest.fixture
def big_replica(packaged_corpus: Corpus) -> Iterator[ReplicaServer]:
    with ReplicaServer(packaged_corpus.scaled(600)) as server:
        yield server


def test_paging_computes_offsets_and_never_follows_next(big_replica: ReplicaServer) -> None:
    transport = RecordingTransport()
    with client_for(big_replica, transport=transport) as client:
        meetings = list(client.list_meetings(119))
    assert len(meetings) == len({m["eventId"] for m in meetings}) == 600
    assert transport.offsets() == [0, 250, 500]
    assert all(r.url.params["limit"] == "250" for r in transport.requests)
    assert all(
        r.url.host == "127.0.0.1" and r.url.port == urlsplit(big_replica.base_url).port
        for r in transport.requests
    )
    assert client.last_list_count("committee-meeting/119") == 600


def test_paging_stops_at_count_without_an_extra_empty_page(packaged_corpus: Corpus) -> None:
    with ReplicaServer(packaged_corpus.scaled(500)) as server:
        with client_for(server) as client:
            assert len(list(client.list_meetings(119))) == 500
        assert server.stats.by_kind["meeting_list"] == 2


def test_paging_stops_at_a_second_empty_page_when_count_overstates_and_says_so() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        page = [{"eventId": str(i)} for i in range(offset, offset + 250)] if offset == 0 else []
        return httpx.Response(200, json={"committeeMeetings": page, "pagination": {"count": 9999}})

    with mock_client(handler) as client:
        *meetings, shortfall = client.list_meetings(119, "house")
    assert len(meetings) == 250
    assert isinstance(shortfall, ListShortfall)
    assert shortfall.reason.startswith(
        "pagination.count is 9,999, but the page at offset 250 was empty, leaving 9,749 entries"
    )
    assert client.request_count == 3  # one page past the hole, then no more


def test_paging_reports_a_body_without_the_list() -> None:
    client = mock_client(lambda request: httpx.Response(200, json={"oops": []}))
    with client, pytest.raises(MalformedPayload, match="committeeMeetings"):
        list(client.list_meetings(119, "house"))


def test_the_update_window_is_sent_in_utc_and_filters(replica: ReplicaServer) -> None:
    eastern = timezone(timedelta(hours=-4))
    since = datetime(2025, 10, 1, 15, 0, tzinfo=eastern)  # 19:00Z
    transport = RecordingTransport()
    with client_for(replica, transport=transport) as client:
        recent = list(client.list_meetings(119, since=since))
        total = client.count_list("committee-meeting/119")
    assert transport.requests[0].url.params["fromDateTime"] == "2025-10-01T19:00:00Z"
    assert 0 < len(recent) < total == 150
    for summary in recent:
        moment = parse_api_datetime(summary["updateDate"])
        assert moment is not None and moment >= since


def test_datetimes_are_formatted_for_the_api() -> None:
    assert format_api_datetime(datetime(2025, 1, 2, 3, 4, 5)) == "2025-01-02T03:04:05Z"
    assert format_api_datetime(date(2025, 1, 2)) == "2025-01-02T00:00:00Z"
    aware = datetime(2025, 1, 2, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert format_api_datetime(aware) == "2025-01-03T04:00:00Z"
    assert format_api_datetime(datetime(2025, 1, 2, tzinfo=UTC)) == "2025-01-02T00:00:00Z"


def test_count_list_asks_for_one_entry(replica: ReplicaServer) -> None:
    transport = RecordingTransport()
    with client_for(replica, transport=transport) as client:
        assert client.count_list("member/congress/119") == 538
        assert client.count_list("committee-meeting/119/house") == 80
        assert client.last_list_count("member/congress/119") == 538
    assert [r.url.params["limit"] for r in transport.requests] == ["1", "1"]


# ---- endpoint helpers ------------------------------------------------------------------------


def test_endpoint_helpers_return_raw_records(replica_client: CongressClient) -> None:
    summaries = list(replica_client.list_meetings(119, "HOUSE"))
    assert len(summaries) == 80 and {s["chamber"] for s in summaries} == {"House"}
    meeting = replica_client.get_meeting(119, "House", summaries[0]["eventId"])
    assert parse_record(Meeting, meeting, entity="meeting").event_id == summaries[0]["eventId"]

    hearings = list(replica_client.list_printed_hearings(119))
    assert len(hearings) == 11
    hearing = replica_client.get_printed_hearing(119, "house", hearings[0]["jacketNumber"])
    assert hearing["jacketNumber"] == hearings[0]["jacketNumber"]

    committees = list(replica_client.list_committees(119, "senate"))
    assert committees and {c["chamber"] for c in committees} == {"Senate"}
    committee = replica_client.get_committee("House", "HSAG00")
    assert committee["chamber"] == "House" and committee["systemCode"] == "hsag00"

    members = list(replica_client.list_members(119))
    assert len(members) == 538
    assert replica_client.get_member("a000055")["bioguideId"] == "A000055"


def test_from_settings(replica: ReplicaServer) -> None:
    settings = Settings(
        congress_api_key="from-settings",
        congress_api_base_url=replica.base_url,
        api_concurrency=3,
        api_rate_limit_per_hour=1234,
        api_max_retries=1,
        _env_file=None,
    )
    with CongressClient.from_settings(settings, backoff_base=0.001) as client:
        assert (client.concurrency, client.max_retries) == (3, 1)
        assert client.limiter.rate_limit_per_hour == 1234
        replica.faults.fail_next(2, "500")
        with pytest.raises(ApiUnavailable, match="after 2 attempts"):
            client.get_member("A000055")
