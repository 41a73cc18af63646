"""Reading one answer of Congress.gov within a deadline and a size cap.

httpx's timeout bounds each read, not the answer: a server sending a byte every few seconds held
one fetch for hours, and a body of any size was read whole into memory (and then kept in the
quarantine). Here the body is streamed, its size counted and the clock checked at every chunk.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import httpx

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
    reading stopped at the cap."""

    def __init__(self, status: int, size: int | None, cap: int):
        super().__init__(f"a body over {cap} bytes")
        self.status = status
        self.size = size
        self.cap = cap


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
    connection (each read is still bounded by the client's timeout)."""
    deadline = clock() + seconds
    with http.stream("GET", url, params=params, headers=headers) as streamed:
        status = streamed.status_code
        # An error's body only adds detail to its status: one over the cap is cut, not refused,
        # so a 503 with a huge page is still a 503, retried as such.
        refuse_oversized = 200 <= status < 300
        declared = _declared_length(streamed.headers)
        if refuse_oversized and declared is not None and declared > max_bytes:
            raise BodyTooLarge(status, declared, max_bytes)
        chunks: list[bytes] = []
        received = 0
        try:
            for chunk in streamed.iter_bytes():
                received += len(chunk)
                if received > max_bytes:
                    if refuse_oversized:
                        raise BodyTooLarge(status, None, max_bytes)
                    break
                if clock() > deadline:
                    raise DeadlinePassed(seconds)
                chunks.append(chunk)
        except httpx.DecodingError:
            raise UndecodableBody(status, _encoding(streamed.headers)) from None
    kept = [(n, v) for n, v in streamed.headers.multi_items() if n.lower() not in _WIRE_HEADERS]
    return httpx.Response(status, headers=kept, content=b"".join(chunks), request=streamed.request)


def _declared_length(headers: httpx.Headers) -> int | None:
    value = headers.get("Content-Length", "").strip()
    # h11 has checked it already; the guards keep a surprise from becoming a traceback.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _encoding(headers: httpx.Headers) -> str:
    """The Content-Encoding as sent, short and printable: it ends up in a sentence."""
    value = "".join(c for c in headers.get("Content-Encoding", "") if c.isprintable()).strip()
    return value[:40] or "encoded"
