"""The JSON API: the same data and filters as the pages, documented at /openapi.json and /api."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import Engine

from hearings.web.committee_entities import list_committees, load_committee
from hearings.web.detail import load_hearing
from hearings.web.entities import list_witnesses, load_witness
from hearings.web.entity_models import MemberList, MemberResult, WitnessList, WitnessResult
from hearings.web.errors import NotFound
from hearings.web.filters import (
    MAX_PAGE,
    MAX_PER_PAGE,
    CongressParameter,
    HearingFilters,
    any_case,
    congress_selection,
    hearing_filters,
)
from hearings.web.meeting_models import HearingList, meeting_result
from hearings.web.member_entities import list_members, load_member
from hearings.web.organizations import load_organization
from hearings.web.pages import run_search
from hearings.web.paging import page_count, page_fields, query_of
from hearings.web.status import database_stats, update_status

# Read in any case, as the entity pages read them: `?chamber=Senate` as `senate`.
_COMMITTEE_CHAMBER = Literal["house", "senate", "joint"]
_MEMBER_CHAMBER = Literal["house", "senate"]
CommitteeChamber = Annotated[_COMMITTEE_CHAMBER, any_case(_COMMITTEE_CHAMBER)]
MemberChamber = Annotated[_MEMBER_CHAMBER, any_case(_MEMBER_CHAMBER)]

router = APIRouter(prefix="/api", tags=["api"])


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


@router.get("/hearings", response_model=HearingList, summary="Search and list meetings")
def api_hearings(
    request: Request, filters: Annotated[HearingFilters, Depends(hearing_filters)]
) -> HearingList:
    """Meetings matching the filters; with `q`, ranked by relevance with a snippet. Without any
    filter, all meetings, newest first. A page past the last is empty."""
    if filters.is_blank():
        filters = HearingFilters(sort="newest", page=filters.page, per_page=filters.per_page)
    page = run_search(request, filters)
    return HearingList(
        total=page.total,
        page=filters.page,
        per_page=filters.per_page,
        sort=page.sort,
        also_searched=page.also_searched,
        results=[meeting_result(m) for m in page.rows],
        **page_fields(
            "/api/hearings",
            filters.page,
            page.pages,
            lambda number: filters.query_string(page=number),
        ),
        csv="/hearings.csv" + filters.query_string(page=1),
        json_export="/hearings.json" + filters.query_string(page=1),
    )


@router.get("/hearings/{event_id}", summary="One meeting with everything attached")
def api_hearing(request: Request, event_id: Annotated[str, Path(max_length=32)]) -> dict[str, Any]:
    with _engine(request).connect() as connection:
        detail = load_hearing(connection, event_id)
    if detail is None:
        raise NotFound(f"There is no meeting with id {event_id!r} in this database.")
    return detail.as_json()


PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]
_LIST_DEFAULTS = {"page": 1, "per_page": 25}


@router.get(
    "/witnesses",
    response_model=WitnessList,
    summary="Witnesses by name, with their appearance counts",
)
def api_witnesses(
    request: Request,
    q: Annotated[
        str | None, Query(max_length=200, description="Words of the name or organization.")
    ] = None,
    page: PageNumber = 1,
    per_page: PerPage = 25,
    congress: CongressParameter = None,
) -> WitnessList:
    """Witnesses by last name; with `congress`, those who appeared in those Congresses, and
    `appearance_count` counts their appearances there. A page past the last is empty."""
    selection = congress_selection(congress)
    with _engine(request).connect() as connection:
        total, rows = list_witnesses(
            connection,
            q=q,
            limit=per_page,
            offset=(page - 1) * per_page,
            congresses=selection.numbers if selection else None,
        )
    query = query_of(
        {"q": q, "congress": congress, "page": page, "per_page": per_page}, _LIST_DEFAULTS
    )
    return WitnessList(
        total=total,
        page=page,
        per_page=per_page,
        results=[
            WitnessResult.model_validate({**w.as_json(), "url": f"/witnesses/{w.witness_id}"})
            for w in rows
        ],
        **page_fields("/api/witnesses", page, page_count(total, per_page), query),
    )


@router.get("/witnesses/{witness_id}", summary="A witness with every appearance")
def api_witness(
    request: Request, witness_id: Annotated[str, Path(max_length=96)]
) -> dict[str, Any]:
    with _engine(request).connect() as connection:
        witness = load_witness(connection, witness_id)
    if witness is None:
        raise NotFound(f"There is no witness with id {witness_id!r}.")
    return witness.as_json()


@router.get(
    "/organizations/{slug}",
    summary="The witnesses from an organization",
    description="Each witness with their appearances, most appearances first: at most 1,000 "
    "witnesses, those with the most appearances; `witness_count` counts them all.",
)
def api_organization(
    request: Request, slug: Annotated[str, Path(max_length=300)]
) -> dict[str, Any]:
    with _engine(request).connect() as connection:
        organization = load_organization(connection, slug)
    if organization is None:
        raise NotFound(f"No witness in this database came from an organization {slug!r}.")
    return organization.as_json()


@router.get("/committees", summary="Committees and subcommittees with their meeting counts")
def api_committees(
    request: Request,
    chamber: Annotated[CommitteeChamber | None, Query()] = None,
    congress: CongressParameter = None,
) -> dict[str, Any]:
    """Every committee; with `congress`, `hearing_count` counts those Congresses' meetings."""
    selection = congress_selection(congress)
    with _engine(request).connect() as connection:
        rows = list_committees(
            connection, chamber=chamber, congresses=selection.numbers if selection else None
        )
    return {"total": len(rows), "results": [c.as_json() for c in rows]}


