"""The HTML pages. Each has a JSON twin under /api (see api.py)."""

from __future__ import annotations

import calendar as calendar_module
import re
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import Engine, func, select

from hearings.store import schema
from hearings.web import exports
from hearings.web.detail import load_hearing
from hearings.web.entities import (
    ORGANIZATION_SLUG,
    list_committees,
    list_members,
    list_witnesses,
    load_committee,
    load_member,
    load_organization,
    load_witness,
    organization_key,
)
from hearings.web.errors import BadParameter, NotFound
from hearings.web.filters import COMMITTEE_CODE, HearingFilters, hearing_filters
from hearings.web.listing import HearingPage, find_hearings
from hearings.web.timefmt import EASTERN, as_utc, eastern, eastern_day_start, week_start

router = APIRouter(include_in_schema=False)
PER_PAGE = 50

Filters = Annotated[HearingFilters, Depends(hearing_filters)]
PageNumber = Annotated[int, Query(ge=1, le=2000)]


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _render(request: Request, name: str, context: dict[str, Any], **kwargs: Any) -> Response:
    response: Response = request.app.state.render(request, name, context, **kwargs)
    return response


def facets(request: Request) -> dict[str, Any]:
    """The choices of the filter form (cached: they change only with an update)."""

    def compute() -> dict[str, Any]:
        hearings, committees = schema.hearings, schema.committees
        with _engine(request).connect() as connection:
            congresses = sorted(
                connection.execute(select(hearings.c.congress).distinct()).scalars(), reverse=True
            )
            types = sorted(
                {
                    t
                    for t in connection.execute(
                        select(hearings.c.meeting_type).distinct()
                    ).scalars()
                    if t
                }
            )
            rows = connection.execute(
                select(
                    committees.c.system_code,
                    committees.c.name,
                    committees.c.chamber,
                    committees.c.parent_code,
                )
                .where(committees.c.parent_code.is_(None))
                .order_by(committees.c.chamber, committees.c.name)
            ).all()
        return {
            "congresses": congresses,
            "types": types,
            "committees": [(r.system_code, r.name or r.system_code, r.chamber) for r in rows],
        }

    facts: dict[str, Any] = request.app.state.cache.get("facets", compute)
    return facts


def run_search(request: Request, filters: HearingFilters) -> tuple[HearingPage, dict[str, Any]]:
    """The page of results and how it was chosen (the default view, or its fallback)."""
    engine = _engine(request)
    if filters.q:
        request.app.state.index_guard.ensure(engine)
    view: dict[str, Any] = {"mode": "search" if filters.q else "list"}
    with engine.connect() as connection:
        if filters.is_blank():
            # The default view: this week and what comes next.
            monday = week_start(request.app.state.clock())
            upcoming = replace(filters, sort="date")
            page = find_hearings(connection, upcoming, since=eastern_day_start(monday))
            view = {"mode": "upcoming", "week_start": monday}
            if page.total == 0:
                page = find_hearings(connection, replace(filters, sort="newest"))
                view["fallback"] = True
        else:
            page = find_hearings(connection, filters)
    return page, view


@router.get("/hearings", name="hearings")
def hearings_page(request: Request, filters: Filters) -> Response:
    page, view = run_search(request, filters)
    return _render(
        request,
        "hearings.html",
        {"page": page, "filters": filters, "view": view, "facets": facets(request)},
    )


@router.get("/hearings.csv")
def hearings_csv(request: Request, filters: Filters) -> Response:
    return _export(request, filters, "csv")


@router.get("/hearings.json")
def hearings_json(request: Request, filters: Filters) -> Response:
    return _export(request, filters, "json")


def _export(request: Request, filters: HearingFilters, fmt: str) -> Response:
    engine = _engine(request)
    if filters.q:
        request.app.state.index_guard.ensure(engine)
    body = exports.export_search(engine, filters, fmt)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return StreamingResponse(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="hearings.{fmt}"'},
    )


EventId = Annotated[str, Path(max_length=32)]


@router.get("/hearings/{event_id}", name="hearing")
def hearing_page(request: Request, event_id: EventId) -> Response:
    with _engine(request).connect() as connection:
        detail = load_hearing(connection, event_id)
    if detail is None:
        raise NotFound(f"There is no meeting with id {event_id!r} in this database.")
    return _render(request, "hearing.html", {"hearing": detail})


# ---- calendar --------------------------------------------------------------------------------


def _month(value: str | None, today: date) -> date:
    if not value:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise BadParameter("month", f"month {value!r} is not a month; use YYYY-MM.") from None


