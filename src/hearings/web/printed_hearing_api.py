"""The JSON twins of the printed hearings pages: the list, paged as every API list is, and one
printed hearing with its committees and meetings."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from hearings.web.filters import MAX_PER_PAGE
from hearings.web.paging import page_count, page_fields
from hearings.web.printed_hearing_filters import (
    CongressNumber,
    JacketNumber,
    PrintedHearingFilters,
    printed_hearing_filters,
)
from hearings.web.printed_hearing_records import found_printed_hearing, list_printed_hearings

router = APIRouter(prefix="/api", tags=["api"])


class PrintedHearingResult(BaseModel):
    congress: int
    jacket_number: int
    chamber: str | None
    title: str | None
    citation: str | None
    dates: list[str] = Field(description="The days of the hearing, YYYY-MM-DD, as GPO gives them.")
    associated_event_id: str | None = Field(
        description="The meeting the printed hearing names, whether or not it is in this database."
    )
    has_meeting: bool = Field(
        description="Whether a meeting in this database shows it (false: no meeting page does)."
    )
    meeting_url: str | None = Field(
        description="The page of the meeting in this database that shows it, or null."
    )
    url: str
    api_url: str


class PrintedHearingList(BaseModel):
    total: int
    page: int
    per_page: int
    results: list[PrintedHearingResult]
    pages: int
    next: str | None
    previous: str | None


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


@router.get(
    "/printed-hearings",
    response_model=PrintedHearingList,
    summary="Printed hearings (GPO transcripts), newest Congress first",
)
def api_printed_hearings(
    request: Request,
    filters: Annotated[PrintedHearingFilters, Depends(printed_hearing_filters)],
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="Results per page.")] = 25,
) -> PrintedHearingList:
    """Every printed hearing, those whose meeting is not in this database included; newest
    Congress first, then by jacket number. A page past the last is empty."""
    filters = replace(filters, per_page=per_page)
    with _engine(request).connect() as connection:
        found = list_printed_hearings(connection, filters)

    def query(page: int) -> str:
        pairs = filters.params(page)
        if per_page != 25:
            pairs.append(("per_page", str(per_page)))
        return "?" + urlencode(pairs) if pairs else ""

    return PrintedHearingList(
        total=found.total,
        page=filters.page,
        per_page=per_page,
        results=[PrintedHearingResult.model_validate(p.as_json()) for p in found.rows],
        **page_fields(
            "/api/printed-hearings", filters.page, page_count(found.total, per_page), query
        ),
    )


@router.get(
    "/printed-hearings/{congress}/{jacket_number}",
    summary="A printed hearing with its formats, committees and meetings",
)
def api_printed_hearing(
    request: Request, congress: CongressNumber, jacket_number: JacketNumber
) -> dict[str, Any]:
    printed = found_printed_hearing(_engine(request), congress, jacket_number)
    return printed.as_json()
