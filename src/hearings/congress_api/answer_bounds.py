"""Reading one answer of Congress.gov within a deadline and a size cap.

httpx's timeout bounds each read, not the answer: a server sending a byte every few seconds held
one fetch for hours, and a body of any size was read whole into memory (and then kept in the
quarantine). Here every read, the headers' too, ends by the deadline (`deadline`), and the body
is streamed and decoded a slice at a time (`answer_decoding`), its size counted at every slice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping

import httpx

from hearings.congress_api.answer_decoding import (
    CorruptEncoding,
    codings_to_undo,
    decoded_pieces,
)
from hearings.congress_api.deadline import bound_stream_reads, reads_until

# The most a body may hold once decoded. Real item bodies run from a few KB to about 100 KB, and
# a list page of 250 entries to a few hundred KB (250 committees with their subcommittees: about
# 275 KB). 8 MiB is about 30 times the largest of them, so no real answer comes near it, and with
# 8 requests in flight the bodies held at once stay under 64 MiB.
MAX_BODY_BYTES = 8 * 1024 * 1024

# Headers that describe the bytes on the wire, not the decoded body handed on.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class DeadlinePassed(Exception):
    """The whole answer had not arrived by the deadline."""

    def __init__(self, seconds: float):
        super().__init__(f"the answer took more than {seconds:g} s")
        self.seconds = seconds


class BodyTooLarge(Exception):
    """The body is larger than the cap: `size` as its Content-Length declared it, or None when
    reading stopped at the cap; `encoding` is the Content-Encoding it decoded from, if any."""

    def __init__(self, status: int, size: int | None, cap: int, encoding: str | None = None):
        super().__init__(f"a body over {cap} bytes")
        self.status = status
        self.size = size
        self.cap = cap
        self.encoding = encoding


class UndecodableBody(Exception):
    """The body does not decode as its Content-Encoding says (a corrupt gzip stream, say)."""

    def __init__(self, status: int, encoding: str):
        super().__init__(f"a corrupt {encoding} body")
        self.status = status
        self.encoding = encoding


def read_answer(
    http: httpx.Client,
    url: str,
    *,
    params: Mapping[str, str],
    headers: Mapping[str, str],
    seconds: float,
    max_bytes: int = MAX_BODY_BYTES,
    clock: Callable[[], float] = time.monotonic,
) -> httpx.Response:
    """GET `url` and read its whole body within `seconds` of now and `max_bytes` of size.

    Raises `DeadlinePassed`, `BodyTooLarge` or `UndecodableBody`, and httpx's own errors for the
    connection (connecting is bounded by the client's timeout, each read by it or the time left)."""
    deadline = clock() + seconds
    trace = {"trace": bound_stream_reads}
    try:
        with (
            reads_until(deadline, clock),
            http.stream("GET", url, params=params, headers=headers, extensions=trace) as streamed,
        ):
            body = _read_body(streamed, max_bytes)
    except httpx.TimeoutException:
        # Each read is given at most the time left, so a read that times out at or after the
        # deadline timed out because of it (the headers' reads as well as the body's).
        if clock() < deadline:
            raise
        raise DeadlinePassed(seconds) from None
    kept = [(n, v) for n, v in streamed.headers.multi_items() if n.lower() not in _WIRE_HEADERS]
    return httpx.Response(
        streamed.status_code, headers=kept, content=body, request=streamed.request
    )


def _read_body(streamed: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, raising `BodyTooLarge` for a 2xx one over `max_bytes`, decoded or not."""
    status = streamed.status_code
    # An error's body only adds detail to its status: one over the cap is cut, not refused,
    # so a 503 with a huge page is still a 503, retried as such.
    refuse_oversized = 200 <= status < 300
    declared = _declared_length(streamed.headers)
    if refuse_oversized and declared is not None and declared > max_bytes:
        raise BodyTooLarge(status, declared, max_bytes)
    codings = codings_to_undo(streamed.headers.get("Content-Encoding", ""))
    if streamed.is_stream_consumed:
        # An answer a transport built in memory (httpx.MockTransport's): httpx has decoded it.
        pieces = streamed.iter_bytes()
    else:
        raw = _counted(streamed.iter_raw(), status, max_bytes if refuse_oversized else None)
        pieces = decoded_pieces(raw, codings)
    chunks: list[bytes] = []
    received = 0
    try:
        for piece in pieces:
            received += len(piece)
            if received > max_bytes:
                if refuse_oversized:
                    raise BodyTooLarge(status, None, max_bytes, ", ".join(codings) or None)
                break
            chunks.append(piece)
    except CorruptEncoding:
        raise UndecodableBody(status, _encoding(streamed.headers)) from None
    return b"".join(chunks)


def _counted(raw: Iterator[bytes], status: int, max_bytes: int | None) -> Iterator[bytes]:
    """`raw`, refused once more than `max_bytes` of it has come (a compressed stream that ends
    early and is followed by endless bytes decodes to nothing, but is still read)."""
    received = 0
    for chunk in raw:
        received += len(chunk)
        if max_bytes is not None and received > max_bytes:
            raise BodyTooLarge(status, None, max_bytes)
        yield chunk


def _declared_length(headers: httpx.Headers) -> int | None:
    value = headers.get("Content-Length", "").strip()
    # h11 has checked it already; the guards keep a surprise from becoming a traceback.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _encoding(headers: httpx.Headers) -> str:
    """The Content-Encoding as sent, short and printable: it ends up in a sentence."""
    value = "".join(c for c in headers.get("Content-Encoding", "") if c.isprintable()).strip()
    return value[:40] or "encoded"
