"""A real HTTP server on loopback that answers like the Congress.gov API v3: its lifecycle (stdlib,
up in milliseconds, so one per test), and the gateway's checks and `Faults` before `resources`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from hearings.replica.answers import (
    KEY_INVALID_BODY,
    KEY_MISSING_BODY,
    OVER_RATE_LIMIT_BODY,
    XML_BODY,
    Answer,
    api_json,
    not_found,
)
from hearings.replica.corpus import BUNDLED_CORPUS_DIR, Corpus
from hearings.replica.corpus_folders import CorpusSource
from hearings.replica.faults import REAL_HOURLY_LIMIT, Faults, HourlyWindow, RequestStats
from hearings.replica.overrides import Overrides
from hearings.replica.records import ITEM_KEY
from hearings.replica.resources import resource_answer
from hearings.replica.routes import request_block, route

log = logging.getLogger(__name__)


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
        self._window = HourlyWindow()
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
            return "unknown", not_found(parts.path)
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
        if fault == "301":  # a gateway moving the API, as http:// to https:// is moved
            moved = {**rate_headers, "Location": f"https://api.congress.gov{parts.path}"}
            return target.kind, Answer(301, b"", "text/html", moved)
        if fault == "400":
            body = api_json({"error": "replica fault: simulated bad request (ReplicaFault)"})
            return target.kind, Answer(400, body, headers=rate_headers)
        if fault in ("500", "503"):
            body = api_json(
                {
                    "error": "replica fault: simulated server error (ReplicaFault)",
                    "request": request_block(target),
                }
            )
            return target.kind, Answer(int(fault), body, headers=rate_headers)

        if (query.get("format") or "").lower() != "json":
            return target.kind, Answer(200, XML_BODY, "application/xml", rate_headers)
        host = handler.headers.get("Host")
        answer = resource_answer(
            target,
            query,
            parts.path,
            f"http://{host}/v3" if host else self.base_url,
            corpus=self.corpus,
            overrides=self.overrides,
            stats=self.stats,
        )
        answer.headers.update(rate_headers)
        if fault == "truncated":
            answer.body = answer.body[: len(answer.body) // 2]
        return target.kind, answer

    def _control(self, method: str, segments: list[str]) -> Answer:
        if segments == ["reload"] and method == "POST":
            if self.corpus.source is None:
                return Answer(409, api_json({"error": "this corpus has no folder to reload from"}))
            try:
                self.corpus.reload()
            except ValueError as exc:  # a bad file names itself; the served corpus is kept
                return Answer(422, api_json({"error": f"{exc}; the corpus was not reloaded"}))
            counts = {kind: self.corpus.count(kind) for kind in ITEM_KEY}
            return Answer(200, api_json({"reloaded": True, "counts": counts}))
        if segments == ["stats"] and method == "GET":
            return Answer(200, api_json(self.stats.snapshot()))
        return not_found("/_replica/" + "/".join(segments))


def build_replica(
    corpus_dir: CorpusSource = BUNDLED_CORPUS_DIR,
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
    """A replica (not yet started) over corpus folders (every bundled Congress by default),
    optionally scaled to `scale` meetings and with one window of `burst_429_seconds` of 429s."""
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
