"""The entity pages: witnesses, organizations, committees and members, each a list and a page."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine

from hearings.web.committee_entities import list_committees, load_committee
from hearings.web.entities import list_witnesses, load_witness
from hearings.web.errors import NotFound
from hearings.web.filter_choices import facets
from hearings.web.filters import (
    CHAMBER_NAME,
    CHAMBER_OR_JOINT,
    CongressParameter,
    HearingFilters,
    congress_selection,
)
from hearings.web.listing import find_hearings
from hearings.web.member_entities import list_members, load_member
from hearings.web.organizations import load_organization
from hearings.web.printed_hearing_filters import PrintedHearingFilters
from hearings.web.printed_hearing_records import list_printed_hearings

router = APIRouter(include_in_schema=False)
PER_PAGE = 50
# A committee's page shows its latest printed hearings; the printed hearings list has them all.
PRINTED_SHOWN = 10

PageNumber = Annotated[int, Query(ge=1, le=2000)]


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _render(request: Request, name: str, context: dict[str, Any], **kwargs: Any) -> Response:
    response: Response = request.app.state.render(request, name, context, **kwargs)
    return response


def past_the_end(request: Request, page: int, total: int, per_page: int) -> Response | None:
    """A page number past the last page goes to the last page (there is nothing to show)."""
    last = max(1, -(-total // per_page))
    if page <= last:
        return None
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    if last > 1:
        params.append(("page", str(last)))
    query = urlencode(params)
    return RedirectResponse(request.url.path + (f"?{query}" if query else ""), status_code=303)


@router.get("/witnesses", name="witnesses")
def witnesses_page(
    request: Request,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: PageNumber = 1,
    congress: CongressParameter = None,
) -> Response:
    """Witnesses by last name; with `congress`, those who appeared in those Congresses."""
    selection = congress_selection(congress)
    with _engine(request).connect() as connection:
        total, rows = list_witnesses(
            connection,
            q=q,
            limit=PER_PAGE,
            offset=(page - 1) * PER_PAGE,
            congresses=selection.numbers if selection else None,
        )
    clamped = past_the_end(request, page, total, PER_PAGE)
    if clamped is not None:
        return clamped
    return _render(
        request,
        "witnesses.html",
        {
            "rows": rows,
            "total": total,
            "q": q or "",
            "page": page,
            "per_page": PER_PAGE,
            "filters": HearingFilters(congress=selection),
            "facets": facets(request),
        },
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
    with _engine(request).connect() as connection:
        organization = load_organization(connection, slug)
    if organization is None:
        raise NotFound(f"No witness in this database came from an organization {slug!r}.")
    return _render(request, "organization.html", {"organization": organization})


@router.get("/committees", name="committees")
def committees_page(
    request: Request,
    chamber: Annotated[str | None, Query(pattern=CHAMBER_OR_JOINT)] = None,
    congress: CongressParameter = None,
) -> Response:
    """Every committee with its subcommittees and meeting counts (of `congress` only, when
    given)."""
    selection = congress_selection(congress)
    chamber = chamber.lower() if chamber else None
    with _engine(request).connect() as connection:
        rows = list_committees(
            connection, chamber=chamber, congresses=selection.numbers if selection else None
        )
    parents = [r for r in rows if not r.parent_code]
    children: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        if r.parent_code:
            children[r.parent_code].append(r)
    return _render(
        request,
        "committees.html",
        {
            "parents": parents,
            "children": children,
            "chamber": chamber,
            "total": len(rows),
            "filters": HearingFilters(congress=selection),
            "facets": facets(request),
        },
    )


@router.get("/committees/{code}", name="committee")
def committee_page(
    request: Request,
    code: Annotated[str, Path(max_length=16)],
    page: PageNumber = 1,
    congress: CongressParameter = None,
) -> Response:
    """A committee, its subcommittees, its meetings by Congress (counts), and the meetings
    themselves, newest first (`congress` narrows them)."""
    code = code.lower()
    selection = congress_selection(congress)
    engine = _engine(request)
    with engine.connect() as connection:
        committee = load_committee(connection, code)
        if committee is None:
            raise NotFound(f"There is no committee with code {code!r}.")
        filters = HearingFilters(
            congress=selection, committee=code, sort="newest", page=page, per_page=PER_PAGE
        )
        meetings = find_hearings(connection, filters)
        printed_hearings = list_printed_hearings(
            connection,
            PrintedHearingFilters(congress=selection, committee=code, per_page=PRINTED_SHOWN),
        )
    clamped = past_the_end(request, page, meetings.total, PER_PAGE)
    if clamped is not None:
        return clamped
    return _render(
        request,
        "committee.html",
        {
            "committee": committee,
            "meetings": meetings,
            "filters": filters,
            "printed_hearings": printed_hearings,
        },
    )


@router.get("/members", name="members")
def members_page(
    request: Request,
    q: Annotated[str | None, Query(max_length=200)] = None,
    chamber: Annotated[str | None, Query(pattern=CHAMBER_NAME)] = None,
    page: PageNumber = 1,
) -> Response:
    with _engine(request).connect() as connection:
        total, rows = list_members(
            connection, q=q, chamber=chamber, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
        )
    clamped = past_the_end(request, page, total, PER_PAGE)
    if clamped is not None:
        return clamped
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
