"""/calendar: a month of meetings and what is coming up, narrowed like /hearings by committee
and Congress."""

from __future__ import annotations

import calendar as calendar_module
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Engine, func, select

from hearings.errors import quoted
from hearings.store import schema
from hearings.web.errors import BadParameter
from hearings.web.filter_choices import facets
from hearings.web.filters import (
    COMMITTEE_CODE,
    MONTH,
    CongressParameter,
    HearingFilters,
    congress_selection,
)
from hearings.web.listing import filter_clauses, find_hearings
from hearings.web.timefmt import EASTERN, as_utc, eastern

router = APIRouter(include_in_schema=False)


def _render(request: Request, context: dict[str, Any]) -> Response:
    response: Response = request.app.state.render(request, "calendar.html", context)
    return response


def _month(value: str | None, today: date) -> date:
    if not value:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise BadParameter(
            "month", f"Parameter 'month': expected a month such as 2025-06, got {quoted(value)}."
        ) from None


@router.get("/calendar", name="calendar")
def calendar_page(
    request: Request,
    month: Annotated[str | None, Query(max_length=7, pattern=MONTH)] = None,
    committee: Annotated[str | None, Query(pattern=COMMITTEE_CODE)] = None,
    congress: CongressParameter = None,
) -> Response:
    """A month of meetings and what is coming up, narrowed by `committee` and `congress`."""
    now = request.app.state.clock()
    today = as_utc(now).astimezone(EASTERN).date()
    first = _month(month, today)
    if not 1900 <= first.year <= 2200:
        raise BadParameter(
            "month",
            f"Parameter 'month': expected a month from 1900 to 2200, got {quoted(month or '')}.",
        )
    last = date(first.year, first.month, calendar_module.monthrange(first.year, first.month)[1])
    narrowing = HearingFilters(
        congress=congress_selection(congress), committee=committee.lower() if committee else None
    )
    engine: Engine = request.app.state.engine
    with engine.connect() as connection:
        in_month = find_hearings(
            connection,
            replace(narrowing, date_from=first, date_to=last, sort="date"),
            limit=2000,
            offset=0,
        )
        upcoming = find_hearings(
            connection, replace(narrowing, date_from=today, sort="date"), limit=20, offset=0
        )
        latest = connection.execute(
            select(func.max(schema.hearings.c.start_at)).where(
                *filter_clauses(connection, narrowing)
            )
        ).scalar()
    by_day: dict[date, list[Any]] = defaultdict(list)
    for meeting in in_month.rows:
        local = eastern(meeting.start_at)
        if local is not None:
            by_day[local.date()].append(meeting)
    weeks = calendar_module.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (last + timedelta(days=1)).replace(day=1)
    latest_local = eastern(latest)
    return _render(
        request,
        {
            "first": first,
            "weeks": weeks,
            "by_day": by_day,
            "today": today,
            "previous": previous,
            "following": following,
            "upcoming": upcoming,
            "committee": narrowing.committee,
            "filters": narrowing,
            "facets": facets(request),
            "month_total": in_month.total,
            "latest_month": latest_local.date().replace(day=1) if latest_local else None,
            "calendar_url": lambda month, **changes: _calendar_url(narrowing, month, **changes),
        },
    )


def _calendar_url(narrowing: HearingFilters, month: date, **changes: object) -> str:
    """The calendar of `month` with the page's committee and Congresses (`changes` apply)."""
    return "/calendar?" + urlencode(
        [("month", month.strftime("%Y-%m")), *narrowing.params(**changes)]
    )
