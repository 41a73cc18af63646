"""A real HTTP server on loopback that answers like the Congress.gov API v3, from a `Corpus`.

Stdlib only (`ThreadingHTTPServer` on a background thread): it starts in milliseconds, so tests
can start one per test. `Faults` injects latency, errors, truncated bodies, timeouts and a rate
limit while it runs; `RequestStats` counts what it served.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qs, urlencode, urlsplit

from hearings.congress_api.models import parse_api_datetime
from hearings.replica.corpus import DEFAULT_CORPUS_DIR, ITEM_KEY, LIST_KEY, Corpus, Kind
from hearings.replica.overrides import Overrides, encode

log = logging.getLogger(__name__)

FaultKind = Literal["500", "503", "429", "truncated", "timeout", "disconnect"]
FAULT_KINDS: tuple[str, ...] = ("500", "503", "429", "truncated", "timeout", "disconnect")
# What `fault_rate` draws from: the failures the real API has been seen to produce.
RANDOM_FAULTS: tuple[FaultKind, ...] = ("500", "429", "truncated")

DEFAULT_LIMIT = 20
MAX_LIMIT = 250
REAL_HOURLY_LIMIT = 5000
CHAMBERS = ("house", "senate", "joint", "nochamber")

# Error bodies exactly as api.data.gov (the gateway in front of Congress.gov) writes them.
KEY_MISSING_BODY = b"""{
  "error": {
    "code": "API_KEY_MISSING",
    "message": "No api_key was supplied. Get one at https://api.congress.gov:443"
  }
}"""
KEY_INVALID_BODY = b"""{
  "error": {
    "code": "API_KEY_INVALID",
    "message": "An invalid api_key was supplied. Get one at https://api.congress.gov:443"
  }
}"""
OVER_RATE_LIMIT_BODY = b"""{
  "error": {
    "code": "OVER_RATE_LIMIT",
    "message": "You have exceeded your rate limit. Try again later or contact us at https://api.congress.gov:443/contact/ for assistance"
  }
}"""  # noqa: E501
XML_BODY = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b"<api-root><request><contentType>application/xml</contentType><format>xml</format>"
    b"</request><note>This replica serves JSON only: add format=json.</note></api-root>"
)


def api_json(obj: object) -> bytes:
    """Serialize like the real API: sorted keys, 4-space indent, literal UTF-8, no newline."""
    return json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False).encode("utf-8")


# ---- faults and counters -------------------------------------------------------------------


@dataclass
class _Burst:
    seconds: float
    countdown: int  # requests still to pass before the window opens
    ends: float | None = None  # monotonic time the open window closes

    def counts(self) -> bool:
        """Count one request; True when it falls inside the window."""
        if self.countdown > 0:
            self.countdown -= 1
            return False
        now = time.monotonic()
        if self.ends is None:
            self.ends = now + self.seconds
        return now < self.ends


@dataclass
class _Scripted:
    kind: FaultKind
    remaining: int
    pattern: re.Pattern[str] | None


class Faults:
    """Failure knobs, adjustable while the server runs (every access takes a lock).

    `fault_rate` answers that share of API requests with a random 500, 429 or truncated body,
    drawn from a generator seeded with `seed`. `fail_next` scripts exact failures for tests.
    `rate_limit` is a rolling-hour budget after which the server answers 429. `burst_429` opens
    a window of seconds in which every API request answers 429, as the gateway does when a key
    is throttled.
    """

    def __init__(
        self,
        *,
        latency_ms: float = 0.0,
        fault_rate: float = 0.0,
        seed: int = 0,
        retry_after: int = 1,
        rate_limit: int | None = None,
        timeout_seconds: float = 5.0,
    ):
        self._lock = threading.Lock()
        self._latency_ms = latency_ms
        self._fault_rate = fault_rate
        self._seed = seed
        self._random = random.Random(seed)
        self._retry_after = retry_after
        self._rate_limit = rate_limit
        self._timeout_seconds = timeout_seconds
        self._scripted: list[_Scripted] = []
        self._burst: _Burst | None = None

    @property
    def latency_ms(self) -> float:
        with self._lock:
            return self._latency_ms

    @latency_ms.setter
    def latency_ms(self, value: float) -> None:
        with self._lock:
            self._latency_ms = max(0.0, value)

    @property
    def fault_rate(self) -> float:
        with self._lock:
            return self._fault_rate

    @fault_rate.setter
    def fault_rate(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError("fault_rate is a share between 0 and 1")
        with self._lock:
            self._fault_rate = value

    @property
    def seed(self) -> int:
        with self._lock:
            return self._seed

    @seed.setter
    def seed(self, value: int) -> None:
        with self._lock:
            self._seed = value
            self._random = random.Random(value)

    @property
    def retry_after(self) -> int:
        with self._lock:
            return self._retry_after

    @retry_after.setter
    def retry_after(self, value: int) -> None:
        with self._lock:
            self._retry_after = max(0, value)

    @property
    def rate_limit(self) -> int | None:
        with self._lock:
            return self._rate_limit

    @rate_limit.setter
    def rate_limit(self, value: int | None) -> None:
        with self._lock:
            self._rate_limit = value

    @property
    def timeout_seconds(self) -> float:
        """How long a `timeout` fault stalls before answering: set it above the client timeout."""
        with self._lock:
            return self._timeout_seconds

    @timeout_seconds.setter
    def timeout_seconds(self, value: float) -> None:
        with self._lock:
            self._timeout_seconds = max(0.0, value)

    def fail_next(self, n: int = 1, kind: FaultKind = "500", *, path: str | None = None) -> None:
        """Answer the next `n` API requests (whose path matches the regex `path`, if given)
        with `kind`. Scripts queue up and are used in order."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(FAULT_KINDS)}")
        if n < 1:
            return
        pattern = re.compile(path) if path is not None else None
        with self._lock:
            self._scripted.append(_Scripted(kind, n, pattern))

    def burst_429(self, seconds: float, *, after_requests: int = 0) -> None:
        """Answer every API request with 429 (and `Retry-After: retry_after`) for `seconds`,
        from the request `after_requests` requests from now. Replaces a burst not yet over."""
        if seconds <= 0 or after_requests < 0:
            raise ValueError("a burst needs positive seconds and a non-negative request count")
        with self._lock:
            self._burst = _Burst(seconds, after_requests)

    def in_burst(self) -> bool:
        """True while a burst window is open (read-only: does not count a request)."""
        with self._lock:
            burst = self._burst
            return burst is not None and burst.ends is not None and time.monotonic() < burst.ends

    def clear(self) -> None:
        """Drop scripted faults and bursts, and switch off random faults and latency."""
        with self._lock:
            self._burst = None
            self._scripted.clear()
            self._fault_rate = 0.0
            self._latency_ms = 0.0

    def pending(self) -> int:
        """Scripted failures not yet used."""
        with self._lock:
            return sum(s.remaining for s in self._scripted)

    def draw(self, path: str) -> FaultKind | None:
        """The fault for this request, if any: a burst's 429 first, then a scripted fault."""
        with self._lock:
            if self._burst is not None and self._burst.counts():
                return "429"
            for script in self._scripted:
                if script.pattern is None or script.pattern.search(path):
                    script.remaining -= 1
                    if script.remaining <= 0:
                        self._scripted.remove(script)
                    return script.kind
            if self._fault_rate and self._random.random() < self._fault_rate:
                return self._random.choice(RANDOM_FAULTS)
        return None


