"""What goes over the wire to Congress.gov: paths and query strings, the update window, redaction
of the API key, and the details an error body carries."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx

from hearings.congress_api.models import chamber_path

# A Retry-After longer than this is more likely a gateway glitch than a real instruction.
RETRY_AFTER_CAP = 3600.0


def redact_url(url: str, api_key: str | None = None) -> str:
    """The URL without any `api_key` query parameter, and without the key anywhere else."""
    parts = urlsplit(url)
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name.lower() != "api_key"
    ]
    return redact_text(urlunsplit(parts._replace(query=urlencode(query))), api_key)


def redact_text(text: str, api_key: str | None) -> str:
    """`text` with every spelling of the key (raw or percent-encoded) replaced by `***`."""
    # A key of a character or two would blank out ordinary words; real keys are 40 characters.
    if api_key and len(api_key) >= 4:
        for spelling in _spellings(api_key):
            text = text.replace(spelling, "***")
    return text


@functools.lru_cache(maxsize=8)
def _spellings(api_key: str) -> frozenset[str]:
    # Cached: a repaired record has every one of its texts redacted.
    return frozenset({api_key, quote(api_key, safe=""), quote(api_key)})


def format_api_datetime(value: datetime | date) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ` in UTC, the format `fromDateTime`/`toDateTime` expect.

    Naive datetimes and dates are taken as UTC.
    """
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def query_params(params: Mapping[str, object] | None) -> dict[str, str]:
    query: dict[str, str] = {}
    for name, value in (params or {}).items():
        if value is None or name.lower() == "api_key":
            continue  # the key goes in the header only
        if isinstance(value, bool):
            query[name] = "true" if value else "false"
        elif isinstance(value, datetime | date):
            query[name] = format_api_datetime(value)
        else:
            query[name] = str(value)
    query["format"] = "json"
    return query


def window_params(start: datetime | date | None, end: datetime | date | None) -> dict[str, str]:
    window: dict[str, str] = {}
    if start is not None:
        window["fromDateTime"] = format_api_datetime(start)
    if end is not None:
        window["toDateTime"] = format_api_datetime(end)
    return window


def list_path(resource: str, congress: int, chamber: str | None) -> str:
    path = f"{resource}/{int(congress)}"
    return f"{path}/{chamber_path(chamber)}" if chamber else path


def path_segment(value: object) -> str:
    return quote(str(value).strip(), safe="")


def path_key(path: str) -> str:
    return path.strip("/").split("?")[0]


def retry_after_seconds(header: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds (a number, or an HTTP-date from `now`), at most
    `RETRY_AFTER_CAP`; None when absent or unreadable, and the client's backoff decides."""
    if header is None:
        return None
    text = header.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # RFC 9110: an HTTP-date is GMT
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if math.isnan(seconds):
        return None
    # The limiter holds every thread for this long: a glitch's 10**9 (or `inf`) would hold the
    # run for ever, so no wait goes past the cap.
    return min(max(0.0, seconds), RETRY_AFTER_CAP)


def error_detail(response: httpx.Response, key: str) -> tuple[str | None, str | None]:
    """(`error.code`, error text) from either error shape the API uses; both redacted."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return None, None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = error.get("code")
        message = error.get("message")
        code_text = str(code) if code is not None else None
        parts = [p for p in (code_text, str(message) if message else None) if p]
        return code_text, redact_text(": ".join(parts), key) or None
    if isinstance(error, str) and error:
        return None, redact_text(error, key)
    return None, None
