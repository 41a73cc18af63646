"""A meeting's date in history sentences: "Moved from Tue Oct 7, 10:00 a.m. to Thu Oct 9, 2:00
p.m. ET", "Time given: …", "Date removed (was …)", read from a payload's date in either of the
API's formats, in Eastern Time, as Congress keeps time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hearings.congress_api.models import parse_api_moment
from hearings.store.meeting_start import EASTERN, Start


def moved_sentences(before: object, after: object) -> list[str]:
    """A change of date in words ("Moved from … to … ET", "Time given: …", "Date removed (was
    …)"); empty if none."""
    was, now = api_moment(before), api_moment(after)
    if was == now:
        return []
    if was is None:
        return [f"Scheduled for {_when(now)}"] if now else []
    if now is None:
        return [f"Date removed (was {_when(was)})"]
    if not is_move(was, now):
        # The same day with a time given, or taken away.
        if isinstance(now, datetime):
            return [f"Time given: {_when(now)}"]
        return [f"Time removed: {_when(now)} (was {_clock(_local(was))} {_zone(was)})"]
    # Across a new year the years are named: "Jan 25 to Jan 23" alone reads as two days earlier.
    years = _local(was).year != _local(now).year
    # The zone is said once, after the last time: after the first when the new day has none,
    # or when the first is in the hour that comes twice as daylight time ends (1:30 a.m. EDT,
    # then 1:30 a.m. EST: without the zones, a move of an hour read as none).
    zone = not isinstance(now, datetime) or _in_repeated_hour(was)
    shown_was = _when(was, zone=zone, year=years)
    return [f"Moved from {shown_was} to {_when(now, year=years)}"]


def is_move(was: Start | None, now: Start | None) -> bool:
    """Whether a meeting moved: it had a date and has another, and not merely the same day with
    a time given or taken away."""
    if was is None or now is None or was == now:
        return False
    return isinstance(was, datetime) == isinstance(now, datetime) or _day(was) != _day(now)


def api_moment(value: object) -> Start | None:
    """A payload's meeting date in either of the API's formats, a day without a time as a
    `date`, or None where it has none."""
    try:
        return parse_api_moment(value)
    except ValueError:
        return None


def _local(start: Start) -> Start:
    """A moment in Eastern Time; a day without a time as it is."""
    return start.astimezone(UTC).astimezone(EASTERN) if isinstance(start, datetime) else start


def _in_repeated_hour(start: Start) -> bool:
    """Whether a moment's Eastern clock time comes twice (1:00-2:00 a.m. as daylight time
    ends), so that "1:30 a.m. ET" does not say which."""
    local = _local(start)
    if not isinstance(local, datetime):
        return False
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def _day(start: Start) -> date:
    """The Eastern day of a start."""
    local = _local(start)
    return local.date() if isinstance(local, datetime) else local


def _when(moment: Start | None, *, zone: bool = True, year: bool = False) -> str:
    """ "Thu Oct 9, 2:00 p.m. ET" (with `year`, "Thu Oct 9, 2025, 2:00 p.m. ET"), as Congress
    keeps time; in the hour that comes twice, "Sun Nov 2, 1:30 a.m. EDT"; a day without a time
    is "Thu Oct 9"."""
    if moment is None:
        return "no date"
    local = _local(moment)
    day = f"{local:%a %b} {local.day}" + (f", {local.year}" if year else "")
    if not isinstance(local, datetime):
        return day
    return f"{day}, {_clock(local)}" + (f" {_zone(moment)}" if zone else "")


def _zone(start: Start) -> str:
    """ "ET", or "EDT"/"EST" for a clock time that comes twice."""
    local = _local(start)
    if isinstance(local, datetime) and _in_repeated_hour(local):
        return str(local.tzname())
    return "ET"


def _clock(local: Start) -> str:
    """ "2:00 p.m." of an Eastern moment; "2:00:30 p.m." when it has seconds, or a move of
    seconds would read "Moved from … 2:00 p.m. to … 2:00 p.m. ET"."""
    if not isinstance(local, datetime):
        return "no time"
    hour = local.hour % 12 or 12
    seconds = f":{local.second:02d}" if local.second else ""
    return f"{hour}:{local.minute:02d}{seconds} {'a.m.' if local.hour < 12 else 'p.m.'}"
