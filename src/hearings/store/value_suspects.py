"""Which stored values SQLite cannot vouch for, as SQL: the `values` and `shapes` checks convert
in Python only the values these expressions name, instead of every value of every row (which
tripled a restore of a 290 MB database). Each expression may name a sound value too (Python
then reads it and finds nothing); it never clears one Python would refuse. SQLite does not
check encodings, so text that is not UTF-8 is told apart by `utf8_damaged` (a whole chunk of
a column at once) and then `not_ascii`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    not_,
    or_,
    type_coerce,
)

# The stored form SQLAlchemy writes a date-time in on SQLite (`2025-03-04 10:00:00.000000`), as
# a GLOB that already rules out minutes and seconds past 59, and its length in bytes.
_DIGIT = "[0-9]"
_SIXTY = "[0-5][0-9]"
_CANONICAL_DATETIME = (
    f"{_DIGIT * 4}-[01]{_DIGIT}-[0-3]{_DIGIT} [0-2]{_DIGIT}:{_SIXTY}:{_SIXTY}.{_DIGIT * 6}"
)
_CANONICAL_BYTES = len("2025-03-04 10:00:00.000000")

# A JSON text this long or longer is read by Python: SQLite's `json_valid` takes an integer of
# any length and nesting up to 1,000 deep, which Python's decoder refuses (4,300 digits) or
# fails on (its recursion limit); shorter texts can hold neither.
_JSON_VOUCHED_BYTES = 1_000

# Any character outside U+0001-U+007F: SQLite reads every byte of 0x80 or more as one.
_NOT_ASCII = "*[^\x01-\x7f]*"


def _as_text(value: ColumnElement[Any]) -> ColumnElement[str]:
    # The column's own type would process the literals compared with it (a date-time's).
    return type_coerce(value, String)


def _stored(value: ColumnElement[Any]) -> ColumnElement[bytes]:
    return cast(value, LargeBinary)


def _without_nul(value: ColumnElement[Any]) -> ColumnElement[bool]:
    # SQLite's text functions stop at a NUL; Python reads what follows it.
    return func.instr(_stored(value), literal(b"\x00", LargeBinary)) == 0


def suspect(vouched: ColumnElement[Any], value: ColumnElement[Any]) -> ColumnElement[bool]:
    """A stored `value` that `vouched` does not clear (it is false or NULL for it)."""
    return and_(value.is_not(None), func.ifnull(vouched, 0) == 0)


def datetime_vouched(value: ColumnElement[Any]) -> ColumnElement[bool]:
    """True for `YYYY-MM-DD HH:MM:SS.ffffff` text naming a real moment from year 1 on (what
    `datetime.fromisoformat` reads): year 0, month 13, hour 24 and days a month lacks are
    not."""
    text = _as_text(value)
    month, day, hour = func.substr(text, 6, 2), func.substr(text, 9, 2), func.substr(text, 12, 2)
    # CASE, unlike AND and OR in a result column, stops at its first answer: SQLite's parsing of
    # a date is left to the days past the 28th, which not every month has. A date it computes
    # (`+0 days`) moves Feb 30 to March; without that, it echoes the text as given.
    return case(
        (
            or_(
                func.typeof(value) != "text",
                func.length(_stored(value)) != _CANONICAL_BYTES,
                not_(text.op("GLOB", is_comparison=True)(literal(_CANONICAL_DATETIME, String))),
                func.substr(text, 1, 4) == "0000",
                not_(month.between("01", "12")),
                hour > "23",
            ),
            False,
        ),
        (day.between("01", "28"), True),
        else_=func.date(func.substr(text, 1, 10), "+0 days") == func.substr(text, 1, 10),
    )


def json_vouched(value: ColumnElement[Any]) -> ColumnElement[bool]:
    """True for RFC 8259 JSON text (SQLite's one-argument `json_valid`, strict in every version)
    that Python's `json.loads` reads as well: no NUL, and short enough (see above)."""
    return and_(
        func.typeof(value) == "text",
        func.length(_stored(value)) < _JSON_VOUCHED_BYTES,
        _without_nul(value),
        func.json_valid(_as_text(value)) == 1,
    )


def not_ascii(value: ColumnElement[Any]) -> ColumnElement[bool]:
    """A value with a byte outside ASCII (or a NUL, after which SQLite's GLOB reads nothing):
    the only values that can fail to decode as UTF-8."""
    # A BLOB is never like a pattern: its bytes are GLOBbed as text.
    return or_(
        cast(value, String).op("GLOB", is_comparison=True)(literal(_NOT_ASCII, String)),
        func.instr(_stored(value), literal(b"\x00", LargeBinary)) > 0,
    )


def utf8_runs(values: Sequence[ColumnElement[Any]]) -> ColumnElement[bytes]:
    """An aggregate: the group's stored `values` (as CAST to a BLOB gives them, a NULL as none),
    as bytes, joined by newlines. A newline cannot be part of a UTF-8 sequence, so the whole
    decodes as UTF-8 exactly when every value does."""
    newline = literal(b"\n", LargeBinary)
    parts = [func.ifnull(_stored(value), literal(b"", LargeBinary)) for value in values]
    row: ColumnElement[Any] = parts[0]
    for part in parts[1:]:
        row = row.op("||")(newline).op("||")(part)
    return cast(func.group_concat(row, newline), LargeBinary)


def utf8_damaged(joined: bytes | None) -> bool:
    """Whether `utf8_runs` holds a value that is not UTF-8."""
    try:
        (joined or b"").decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False
