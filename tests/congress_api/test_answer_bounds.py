"""An answer is read within API_TIMEOUT_SECONDS as a whole and up to a size cap, over real
loopback HTTP from a small server that misbehaves as told: a body sent a byte at a time, a body
far larger than any real one, a body that is not the gzip its Content-Encoding says."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler

import pytest

from hearings.congress_api import ApiUnavailable, MalformedPayload
from tests.congress_api.misbehaving_server import (
    KEY,
    RECORD,
    Answer,
    MisbehavingServer,
    Serve,
    client,
    fetch,
)

MEBIBYTE = b"x" * 2**20


def headers(handler: BaseHTTPRequestHandler, **extra: str) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    for name, value in extra.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()


def trickling(gap: float) -> Answer:
    """The record, one byte every `gap` seconds: each read is quick, the whole is not."""

    def answer(server: MisbehavingServer, handler: BaseHTTPRequestHandler) -> None:
        headers(handler, Content_Length=str(len(RECORD)))
        for byte in RECORD:
            server.send(handler, bytes([byte]))
            time.sleep(gap)

    return answer


# ---- the deadline ----------------------------------------------------------------------------


def test_a_body_sent_a_byte_at_a_time_is_cut_off_at_the_deadline_and_retried(serve: Serve) -> None:
    # 0.2 s between bytes never trips a 1 s read timeout; the body would take about 20 s.
    server = serve(trickling(0.2))
    api = client(server, timeout=1.0, max_retries=1)

    started = time.monotonic()
    with pytest.raises(ApiUnavailable) as caught:
        fetch(api)
    took = time.monotonic() - started

    message = str(caught.value)
    assert message.startswith("Congress.gov is unavailable: a timeout (the whole answer took more")
    assert "after 2 attempts" in message and KEY not in message
    assert server.requests == 2
    assert api.requests_by_status == {"timeout": 2}
    # Each attempt ends at its deadline, or at the first byte after it: 2.4 s, where reading the
    # whole body would take some 38 s. 4 s of room, not 1: on a loaded machine the connections,
    # the retry and the server's thread can each be late.
    assert took < 2 * (1.0 + 0.2) + 4.0
    assert server.bytes_sent < len(RECORD)


def test_a_slow_answer_that_arrives_within_the_deadline_is_read(serve: Serve) -> None:
    def answer(server: MisbehavingServer, handler: BaseHTTPRequestHandler) -> None:
        headers(handler, Content_Length=str(len(RECORD)))
        for start in range(0, len(RECORD), 20):
            server.send(handler, RECORD[start : start + 20])
            time.sleep(0.05)

    server = serve(answer)
    assert fetch(client(server, timeout=5.0, max_retries=0)) == json.loads(RECORD)


# ---- the size cap ----------------------------------------------------------------------------


def test_a_body_whose_length_is_over_the_cap_is_refused_unread_and_not_retried(
    serve: Serve,
) -> None:
    size = 50 * 2**20

    def answer(server: MisbehavingServer, handler: BaseHTTPRequestHandler) -> None:
        headers(handler, Content_Length=str(size))
        for _ in range(size // len(MEBIBYTE)):
            server.send(handler, MEBIBYTE)

    server = serve(answer)
    with pytest.raises(MalformedPayload) as caught:
        fetch(client(server, timeout=5.0, max_retries=3))

    assert str(caught.value) == (
        f"Congress.gov sent a body of 52,428,800 bytes for {server.base_url}/committee-meeting/"
        "119/house/118000?format=json, more than the 8 MiB (8,388,608 bytes) this client reads; "
        "it was not kept."
    )
    assert caught.value.body is None
    assert server.requests == 1  # the same body again would be no better
    assert server.bytes_sent < size


def test_a_body_of_no_declared_length_stops_being_read_at_the_cap(serve: Serve) -> None:
    def answer(server: MisbehavingServer, handler: BaseHTTPRequestHandler) -> None:
        headers(handler, Transfer_Encoding="chunked")
        for _ in range(50):
            server.send(handler, b"%x\r\n%s\r\n" % (len(MEBIBYTE), MEBIBYTE))
        server.send(handler, b"0\r\n\r\n")

    server = serve(answer)
    with pytest.raises(MalformedPayload) as caught:
        fetch(client(server, timeout=5.0, max_retries=3))

    message = str(caught.value)
    assert message.startswith("Congress.gov sent a body of more than 8 MiB (8,388,608 bytes) for ")
    assert message.endswith(", the most this client reads; it was not kept.")
    assert caught.value.body is None and server.requests == 1
    # Reading stopped at the cap; the server got only what the sockets' buffers held beyond it.
    assert server.bytes_sent < 40 * 2**20


def test_an_error_page_over_the_cap_is_still_its_status_and_retried(serve: Serve) -> None:
    def answer(server: MisbehavingServer, handler: BaseHTTPRequestHandler) -> None:
        if server.requests == 1:
            handler.send_response(503)
            handler.send_header("Content-Length", str(9 * len(MEBIBYTE)))
            handler.end_headers()
            for _ in range(9):
                server.send(handler, MEBIBYTE)
            return
        headers(handler, Content_Length=str(len(RECORD)))
        server.send(handler, RECORD)

    server = serve(answer)
    api = client(server, timeout=5.0, max_retries=1)
    assert fetch(api) == json.loads(RECORD)
    assert api.requests_by_status == {"503": 1, "200": 1}


# ---- the content encoding --------------------------------------------------------------------


def test_a_body_that_is_not_the_gzip_it_claims_is_retried_then_named_for_what_it_is(
    serve: Serve,
) -> None:
    def answer(server: MisbehavingServer, handler: BaseHTTPRequestHandler) -> None:
        body = b"this is not gzip"
        headers(handler, Content_Encoding="gzip", Content_Length=str(len(body)))
        server.send(handler, body)

    server = serve(answer)
    with pytest.raises(MalformedPayload) as caught:
        fetch(client(server, timeout=5.0, max_retries=1))

    assert str(caught.value) == (
        "Congress.gov kept returning a corrupt gzip body (Content-Encoding: gzip) for "
        f"{server.base_url}/committee-meeting/119/house/118000?format=json after 2 attempts."
    )
    assert "connection error" not in str(caught.value)
    assert server.requests == 2
