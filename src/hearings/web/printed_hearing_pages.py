"""The printed hearings pages: the list, with its filters, and one printed hearing. They show the
printed hearings no meeting page can (their meeting is not in this database) among the rest."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from hearings.web.entity_pages import past_the_end
from hearings.web.filter_choices import printed_hearing_facets, with_selected
from hearings.web.printed_hearing_filters import (
    CongressNumber,
    JacketNumber,
    PrintedHearingFilters,
    printed_hearing_filters,
)
from hearings.web.printed_hearing_records import found_printed_hearing, list_printed_hearings

router = APIRouter(include_in_schema=False)
PER_PAGE = 50


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _render(request: Request, name: str, context: dict[str, Any]) -> Response:
    response: Response = request.app.state.render(request, name, context)
    return response


@router.get("/printed-hearings", name="printed_hearings")
def printed_hearings_page(
    request: Request,
    filters: Annotated[PrintedHearingFilters, Depends(printed_hearing_filters)],
) -> Response:
    """Every printed hearing, newest Congress first; the filters narrow them."""
    filters = replace(filters, per_page=PER_PAGE)
    with _engine(request).connect() as connection:
        found = list_printed_hearings(connection, filters)
    clamped = past_the_end(request, filters.page, found.total, PER_PAGE)
    if clamped is not None:
        return clamped
    return _render(
        request,
        "printed_hearings.html",
        {
            "rows": found.rows,
            "total": found.total,
            "filters": filters,
            "facets": printed_hearing_facets(request),
            "with_selected": with_selected,
        },
    )


@router.get("/printed-hearings/{congress}/{jacket_number}", name="printed_hearing")
def printed_hearing_page(
    request: Request, congress: CongressNumber, jacket_number: JacketNumber
) -> Response:
    printed = found_printed_hearing(_engine(request), congress, jacket_number)
    return _render(request, "printed_hearing.html", {"printed": printed})
