"""The HTML pages. Each has a JSON twin under /api (see api.py)."""

from __future__ import annotations

import calendar as calendar_module
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from markupsafe import Markup
from sqlalchemy import Engine, func, select

from hearings.store import schema
from hearings.web import entity_pages, exports
from hearings.web.committee_names import committee_label
from hearings.web.detail import load_hearing
from hearings.web.entity_pages import past_the_end
from hearings.web.errors import BadParameter, NotFound
from hearings.web.filters import COMMITTEE_CODE, HearingFilters, hearing_filters
from hearings.web.history_routes import shown_history
from hearings.web.listing import HearingPage, find_hearings
from hearings.web.timefmt import EASTERN, as_utc, eastern
from hearings.web.week import load_week, monday_of

router = APIRouter(include_in_schema=False)
router.include_router(entity_pages.router)

Filters = Annotated[HearingFilters, Depends(hearing_filters)]


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
            ).all()
        choices = committee_choices(rows)
        return {
            "congresses": congresses,
            "types": types,
            # Rendered once here: a loop over ~200 committees was a third of a search page's
            # rendering time.
            "committee_options": committee_options(choices),
            "committee_labels": {code: label for code, label, _ in choices},
        }

    facts: dict[str, Any] = request.app.state.cache.get("facets", compute)
    return facts


def committee_choices(rows: Sequence[Any]) -> list[tuple[str, str, str]]:
    """(code, label, chamber) for the committee filter: committees by name within each chamber,
    each followed by its subcommittees, labelled with the parent."""
    names = {r.system_code: r.name or r.system_code for r in rows}
    children: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        if r.parent_code:
            children[r.parent_code].append(r)
    choices = []
    tops = [r for r in rows if not r.parent_code or r.parent_code not in names]
    for top in sorted(tops, key=lambda r: (r.chamber or "~", names[r.system_code].lower())):
        choices.append((top.system_code, names[top.system_code], top.chamber or ""))
        for sub in sorted(children[top.system_code], key=lambda r: names[r.system_code].lower()):
            label = committee_label(sub.name, sub.system_code, names[top.system_code])
            choices.append((sub.system_code, label, sub.chamber or ""))
    return choices


def committee_options(choices: list[tuple[str, str, str]]) -> Markup:
    return Markup("").join(
        Markup('<option value="{}">{} · {}</option>').format(code, chamber, label)
        for code, label, chamber in choices
    )


def with_selected(options: Markup, value: str | None) -> Markup:
    """`options` with the one whose value is `value` selected."""
    if not value:
        return options
    option = str(Markup('<option value="{}">').format(value))
    return Markup(str(options).replace(option, option[:-1] + " selected>", 1))


def run_search(request: Request, filters: HearingFilters) -> HearingPage:
    """One page of meetings: ranked when there is a query, else in the order asked for."""
    engine = _engine(request)
    if filters.q:
        request.app.state.index_guard.ensure(engine)
    with engine.connect() as connection:
        return find_hearings(connection, filters)


def _today(request: Request) -> date:
    return as_utc(request.app.state.clock()).astimezone(EASTERN).date()


def _week_url(filters: HearingFilters, monday: date) -> str:
    return "/hearings?" + urlencode([*filters.params(page=None), ("week", monday.isoformat())])


@router.get("/hearings", name="hearings")
def hearings_page(
    request: Request,
    filters: Filters,
    week: Annotated[date | None, Query(description="Any day of the week to show.")] = None,
) -> Response:
    """The week view (this week by default, or `week`), narrowed by any filters; with a query,
    a sort or a date range, a ranked or ordered list of pages instead."""
    if week is not None and not 1900 <= week.year <= 2200:
        raise BadParameter("week", "week must be a day between 1900 and 2200.")
    listing = bool(filters.q or filters.sort or filters.date_from or filters.date_to)
    if not listing and (week is not None or filters.is_blank()):
        today = _today(request)
        with _engine(request).connect() as connection:
            view = load_week(connection, filters, monday_of(week or today), today)
        return _render(
            request,
            "hearings.html",
            {
                "mode": "week",
                "week": view,
                "filters": filters,
                "facets": facets(request),
                "with_selected": with_selected,
                "week_url": lambda monday: _week_url(filters, monday),
            },
        )
    page = run_search(request, filters)
    clamped = past_the_end(request, filters.page, page.total, filters.per_page)
    if clamped is not None:
        return clamped
    return _render(
        request,
        "hearings.html",
        {
            "mode": "search" if filters.q else "list",
            "page": page,
            "filters": filters,
            "facets": facets(request),
            "with_selected": with_selected,
        },
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
    history = shown_history(_engine(request), event_id)
    return _render(request, "hearing.html", {"hearing": detail, "history": history})


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


@router.get("/api", name="api_docs")
def api_docs(request: Request) -> Response:
    document = request.app.openapi()
    operations = []
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            operations.append({"path": path, "method": method.upper(), **operation})
    return _render(request, "api.html", {"document": document, "operations": operations})
