"""When a meeting starts: a moment (`2025-06-24T14:00:00Z`, 10 a.m. in Washington), or, when the
API sends a bare day (`2025-06-24`), a day with no time.

A start is `datetime | date`, as iCalendar's DTSTART is: a `datetime` (aware or naive UTC) for a
moment, a plain `date` for a day in Eastern Time, Congress's local time. It is stored in two
columns: `start_at`, a naive UTC moment every list sorts and filters on (for a day, its midnight
Eastern, so the meeting falls on that day in every list, week and calendar, ahead of the day's
timed meetings), and `start_date_only`, true for a day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")

# A moment (datetime) or a day without a time (date).
Start = datetime | date


def is_day(start: Start | None) -> bool:
    """True for a day without a time (`datetime` is a subclass of `date`)."""
    return isinstance(start, date) and not isinstance(start, datetime)


def stored_start(start: Start | None) -> tuple[datetime | None, bool]:
    """`(start_at, start_date_only)`: the naive UTC moment to store, and whether it is a day."""
    if start is None:
        return None, False
    if isinstance(start, datetime):
        return utc_naive_moment(start), False
    midnight = datetime.combine(start, time.min, tzinfo=EASTERN)
    return midnight.astimezone(UTC).replace(tzinfo=None, microsecond=0), True


def utc_naive_moment(moment: datetime) -> datetime:
    """The moment as stored: naive UTC, whole seconds (with one `replace` at most, which costs
    several times `astimezone`; every meeting has a few times)."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    return moment.replace(microsecond=0) if moment.microsecond else moment


def shown_start(start_at: datetime | None, date_only: bool) -> Start | None:
    """The start as stored columns give it back: the moment, or the Eastern day."""
    if start_at is None or not date_only:
        return start_at
    aware = start_at if start_at.tzinfo is not None else start_at.replace(tzinfo=UTC)
    return aware.astimezone(EASTERN).date()


def start_day(start: Start) -> date:
    """The day a meeting starts in Washington: a day as it is, a moment's Eastern date (8 p.m.
    on January 1 there is 01:00 UTC on January 2)."""
    if not isinstance(start, datetime):
        return start
    aware = start if start.tzinfo is not None else start.replace(tzinfo=UTC)
    return aware.astimezone(EASTERN).date()


def start_iso(start: Start | None) -> str | None:
    """`2025-06-24T14:00:00Z` for a moment, `2025-06-24` for a day, None for none: the form the
    exports, the JSON API and the report give."""
    if start is None:
        return None
    if not isinstance(start, datetime):
        return start.isoformat()
    moment = start if start.tzinfo is None else start.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
