"""`decode_json`, which a rebuild decodes every archived payload with, against `json.loads`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearings.store.archive import decode_json, pack, unpack

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    # Lone surrogates too: the archive keeps what `json.dumps` writes for them.
    | st.text(st.characters(codec=None))
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _outcome(decode: Any, text: str) -> str:
    """The decoded value's repr (it tells 1 from 1.0 and shows NaN), or that it was refused."""
    try:
        return repr(decode(text))
    except ValueError:
        return "refused"


@settings(max_examples=400)
@given(_VALUES, st.booleans(), st.booleans())
def test_it_decodes_what_json_dumps_writes_as_json_loads_does(
    value: Any, ascii_only: bool, compact: bool
) -> None:
    separators = (",", ":") if compact else None
    text = json.dumps(value, ensure_ascii=ascii_only, separators=separators)
    assert _outcome(decode_json, text) == _outcome(json.loads, text)


@settings(max_examples=400)
@given(st.text(alphabet='{}[]":,.-+eE0123456789 \\ntrufalsNIiy\ud800\u2028é'))
def test_any_text_is_decoded_or_refused_as_json_loads_does(text: str) -> None:
    assert _outcome(decode_json, text) == _outcome(json.loads, text)


@pytest.mark.parametrize(
    "text",
    [
        '"\\ud800"',  # a lone surrogate escape: pydantic-core refuses it, json.loads keeps it
        '"\\udc00x"',
        "[" * 300 + "]" * 300,  # deeper than pydantic-core's limit
        "NaN",
        "-Infinity",
        "1e400",
        '{"a": 1, "a": 2}',
        "12345678901234567890123456789",
    ],
)
def test_texts_the_fast_parser_refuses_or_reads_differently_come_out_the_same(text: str) -> None:
    assert _outcome(decode_json, text) == _outcome(json.loads, text)
    assert _outcome(decode_json, text) != "refused"


def test_a_packed_payload_unpacks_to_itself() -> None:
    payload = {"title": "Oversight \U0001f600 \u2028", "n": [1, 2.5, None, True]}
    assert unpack(pack(payload)) == payload
