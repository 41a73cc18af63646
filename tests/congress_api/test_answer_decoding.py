"""A body's Content-Encoding is undone in pieces of at most STEP_BYTES, whatever the body and
however the network splits it, so a cap on the decoded size can be checked before memory grows."""

from __future__ import annotations

import gzip
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearings.congress_api.answer_decoding import (
    STEP_BYTES,
    CorruptEncoding,
    codings_to_undo,
    decoded_pieces,
)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    """`data` cut where `cuts` say, as reads off a socket would cut it."""
    edges = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    return [data[start:end] for start, end in zip(edges, edges[1:], strict=False)]


bodies = st.one_of(
    st.binary(max_size=5000),
    # Long runs compress hard: one network read holds many steps of output.
    st.builds(lambda byte, n: bytes([byte]) * n, st.integers(0, 255), st.integers(0, 600_000)),
)


@given(body=bodies, cuts=st.lists(st.integers(min_value=0), max_size=8))
def test_a_gzip_body_decodes_to_itself_in_bounded_pieces(body: bytes, cuts: list[int]) -> None:
    pieces = list(decoded_pieces(split(gzip.compress(body), cuts), ["gzip"]))
    assert b"".join(pieces) == body
    assert all(len(piece) <= STEP_BYTES for piece in pieces)


@given(body=bodies, cuts=st.lists(st.integers(min_value=0), max_size=8))
def test_a_gzip_body_inside_deflate_decodes_in_bounded_pieces(body: bytes, cuts: list[int]) -> None:
    sent = zlib.compress(gzip.compress(body))
    pieces = list(decoded_pieces(split(sent, cuts), codings_to_undo("gzip, deflate")))
    assert b"".join(pieces) == body
    assert all(len(piece) <= STEP_BYTES for piece in pieces)


def test_only_the_codings_it_can_bound_are_undone() -> None:
    assert codings_to_undo(" GZIP , identity, br,deflate") == ["gzip", "deflate"]
    assert codings_to_undo("") == []
    assert list(decoded_pieces([b"as sent"], codings_to_undo("br"))) == [b"as sent"]


def test_bytes_that_are_not_what_the_encoding_says_are_corrupt() -> None:
    with pytest.raises(CorruptEncoding):
        list(decoded_pieces([b"this is not gzip"], ["gzip"]))
