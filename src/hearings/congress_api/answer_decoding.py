"""Undoing a body's Content-Encoding a slice at a time, so a cap on the decoded size holds.

httpx decodes each network read whole: 64 KiB of gzip can hold 64 MiB of zeros (deflate packs
about 1,000 to 1), so a "gzip bomb" reached 143 MiB in memory before the cap was checked, and
its decoders take no output limit. zlib has one, `max_length`: here no step yields more than
`STEP_BYTES`, and the reader stops asking once the cap is passed.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

# The most one decoding step yields: small beside the cap, large enough to be quick.
STEP_BYTES = 64 * 1024

# The codings this client asks for and undoes itself; httpx would add `br` and `zstd` when their
# packages are installed, but their decoders have no output limit.
ACCEPTED_ENCODINGS = "gzip, deflate"

_GZIP = zlib.MAX_WBITS | 16
_ZLIB = zlib.MAX_WBITS
_RAW_DEFLATE = -zlib.MAX_WBITS
_UNDONE = frozenset({"gzip", "x-gzip", "deflate"})


class CorruptEncoding(Exception):
    """The bytes do not decode as the Content-Encoding says."""


def codings_to_undo(content_encoding: str) -> list[str]:
    """The codings of a Content-Encoding header this module undoes, in the order applied. As in
    httpx, `identity` and codings it does not know are left as they are."""
    codings = (coding.strip().lower() for coding in content_encoding.split(","))
    return [coding for coding in codings if coding in _UNDONE]


def decoded_pieces(raw: Iterable[bytes], codings: list[str]) -> Iterator[bytes]:
    """The body of `raw` with `codings` undone (the last applied first), in pieces of at most
    `STEP_BYTES`. As in httpx, what follows the end of a compressed stream is ignored."""
    pieces: Iterable[bytes] = raw
    for coding in reversed(codings):
        if coding == "deflate":
            pieces = _inflated(pieces, _ZLIB, fallback=_RAW_DEFLATE)
        else:
            pieces = _inflated(pieces, _GZIP)
    return iter(pieces)


def _inflated(pieces: Iterable[bytes], wbits: int, fallback: int | None = None) -> Iterator[bytes]:
    """`pieces` inflated lazily: each step's input is what a step has left, never more output."""
    inflater = zlib.decompressobj(wbits)
    started = False
    for piece in pieces:
        pending = piece
        while pending and not inflater.eof:
            try:
                out = inflater.decompress(pending, STEP_BYTES)
            except zlib.error:
                # "deflate" is zlib-wrapped by the RFC, but some servers send it raw (httpx too
                # tries both); anything else that fails is corrupt.
                if started or fallback is None:
                    raise CorruptEncoding from None
                inflater, fallback = zlib.decompressobj(fallback), None
                continue
            started = True
            pending = inflater.unconsumed_tail
            if out:
                yield out
            # A full step may leave output inside zlib with no input left: ask for it too.
            while not pending and len(out) == STEP_BYTES and not inflater.eof:
                out = inflater.decompress(b"", STEP_BYTES)
                if out:
                    yield out
