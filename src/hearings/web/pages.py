"""The HTML pages. Each has a JSON twin under /api (see api.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import Engine

from hearings.web import entity_pages, exports
from hearings.web.detail import load_hearing, waiting_version
from hearings.web.entity_pages import past_the_end
from hearings.web.errors import BadParameter, NotFound
from hearings.web.filter_choices import facets, with_selected
from hearings.web.filters import Day, HearingFilters, hearing_filters
from hearings.web.history_routes import shown_history
from hearings.web.listing import HearingPage, find_hearings
from hearings.web.printed_hearing_group import printed_hearing_group
from hearings.web.timefmt import EASTERN, as_utc
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
    week: Annotated[Day | None, Query(description="Any day of the week to show.")] = None,
) -> Response:
    """The week view (this week by default, or `week`), narrowed by any filters; with a query,
    a sort or a date range, a ranked or ordered list of pages instead."""
    if week is not None and not 1900 <= week.year <= 2200:
        raise BadParameter(
            "week", f"Parameter 'week': expected a day from 1900 to 2200, got '{week.isoformat()}'."
        )
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
    with _engine(request).connect() as connection:
        printed = printed_hearing_group(connection, filters)
    return _render(
        request,
        "hearings.html",
        {
            "mode": "search" if filters.q else "list",
            "page": page,
            "printed": printed,
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
    written = exports.export_search(engine, filters, fmt)
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return StreamingResponse(
        written.blocks(),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="hearings.{fmt}"',
            "Content-Length": str(written.size),
        },
    )


EventId = Annotated[str, Path(max_length=32)]


@router.get("/hearings/{event_id}", name="hearing")
def hearing_page(request: Request, event_id: EventId) -> Response:
    with _engine(request).connect() as connection:
        detail = load_hearing(connection, event_id)
        waiting = waiting_version(connection, event_id)
    if detail is None:
        raise NotFound(f"There is no meeting with id {event_id!r} in this database.")
    history = shown_history(_engine(request), event_id)
    context = {"hearing": detail, "history": history, "waiting": waiting}
    return _render(request, "hearing.html", context)


@router.get("/api", name="api_docs")
def api_docs(request: Request) -> Response:
    document = request.app.openapi()
    operations = []
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            operations.append({"path": path, "method": method.upper(), **operation})
    return _render(request, "api.html", {"document": document, "operations": operations})
