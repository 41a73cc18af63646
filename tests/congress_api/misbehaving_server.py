"""A small HTTP server on loopback that answers every GET as a test tells it to (headers or a
body a byte at a time, a body far larger than any real one, a body that is not what its
Content-Encoding says), and a client of it. The server counts what it got out, so a test can
tell how far the client read."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hearings.congress_api import CongressClient

KEY = "bounds-key-5e2a"
RECORD = json.dumps({"committeeMeeting": {"eventId": "118000", "title": "x" * 40}}).encode()

#: How the server answers a GET: it writes through `server.send` so the bytes sent are counted.
Answer = Callable[["MisbehavingServer", BaseHTTPRequestHandler], None]


class MisbehavingServer:
    """Answers every GET with `answer`, counting the requests and the bytes written by `send`."""

    def __init__(self, answer: Answer):
        self.requests = 0
        self.bytes_sent = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests += 1
                try:
                    answer(server, self)
                except OSError:  # the client hung up: what it is meant to do here
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def send(self, handler: BaseHTTPRequestHandler, piece: bytes) -> None:
        handler.wfile.write(piece)
        handler.wfile.flush()
        self.bytes_sent += len(piece)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v3"


Serve = Callable[[Answer], MisbehavingServer]


def client(server: MisbehavingServer, *, timeout: float, max_retries: int) -> CongressClient:
    return CongressClient(
        server.base_url,
        KEY,
        timeout=timeout,
        max_retries=max_retries,
        backoff_base=0.001,
        backoff_max=0.01,
    )


def fetch(api: CongressClient) -> dict[str, object]:
    with api:
        return api.get_json("committee-meeting/119/house/118000")
