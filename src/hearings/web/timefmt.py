"""Times as readers expect them: Congress meets on Eastern Time, the database stores naive UTC.

A meeting's start may be a day without a time (a `date`, store/meeting_start.py): the formats of
a start show that day and say no time was given, never a made-up midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

# Re-exported: the pages and the calendar take Congress's time zone from here.
from hearings.store.meeting_start import EASTERN as EASTERN
from hearings.store.meeting_start import Start


def as_utc(moment: datetime) -> datetime:
    """A stored (naive UTC) or aware time as an aware UTC time."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def to_naive_utc(moment: datetime) -> datetime:
    return as_utc(moment).replace(tzinfo=None)


def eastern(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment).astimezone(EASTERN)


def eastern_day_start(day: date) -> datetime:
    """Midnight Eastern on `day`, as naive UTC (for comparing with stored times)."""
    return to_naive_utc(datetime.combine(day, time.min, tzinfo=EASTERN))


def _local(moment: Start | None) -> Start | None:
    """A moment in Eastern Time; a day as it is."""
    return as_utc(moment).astimezone(EASTERN) if isinstance(moment, datetime) else moment


def week_start(now: datetime) -> date:
    """The Monday of the Eastern week that contains `now`."""
    local = as_utc(now).astimezone(EASTERN).date()
    return local - timedelta(days=local.weekday())


def _clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    suffix = "a.m." if moment.hour < 12 else "p.m."
    return f"{hour}:{moment.minute:02d} {suffix}" if moment.minute else f"{hour} {suffix}"


def format_eastern(moment: Start | None, *, with_weekday: bool = True) -> str:
    """`Wednesday, June 11, 2025, 10 a.m. ET`; a day without a time is `Tuesday, June 24, 2025,
    time not given`."""
    local = _local(moment)
    if local is None:
        return "Date not announced"
    day = f"{local:%B} {local.day}, {local.year}"
    if with_weekday:
        day = f"{local:%A}, {day}"
    if not isinstance(local, datetime):
        return f"{day}, time not given"
    return f"{day}, {_clock(local)} ET"


def format_eastern_short(moment: Start | None) -> str:
    """`Jun 11, 2025 10 a.m.` (Eastern), for tables; a day without a time is `Jun 24, 2025`."""
    local = _local(moment)
    if local is None:
        return "—"
    day = f"{local:%b} {local.day}, {local.year}"
    return f"{day} {_clock(local)}" if isinstance(local, datetime) else day


def format_eastern_seconds(moment: datetime | None) -> str:
    """`2025-06-11 10:04:31 ET`, for logs and the admin, where seconds matter."""
    local = eastern(moment)
    return "—" if local is None else f"{local:%Y-%m-%d %H:%M:%S} ET"


def format_eastern_time(moment: Start | None) -> str:
    """`10 a.m.`; empty for no start, or a day without a time."""
    if not isinstance(moment, datetime):
        return ""
    return _clock(as_utc(moment).astimezone(EASTERN))


def format_utc(moment: datetime | None) -> str:
    """`2025-06-11 14:00 UTC`."""
    if moment is None:
        return "—"
    return f"{as_utc(moment):%Y-%m-%d %H:%M} UTC"


def iso_z(moment: Start | None) -> str | None:
    """`2025-06-11T14:00:00Z`; `2025-06-24` for a day without a time; or None."""
    if isinstance(moment, datetime):
        return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None if moment is None else moment.isoformat()