@router.get("/calendar", name="calendar")
def calendar_page(
    request: Request,
    month: Annotated[str | None, Query(max_length=7, pattern=r"^\d{4}-\d{1,2}$")] = None,
    committee: Annotated[str | None, Query(pattern=COMMITTEE_CODE)] = None,
) -> Response:
    now = request.app.state.clock()
    today = as_utc(now).astimezone(EASTERN).date()
    first = _month(month, today)
    if not 1900 <= first.year <= 2200:
        raise BadParameter("month", "month must be between 1900 and 2200.")
    last = date(first.year, first.month, calendar_module.monthrange(first.year, first.month)[1])
    code = committee.lower() if committee else None
    engine = _engine(request)
    with engine.connect() as connection:
        in_month = find_hearings(
            connection,
            HearingFilters(committee=code, date_from=first, date_to=last, sort="date"),
            limit=2000,
            offset=0,
        )
        upcoming = find_hearings(
            connection,
            HearingFilters(committee=code, date_from=today, sort="date"),
            limit=20,
            offset=0,
        )
        latest = connection.execute(select(func.max(schema.hearings.c.start_at))).scalar()
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
        "calendar.html",
        {
            "first": first,
            "weeks": weeks,
            "by_day": by_day,
            "today": today,
            "previous": previous,
            "following": following,
            "upcoming": upcoming,
            "committee": code,
            "month_total": in_month.total,
            "latest_month": latest_local.date().replace(day=1) if latest_local else None,
        },
    )


# ---- entities --------------------------------------------------------------------------------


@router.get("/witnesses", name="witnesses")
def witnesses_page(
    request: Request,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: PageNumber = 1,
) -> Response:
    with _engine(request).connect() as connection:
        total, rows = list_witnesses(connection, q=q, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return _render(
        request,
        "witnesses.html",
        {"rows": rows, "total": total, "q": q or "", "page": page, "per_page": PER_PAGE},
    )


@router.get("/witnesses/{witness_id}", name="witness")
def witness_page(request: Request, witness_id: Annotated[str, Path(max_length=96)]) -> Response:
    with _engine(request).connect() as connection:
        witness = load_witness(connection, witness_id)
    if witness is None:
        raise NotFound(f"There is no witness with id {witness_id!r}.")
    return _render(request, "witness.html", {"witness": witness})


@router.get("/organizations/{slug}", name="organization")
def organization_page(request: Request, slug: Annotated[str, Path(max_length=300)]) -> Response:
    if not re.match(ORGANIZATION_SLUG, slug):
        raise NotFound(f"There is no organization {slug!r}.")
    with _engine(request).connect() as connection:
        organization = load_organization(connection, organization_key(slug))
    if organization is None:
        raise NotFound(f"No witness in this database came from an organization {slug!r}.")
    return _render(request, "organization.html", {"organization": organization})


@router.get("/committees", name="committees")
def committees_page(
    request: Request,
    chamber: Annotated[str | None, Query(pattern="^(?i:house|senate|joint)$")] = None,
) -> Response:
    with _engine(request).connect() as connection:
        rows = list_committees(connection, chamber=chamber)
    parents = [r for r in rows if not r.parent_code]
    children: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        if r.parent_code:
            children[r.parent_code].append(r)
    return _render(
        request,
        "committees.html",
        {"parents": parents, "children": children, "chamber": chamber, "total": len(rows)},
    )


@router.get("/committees/{code}", name="committee")
def committee_page(
    request: Request,
    code: Annotated[str, Path(max_length=16)],
    page: PageNumber = 1,
) -> Response:
    code = code.lower()
    engine = _engine(request)
    with engine.connect() as connection:
        committee = load_committee(connection, code)
        if committee is None:
            raise NotFound(f"There is no committee with code {code!r}.")
        filters = HearingFilters(committee=code, sort="newest", page=page, per_page=PER_PAGE)
        meetings = find_hearings(connection, filters)
    return _render(
        request,
        "committee.html",
        {"committee": committee, "meetings": meetings, "filters": filters},
    )


@router.get("/members", name="members")
def members_page(
    request: Request,
    q: Annotated[str | None, Query(max_length=200)] = None,
    chamber: Annotated[str | None, Query(pattern="^(?i:house|senate)$")] = None,
    page: PageNumber = 1,
) -> Response:
    with _engine(request).connect() as connection:
        total, rows = list_members(
            connection, q=q, chamber=chamber, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
        )
    return _render(
        request,
        "members.html",
        {
            "rows": rows,
            "total": total,
            "q": q or "",
            "chamber": chamber or "",
            "page": page,
            "per_page": PER_PAGE,
        },
    )


@router.get("/members/{bioguide_id}", name="member")
def member_page(request: Request, bioguide_id: Annotated[str, Path(max_length=16)]) -> Response:
    with _engine(request).connect() as connection:
        member = load_member(connection, bioguide_id.upper())
    if member is None:
        raise NotFound(f"There is no member with id {bioguide_id!r}.")
    return _render(request, "member.html", {"member": member})


@router.get("/api", name="api_docs")
def api_docs(request: Request) -> Response:
    document = request.app.openapi()
    operations = []
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            operations.append({"path": path, "method": method.upper(), **operation})
    return _render(request, "api.html", {"document": document, "operations": operations})
