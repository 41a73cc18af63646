"""Times as readers expect them: Congress meets on Eastern Time, the database stores naive UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")


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


def week_start(now: datetime) -> date:
    """The Monday of the Eastern week that contains `now`."""
    local = as_utc(now).astimezone(EASTERN).date()
    return local - timedelta(days=local.weekday())


def _clock(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    suffix = "a.m." if moment.hour < 12 else "p.m."
    return f"{hour}:{moment.minute:02d} {suffix}" if moment.minute else f"{hour} {suffix}"


def format_eastern(moment: datetime | None, *, with_weekday: bool = True) -> str:
    """`Wednesday, June 11, 2025, 10 a.m. ET`."""
    local = eastern(moment)
    if local is None:
        return "Date not announced"
    day = f"{local:%B} {local.day}, {local.year}"
    if with_weekday:
        day = f"{local:%A}, {day}"
    return f"{day}, {_clock(local)} ET"


def format_eastern_short(moment: datetime | None) -> str:
    """`Jun 11, 2025 10 a.m.` (Eastern), for tables."""
    local = eastern(moment)
    if local is None:
        return "—"
    return f"{local:%b} {local.day}, {local.year} {_clock(local)}"


def format_eastern_seconds(moment: datetime | None) -> str:
    """`2025-06-11 10:04:31 ET`, for logs and the admin, where seconds matter."""
    local = eastern(moment)
    return "—" if local is None else f"{local:%Y-%m-%d %H:%M:%S} ET"


def format_eastern_time(moment: datetime | None) -> str:
    local = eastern(moment)
    return "" if local is None else _clock(local)


def format_utc(moment: datetime | None) -> str:
    """`2025-06-11 14:00 UTC`."""
    if moment is None:
        return "—"
    return f"{as_utc(moment):%Y-%m-%d %H:%M} UTC"


def iso_z(moment: datetime | None) -> str | None:
    """`2025-06-11T14:00:00Z`, or None."""
    return None if moment is None else as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")
