"""The week view of /hearings: one Eastern week, Monday to Sunday, grouped by day."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import Connection, func, select

from hearings.store import schema
from hearings.web.filters import HearingFilters
from hearings.web.listing import HearingSummary, filter_clauses, find_hearings
from hearings.web.timefmt import eastern, eastern_day_start

# More than any real week holds; a week is one page.
WEEK_LIMIT = 1000


@dataclass
class WeekDay:
    day: date
    meetings: list[HearingSummary]
    is_today: bool


@dataclass
class WeekView:
    monday: date
    days: list[WeekDay]
    total: int
    today: date
    # The nearest weeks that have meetings, when the neighbours are empty.
    earlier: date | None
    later: date | None

    @property
    def shown(self) -> int:
        return sum(len(d.meetings) for d in self.days)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def following(self) -> date:
        return self.monday + timedelta(days=7)

    @property
    def is_current(self) -> bool:
        return self.monday <= self.today <= self.sunday


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def load_week(
    connection: Connection, filters: HearingFilters, monday: date, today: date
) -> WeekView:
    """The meetings of the week starting `monday` that match `filters`, by day. Weekdays always
    get a heading (an empty one says so); Saturday and Sunday only when they hold meetings or
    are today."""
    sunday = monday + timedelta(days=6)
    week = replace(filters, date_from=monday, date_to=sunday, sort="date", page=1)
    found = find_hearings(connection, week, limit=WEEK_LIMIT, offset=0)
    by_day: dict[date, list[HearingSummary]] = {monday + timedelta(days=i): [] for i in range(7)}
    for meeting in found.rows:
        local = eastern(meeting.start_at)
        if local is not None and local.date() in by_day:
            by_day[local.date()].append(meeting)
    days = [
        WeekDay(day, meetings, day == today)
        for day, meetings in by_day.items()
        if day.weekday() < 5 or meetings or day == today
    ]
    earlier = later = None
    if found.total == 0 or not any(d.meetings for d in days):
        earlier, later = _nearest_weeks(connection, filters, monday)
    return WeekView(monday, days, found.total, today, earlier, later)


def _nearest_weeks(
    connection: Connection, filters: HearingFilters, monday: date
) -> tuple[date | None, date | None]:
    """The Mondays of the last week before, and the first week after, that have meetings."""
    hearings = schema.hearings
    clauses = filter_clauses(connection, replace(filters, date_from=None, date_to=None))
    start = eastern_day_start(monday)
    end = eastern_day_start(monday + timedelta(days=7))
    before = connection.execute(
        select(func.max(hearings.c.start_at)).where(*clauses, hearings.c.start_at < start)
    ).scalar()
    after = connection.execute(
        select(func.min(hearings.c.start_at)).where(*clauses, hearings.c.start_at >= end)
    ).scalar()
    earlier_local, later_local = eastern(before), eastern(after)
    return (
        monday_of(earlier_local.date()) if earlier_local else None,
        monday_of(later_local.date()) if later_local else None,
    )
