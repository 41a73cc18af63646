"""The values of the API's payloads, read strictly: both of its date-time formats, dates, meeting
dates that may come without a time, identifiers that arrive as numbers or text, bounded whole
numbers, blank text as none, and lists wrapped XML-style. `ApiModel` is the base of every payload
model."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

_SPACE_OFFSET = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(.*)$")
_HOURS_OFFSET = re.compile(r"[+-]\d{2}")
_HHMM_OFFSET = re.compile(r"[+-]\d{4}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_api_datetime(value: object) -> datetime | None:
    """Accept both of the API's formats, `2025-05-22T14:30:00Z` and `2025-05-22 14:30:00+00:00`,
    and a bare date; return an aware UTC datetime."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        match = _SPACE_OFFSET.match(text)
        if match:
            day, clock, zone = match.groups()
            zone = zone.strip()
            if zone in ("Z", "z", ""):
                zone = "+00:00"
            elif _HOURS_OFFSET.fullmatch(zone):
                zone += ":00"
            elif _HHMM_OFFSET.fullmatch(zone):
                zone = f"{zone[:3]}:{zone[3:]}"
            text = f"{day}T{clock}{zone}"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"not a date or date-time: {excerpt(value)}") from exc
    else:
        raise ValueError(f"not a date or date-time: {excerpt(value)}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        # 9999-12-31T23:00:00-05:00 is a valid string but no representable UTC moment.
        raise ValueError(f"date-time {excerpt(value)} is out of range in UTC") from None


def parse_api_moment(value: object) -> datetime | date | None:
    """A meeting's `date`: a UTC datetime as `parse_api_datetime` reads it, or a `date` when the
    API sent a bare day (`2025-06-24`). A day carries no time: read as midnight UTC it would fall
    on the evening before in Washington, at a time nobody gave."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"not a date: {excerpt(value)}") from exc
    if isinstance(value, str):
        # The other ISO spellings of a bare day (`20250624`, `2025-W26-2`) are days too, not
        # midnight UTC: `date.fromisoformat` reads nothing with a time.
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    return parse_api_datetime(value)


def excerpt(value: object, limit: int = 60) -> str:
    """`repr(value)`, cut to `limit` characters: messages quote bad input, never all of it."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_api_date(value: object) -> date | None:
    """A date-only field (`2025-01-15`); a full timestamp is accepted and truncated."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value.strip()):
        return date.fromisoformat(value.strip())
    moment = parse_api_datetime(value)
    return moment.date() if moment else None


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _as_text(value: object) -> object:
    # Identifiers arrive as ints in some payloads and strings in others.
    if isinstance(value, bool):
        raise ValueError("expected text, got a boolean")
    if isinstance(value, int):
        return str(value)
    return value


def _no_boolean(value: object) -> object:
    # Pydantic's lax mode would read JSON `true` as 1: a wrong congress or jacket, not an error.
    if isinstance(value, bool):
        raise ValueError("expected a whole number, got a boolean")
    return value


def _bounded(low: int, high: int) -> Any:
    """A whole number between `low` and `high`: PostgreSQL's INTEGER holds 32 bits, and a
    congress of 10**30 is not a congress."""
    return Field(ge=low, le=high)


def unwrap_item(value: object) -> object:
    # XML-style containers survive in a few JSON payloads: {"item": [...]} or {"item": {...}}.
    if isinstance(value, dict) and set(value) <= {"item", "count", "url"} and "item" in value:
        inner = value["item"]
        return inner if isinstance(inner, list) else [inner]
    if value is None:
        return []
    return value


_Item = TypeVar("_Item")

ApiDateTime = Annotated[datetime | None, BeforeValidator(parse_api_datetime)]
ApiDate = Annotated[date | None, BeforeValidator(parse_api_date)]
# A moment, or a day without a time: `date` is checked after `datetime`, its subclass.
ApiMoment = Annotated[datetime | date | None, BeforeValidator(parse_api_moment)]
Text = Annotated[str | None, BeforeValidator(_blank_to_none)]
Identifier = Annotated[str, BeforeValidator(_as_text)]
OptionalIdentifier = Annotated[str | None, BeforeValidator(_as_text)]
WholeNumber = Annotated[int, BeforeValidator(_no_boolean), _bounded(0, 2**31 - 1)]
CongressNumber = Annotated[int, BeforeValidator(_no_boolean), _bounded(1, 999)]
OptionalNumber = WholeNumber | None
# A list the API may wrap XML-style in {"item": [...]}, or send as null.
ItemList = Annotated[list[_Item], BeforeValidator(unwrap_item)]


class ApiModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)