@router.get("/committees/{code}", summary="A committee with its subcommittees")
def api_committee(request: Request, code: Annotated[str, Path(max_length=16)]) -> dict[str, Any]:
    with _engine(request).connect() as connection:
        committee = load_committee(connection, code.lower())
    if committee is None:
        raise NotFound(f"There is no committee with code {code!r}.")
    return {
        **committee.as_json(),
        "hearings": f"/api/hearings?committee={committee.committee.system_code}",
        "printed_hearings": f"/api/printed-hearings?committee={committee.committee.system_code}",
    }


@router.get("/members", response_model=MemberList, summary="Members of Congress")
def api_members(
    request: Request,
    q: Annotated[str | None, Query(max_length=200)] = None,
    chamber: Annotated[MemberChamber | None, Query()] = None,
    page: PageNumber = 1,
    per_page: PerPage = 25,
) -> MemberList:
    """Members by last name; `q` is words of the name, or a state's name or postal code. A page
    past the last is empty."""
    with _engine(request).connect() as connection:
        total, rows = list_members(
            connection, q=q, chamber=chamber, limit=per_page, offset=(page - 1) * per_page
        )
    query = query_of(
        {"q": q, "chamber": chamber, "page": page, "per_page": per_page}, _LIST_DEFAULTS
    )
    return MemberList(
        total=total,
        page=page,
        per_page=per_page,
        results=[MemberResult.model_validate(m.as_json()) for m in rows],
        **page_fields("/api/members", page, page_count(total, per_page), query),
    )


@router.get("/members/{bioguide_id}", summary="A member, and any testimony as a witness")
def api_member(
    request: Request, bioguide_id: Annotated[str, Path(max_length=16)]
) -> dict[str, Any]:
    with _engine(request).connect() as connection:
        member = load_member(connection, bioguide_id.upper())
    if member is None:
        raise NotFound(f"There is no member with id {bioguide_id!r}.")
    return member.as_json()


@router.get(
    "/stats",
    summary="Counts of everything in the database",
    description="With `congress`, the counts of those Congresses only: their meetings and what "
    "hangs off them, the committees that met and the witnesses who appeared in them, their "
    "bills and printed hearings; `members` is null, as members are not stored by Congress.",
)
def api_stats(request: Request, congress: CongressParameter = None) -> dict[str, Any]:
    engine = _engine(request)
    selection = congress_selection(congress)
    numbers = selection.numbers if selection is not None else None

    def compute() -> dict[str, Any]:
        with engine.connect() as connection:
            return database_stats(connection, numbers)

    if numbers is not None:
        # Not cached: the cache keeps every key it is given, and spellings are many.
        return compute()
    # Counting every table is the slowest thing the API does; the counts move only with updates.
    stats: dict[str, Any] = request.app.state.cache.get("stats", compute)
    return stats


@router.get("/update-status", summary="When the data was last updated, and how that went")
def api_update_status(request: Request) -> dict[str, Any]:
    with _engine(request).connect() as connection:
        return update_status(connection)
