"""The deadline covers an answer's headers as well as its body, and the size cap holds for the
body as decoded, not only as sent: over real loopback HTTP, a server that sends its headers a
byte at a time, and one that sends a "gzip bomb" (a few hundred KB that decode to 256 MiB)."""

from __future__ import annotations

import gzip
import json
import time
import tracemalloc
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

import pytest

from hearings.congress_api import ApiUnavailable, MalformedPayload
from tests.congress_api.misbehaving_server import (
    KEY,
    RECORD,
    MisbehavingServer,
    Serve,
    client,
    fetch,
)

CAP = 8 * 2**20
URL_PATH = "/committee-meeting/119/house/118000?format=json"

# A status line and headers of about 150 bytes: sent a byte every 0.1 s, about 15 s.
SLOW_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    + b"".join(b"X-Padding-%d: %s\r\n" % (n, b"p" * 20) for n in range(3))
    + b"Content-Length: %d\r\n\r\n" % len(RECORD)
)


def test_headers_sent_a_byte_at_a_time_are_cut_off_at_the_deadline_and_retried(
    serve: Serve,
) -> None:
    def answer(server: MisbehavingServer, handler: BaseHTTPRequestHandler) -> None:
        if server.requests == 1:  # the first answer is quick, and leaves its connection open
            server.send(handler, SLOW_HEAD.replace(b"X-Padding", b"X-Quick") + RECORD)
            return
        for byte in SLOW_HEAD:  # each byte well within the 1 s read timeout
            server.send(handler, bytes([byte]))
            time.sleep(0.1)
        server.send(handler, RECORD)

    server = serve(answer)
    api = client(server, timeout=1.0, max_retries=1)
    with api:
        assert api.get_json("committee-meeting/119/house/118000") == json.loads(RECORD)
        started = time.monotonic()
        # The first attempt reads from the pooled connection, the retry from a new one.
        with pytest.raises(ApiUnavailable) as caught:
            api.get_json("committee-meeting/119/house/118000")
        took = time.monotonic() - started

    assert str(caught.value) == (
        "Congress.gov is unavailable: a timeout (the whole answer took more than 1 s) for "
        f"{server.base_url}{URL_PATH} after 2 attempts."
    )
    assert KEY not in str(caught.value)
    assert server.requests == 3
    assert api.requests_by_status == {"200": 1, "timeout": 2}
    # Two attempts of 1 s each and a backoff of at most 10 ms; the headers alone took 15 s.
    # 4 s of room, not 0.5: on a loaded machine the new connection and the server's thread can
    # each be late.
    assert took < 2 * 1.0 + 4.0


def gzip_bomb(decoded_size: int) -> bytes:
    """Zeros, gzipped: deflate packs them about 1,000 to 1."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(2**20)
    parts = [packer.compress(zeros) for _ in range(decoded_size // len(zeros))]
    return b"".join(parts) + packer.flush()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_bomb(256 * 2**20)


def test_a_gzip_bomb_is_refused_at_the_cap_and_never_held_much_beyond_it(
    serve: Serve, bomb: bytes
) -> None:
    def answer(server: MisbehavingServer, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(bomb)))
        handler.end_headers()
        server.send(handler, bomb)

    server = serve(answer)
    assert len(bomb) < CAP // 16  # on the wire, far below the cap
    tracemalloc.start()
    try:
        with pytest.raises(MalformedPayload) as caught:
            fetch(client(server, timeout=5.0, max_retries=3))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # The 8 MiB read before the cap was passed, and little more: decoded by httpx, whole reads
    # at a time, the peak was 143 MiB.
    assert peak < CAP + 2 * 2**20, f"{peak:,} bytes at the peak"
    assert str(caught.value) == (
        "Congress.gov sent a gzip body (Content-Encoding: gzip) that decodes to more than 8 MiB "
        f"(8,388,608 bytes) for {server.base_url}{URL_PATH}, the most this client reads; it was "
        "not kept."
    )
    assert caught.value.body is None
    assert server.requests == 1  # the same bomb again would be no better


def raw_deflate(body: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(body) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as RFC 9110 says
        ("deflate", raw_deflate),  # bare, as some servers send it
        ("gzip, deflate", lambda body: zlib.compress(gzip.compress(body))),
        ("identity", lambda body: body),
    ],
)
def test_an_encoded_answer_is_decoded_as_its_content_encoding_says(
    serve: Serve, encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    # Large enough to arrive in several reads, and to decode in several steps.
    record = {"committeeMeeting": {"eventId": "118000", "title": "x" * 300_000}}
    sent = encode(json.dumps(record).encode())

    def answer(server: MisbehavingServer, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Encoding", encoding)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for start in range(0, len(sent), 1000):
            piece = sent[start : start + 1000]
            server.send(handler, b"%x\r\n%s\r\n" % (len(piece), piece))
        server.send(handler, b"0\r\n\r\n")

    assert fetch(client(serve(answer), timeout=5.0, max_retries=0)) == record