@dataclass
class RequestStats:
    """What the server saw: totals by route kind and by status, and the peak of requests being
    handled at once (how tests check a client's concurrency)."""

    total: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    in_flight: int = 0
    max_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def begin(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def end(self, kind: str, status: int) -> None:
        with self._lock:
            self.in_flight -= 1
            self.total += 1
            self.by_kind[kind] += 1
            self.by_status[status] += 1

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.by_kind.clear()
            self.by_status.clear()
            self.max_in_flight = self.in_flight

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self.total,
                "by_kind": dict(self.by_kind),
                "by_status": {str(k): v for k, v in self.by_status.items()},
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
            }


class _HourlyWindow:
    """The requests counted against the key in the last hour."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamps: deque[float] = deque()

    def take(self, limit: int | None) -> tuple[bool, int]:
        """Record one request unless the limit is reached; returns (allowed, remaining)."""
        now = time.monotonic()
        budget = limit if limit is not None else REAL_HOURLY_LIMIT
        with self._lock:
            while self._stamps and self._stamps[0] <= now - 3600.0:
                self._stamps.popleft()
            if limit is not None and len(self._stamps) >= limit:
                return False, 0
            self._stamps.append(now)
            return True, max(0, budget - len(self._stamps))

    def reset(self) -> None:
        with self._lock:
            self._stamps.clear()


# ---- routing -------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Route:
    kind: str  # e.g. "meeting_item", "committee_list"; "unknown" when nothing matched
    resource: Kind | None = None
    ident: str | None = None
    congress: int | None = None
    chamber: str | None = None
    echo: dict[str, str] = field(default_factory=dict)  # path params echoed in `request`


def route(segments: list[str]) -> _Route:
    """Map `/v3/...` path segments (without `v3`) to what they ask for."""
    unknown = _Route("unknown")
    if not segments:
        return unknown
    head, rest = segments[0], segments[1:]
    resource: Kind | None = {
        "committee-meeting": "meeting",
        "hearing": "hearing",
        "committee": "committee",
        "member": "member",
    }.get(head)  # type: ignore[assignment]
    if resource is None:
        return unknown
    if resource == "member":
        if not rest:
            return _Route("member_list", resource)
        if rest[0] == "congress" and len(rest) == 2 and rest[1].isdigit():
            return _Route("member_list", resource, congress=int(rest[1]))
        if len(rest) == 1:
            return _Route("member_item", resource, ident=rest[0], echo={"bioguideId": rest[0]})
        return unknown
    if resource == "committee":
        # `/committee/{congress}/{chamber}` lists; `/committee/{chamber}/{code}` is an item.
        if not rest:
            return _Route("committee_list", resource)
        if rest[0].isdigit() and len(rest) <= 2:
            chamber = rest[1] if len(rest) == 2 else None
            if chamber is not None and chamber not in CHAMBERS:
                return unknown
            echo = {"chamber": chamber} if chamber else {}
            return _Route(
                "committee_list", resource, congress=int(rest[0]), chamber=chamber, echo=echo
            )
        if rest[0] in CHAMBERS and len(rest) <= 2:
            if len(rest) == 1:
                return _Route(
                    "committee_list", resource, chamber=rest[0], echo={"chamber": rest[0]}
                )
            echo = {"chamber": rest[0], "systemCode": rest[1]}
            return _Route("committee_item", resource, ident=rest[1], chamber=rest[0], echo=echo)
        return unknown
    # committee-meeting and hearing share a shape: /{congress}/{chamber}/{id}
    name = "meeting" if resource == "meeting" else "hearing"
    id_name = "eventId" if resource == "meeting" else "jacketNumber"
    if not rest:
        return _Route(f"{name}_list", resource)
    if not rest[0].isdigit() or len(rest) > 3:
        return unknown
    congress = int(rest[0])
    echo = {"congress": rest[0]}
    if len(rest) == 1:
        return _Route(f"{name}_list", resource, congress=congress, echo=echo)
    chamber = rest[1]
    if chamber not in CHAMBERS:
        return unknown
    echo["chamber"] = chamber
    if len(rest) == 2:
        return _Route(f"{name}_list", resource, congress=congress, chamber=chamber, echo=echo)
    echo[id_name] = rest[2]
    return _Route(
        f"{name}_item", resource, ident=rest[2], congress=congress, chamber=chamber, echo=echo
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # benchmarks open dozens of connections at once
    replica: ReplicaServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout faults) leaves a broken pipe behind; that is expected.
        log.debug("replica: connection from %s ended abruptly", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: benchmarks make 100,000 requests
    # Headers and body go out in separate writes; with Nagle on, delayed ACKs add ~40 ms each.
    disable_nagle_algorithm = True
    server_version = "CongressReplica/1"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines can carry an api_key query parameter; never log them

    def do_GET(self) -> None:
        self.server.replica._handle(self, "GET")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.replica._handle(self, "POST")

    def send(self, answer: Answer) -> None:
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


# ---- the server ----------------------------------------------------------------------------


class ReplicaServer:
    """The replica on `host:port` (port 0 picks a free one). `start()` returns the base URL,
    e.g. `http://127.0.0.1:54321/v3`.

    `api_keys`, when given, are the only keys accepted (others get 403 API_KEY_INVALID);
    otherwise any non-empty key is.
    """

    def __init__(
        self,
        corpus: Corpus,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Faults | None = None,
        api_keys: Collection[str] | None = None,
    ):
        self.corpus = corpus
        self.host = host
        self.port = port
        self.faults = faults or Faults()
        self.api_keys = frozenset(api_keys) if api_keys is not None else None
        self.stats = RequestStats()
        #: Replacements for chosen list entries and items (see `hearings.replica.overrides`).
        self.overrides = Overrides()
        self._window = _HourlyWindow()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> str:
        if self._httpd is None:
            httpd = _Server((self.host, self.port), _Handler)
            httpd.replica = self
            self.port = httpd.server_address[1]
            self._httpd = httpd
            self._thread = threading.Thread(
                target=httpd.serve_forever,
                kwargs={"poll_interval": 0.05},  # stop() waits at most this long
                name=f"replica:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self.base_url

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def serve_until_interrupted(self) -> None:
        """Block the calling thread until Ctrl-C (for the CLI), then stop."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v3"

    @property
    def request_count(self) -> int:
        return self.stats.total

    def reset_counters(self) -> None:
        """Zero the request counters and the hourly window."""
        self.stats.reset()
        self._window.reset()

    # ---- request handling -----------------------------------------------------------------

    def _handle(self, handler: _Handler, method: str) -> None:
        # Counted before the answer goes out: once a client has its response, the counters
        # already include it, and `in_flight` never overlaps the client's next request.
        self.stats.begin()
        try:
            kind, answer = self._answer(handler, method)
        except Exception:
            log.exception("replica: failed to answer %s", urlsplit(handler.path).path)
            kind, answer = "unknown", Answer(500, api_json({"error": "replica error (Exception)"}))
        if answer is None:  # a `disconnect` fault: hang up without a word
            self.stats.end(kind, 0)
            handler.close_connection = True
            return
        self.stats.end(kind, answer.status)
        handler.send(answer)

    def _answer(self, handler: _Handler, method: str) -> tuple[str, Answer | None]:
        parts = urlsplit(handler.path)
        query = {
            name: values[0]
            for name, values in parse_qs(parts.query, keep_blank_values=True).items()
        }
        segments = [s for s in parts.path.split("/") if s]
        if segments[:1] == ["_replica"]:
            return "control", self._control(method, segments[1:])
        if method != "GET" or segments[:1] != ["v3"]:
            return "unknown", _not_found(parts.path)
        target = route([s.lower() for s in segments[1:]])

        key = query.get("api_key") or handler.headers.get("X-Api-Key") or ""
        if not key.strip():
            return target.kind, Answer(403, KEY_MISSING_BODY)
        if self.api_keys is not None and key not in self.api_keys:
            return target.kind, Answer(403, KEY_INVALID_BODY)

        allowed, remaining = self._window.take(self.faults.rate_limit)
        limit = self.faults.rate_limit or REAL_HOURLY_LIMIT
        rate_headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining)}
        if not allowed:
            rate_headers["Retry-After"] = str(self.faults.retry_after)
            return target.kind, Answer(429, OVER_RATE_LIMIT_BODY, headers=rate_headers)

        fault = self.faults.draw(parts.path)
        latency = self.faults.latency_ms
        if latency:
            time.sleep(latency / 1000.0)
        if fault == "disconnect":
            return target.kind, None
        if fault == "timeout":
            time.sleep(self.faults.timeout_seconds)
        if fault == "429":
            rate_headers["Retry-After"] = str(self.faults.retry_after)
            return target.kind, Answer(429, OVER_RATE_LIMIT_BODY, headers=rate_headers)
        if fault in ("500", "503"):
            body = api_json(
                {
                    "error": "replica fault: simulated server error (ReplicaFault)",
                    "request": _request_block(target),
                }
            )
            return target.kind, Answer(int(fault), body, headers=rate_headers)

        if (query.get("format") or "").lower() != "json":
            return target.kind, Answer(200, XML_BODY, "application/xml", rate_headers)
        answer = self._resource(target, query, parts.path, handler.headers.get("Host"))
        answer.headers.update(rate_headers)
        if fault == "truncated":
            answer.body = answer.body[: len(answer.body) // 2]
        return target.kind, answer

    def _resource(
        self, target: _Route, query: Mapping[str, str], path: str, host: str | None
    ) -> Answer:
        if target.resource is None:
            return _not_found(path)
        if target.ident is not None:
            return self._item(target, path)
        return self._list(target, query, host)

    def _item(self, target: _Route, path: str) -> Answer:
        assert target.resource is not None and target.ident is not None
        overridden = self._overridden_item(target)
        if overridden is not None:
            return overridden
        record = self.corpus.record(target.resource, target.ident)
        if record is None or (target.chamber is not None and record.chamber != target.chamber):
            return _not_found(path)
        if target.congress is not None and target.congress not in record.congresses:
            return _not_found(path)
        # Equal to api_json({key: record, "request": ...}): the record text is cached, and the
        # keys are already in sorted order ("request" sorts after every record key).
        request_text = api_json(_request_block(target)).decode("utf-8").replace("\n", "\n    ")
        key = ITEM_KEY[target.resource]
        text = (
            f'{{\n    "{key}": {self.corpus.item_text(record)},\n    "request": {request_text}\n}}'
        )
        return Answer(200, text.encode("utf-8"))

    def _overridden_item(self, target: _Route) -> Answer | None:
        assert target.resource is not None and target.ident is not None
        body = self.overrides.item_body(target.resource, target.ident)
        if body is not None:
            return Answer(200, body)
        if not self.overrides.has_item(target.resource, target.ident):
            return None
        record = self.corpus.record(target.resource, target.ident)
        default = None if record is None else self.corpus.get(target.resource, target.ident)
        served = self.overrides.item(target.resource, target.ident, default)
        envelope = {ITEM_KEY[target.resource]: served, "request": _request_block(target)}
        return Answer(200, encode(envelope, api_json))

    def _list(self, target: _Route, query: Mapping[str, str], host: str | None) -> Answer:
        assert target.resource is not None
        try:
            offset = max(0, int(query.get("offset") or 0))
            limit = min(MAX_LIMIT, max(1, int(query.get("limit") or DEFAULT_LIMIT)))
            since = _instant(query.get("fromDateTime"))
            until = _instant(query.get("toDateTime"))
        except ValueError as exc:
            body = {"error": f"Invalid parameter: {exc}", "request": _request_block(target)}
            return Answer(400, api_json(body))
        base = f"http://{host}/v3" if host else self.base_url
        records, count = self.corpus.list_records(
            target.resource,
            congress=target.congress,
            chamber=target.chamber,
            offset=offset,
            limit=limit,
            since=since,
            until=until,
        )
        pagination: dict[str, Any] = {"count": count}
        page_url = base + "/" + "/".join(_route_path(target))
        kept = {k: query[k] for k in ("fromDateTime", "toDateTime") if query.get(k)}
        if offset + limit < count:
            pagination["next"] = _page_link(page_url, kept, offset + limit, limit)
        if offset > 0:
            pagination["prev"] = _page_link(page_url, kept, max(0, offset - limit), limit)
        entries = [
            self.overrides.list_entry(r.kind, r.ident, self.corpus.summary(r, base))
            for r in records
        ]
        envelope = {
            LIST_KEY[target.resource]: entries,
            "pagination": pagination,
            "request": _request_block(target),
        }
        return Answer(200, encode(envelope, api_json) if self.overrides else api_json(envelope))

    def _control(self, method: str, segments: list[str]) -> Answer:
        if segments == ["reload"] and method == "POST":
            if self.corpus.source_dir is None:
                return Answer(409, api_json({"error": "this corpus has no folder to reload from"}))
            self.corpus.reload()
            counts = {kind: self.corpus.count(kind) for kind in ITEM_KEY}
            return Answer(200, api_json({"reloaded": True, "counts": counts}))
        if segments == ["stats"] and method == "GET":
            return Answer(200, api_json(self.stats.snapshot()))
        return _not_found("/_replica/" + "/".join(segments))


def build_replica(
    corpus_dir: Path | str = DEFAULT_CORPUS_DIR,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    latency_ms: float = 0.0,
    fault_rate: float = 0.0,
    rate_limit: int | None = None,
    scale: int | None = None,
    seed: int = 0,
    retry_after: int = 1,
    burst_429_seconds: float | None = None,
    burst_after_requests: int = 0,
) -> ReplicaServer:
    """A replica (not yet started) over a corpus folder, optionally scaled to `scale` meetings,
    optionally with one window of `burst_429_seconds` in which every request answers 429."""
    corpus = Corpus.load(corpus_dir)
    if scale is not None:
        corpus = corpus.scaled(scale)
    faults = Faults(
        latency_ms=latency_ms,
        fault_rate=fault_rate,
        rate_limit=rate_limit,
        seed=seed,
        retry_after=retry_after,
    )
    if burst_429_seconds is not None:
        faults.burst_429(burst_429_seconds, after_requests=burst_after_requests)
    return ReplicaServer(corpus, host=host, port=port, faults=faults)


# ---- helpers -------------------------------------------------------------------------------


def _not_found(path: str) -> Answer:
    resource = path.removeprefix("/").removeprefix("v3/")
    return Answer(404, api_json({"error": f"Unknown resource: {resource}"}))


def _request_block(target: _Route) -> dict[str, str]:
    block = {"contentType": "application/json", "format": "json"}
    block.update({name: value.lower() for name, value in target.echo.items()})
    if target.kind == "committee_list":
        block.pop("congress", None)  # the real committee list echoes no congress
    return block


def _route_path(target: _Route) -> list[str]:
    head = {"meeting": "committee-meeting", "hearing": "hearing", "committee": "committee"}
    if target.resource == "member":
        return ["member", "congress", str(target.congress)] if target.congress else ["member"]
    assert target.resource is not None
    parts = [head[target.resource]]
    if target.congress is not None:
        parts.append(str(target.congress))
    if target.chamber is not None:
        parts.append(target.chamber)
    return parts


def _page_link(page_url: str, kept: Mapping[str, str], offset: int, limit: int) -> str:
    # Same parameter order as the real API: offset, limit, format. Never the key.
    params = {**kept, "offset": str(offset), "limit": str(limit), "format": "json"}
    return f"{page_url}?{urlencode(params)}"


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = parse_api_datetime(text)
    if moment is None:
        raise ValueError(f"not a date-time: {text!r}")
    return moment
