"""Atom feeds of changes to meetings, overall and per committee (with its subcommittees): one
entry per new version of a meeting, what changed as its title."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from hearings.congresses import CongressSelection
from hearings.reports.recent_changes import CHANGE_KINDS, recent_changes
from hearings.web.change_rows import change_rows
from hearings.web.changes import belonging_to
from hearings.web.feed_routes import feed_committee_name, feed_key, render_atom
from hearings.web.feeds import ATOM_LIMIT
from hearings.web.filters import (
    COMMITTEE_CODE,
    CongressParameter,
    HearingFilters,
    congress_selection,
)

router = APIRouter(prefix="/feeds", tags=["feeds"])
Code = Annotated[str, Path(pattern=COMMITTEE_CODE, description="Committee system code.")]


def _changes_atom(
    request: Request,
    committee: str | None,
    title: str,
    page_path: str,
    congress: CongressSelection | None,
) -> Response:
    with request.app.state.engine.connect() as connection:
        among, involving = None, None
        if committee is not None or congress is not None:
            narrowing = HearingFilters(congress=congress, committee=committee)
            among, involving = belonging_to(connection, narrowing)
        _, changes = recent_changes(
            connection,
            since=None,
            among=among,
            involving=involving,
            limit=ATOM_LIMIT,
            count_all=False,  # a feed shows the newest entries, never how many there are
        )
        entries = change_rows(connection, changes)
    return render_atom(
        request,
        "changes.atom.xml",
        title=title,
        entries=entries,
        updated=changes[0].first_seen_at if changes else None,
        page_path=page_path,
        feed_id=f"urn:hearings:changes:{feed_key(committee, congress)}",
        kinds=CHANGE_KINDS,
    )


@router.get(
    "/changes.atom",
    summary="Atom feed of changes to meetings",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}},
)
def changes_atom(request: Request, congress: CongressParameter = None) -> Response:
    """The 100 latest changes, one entry per new version of a meeting, titled with what changed
    ("Status: Scheduled → Postponed")."""
    selection = congress_selection(congress)
    return _changes_atom(request, None, "Changes to congressional hearings", "/changes", selection)


@router.get(
    "/committee/{code}/changes.atom",
    summary="Atom feed of changes to one committee's meetings",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}},
)
def committee_changes_atom(
    request: Request, code: Code, congress: CongressParameter = None
) -> Response:
    """Changes to meetings of the committee and its subcommittees."""
    selection = congress_selection(congress)
    name = feed_committee_name(request, code)
    return _changes_atom(
        request,
        code.lower(),
        f"{name}: changes to hearings",
        f"/changes?committee={code.lower()}",
        selection,
    )
