"""Routes of the iCalendar and Atom feeds, overall and per committee (with its subcommittees)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from hearings.congresses import CongressSelection
from hearings.direction_controls import closed_text
from hearings.store.archive_changes import version_counts
from hearings.web.errors import NotFound
from hearings.web.feeds import (
    ATOM_LIMIT,
    ICS_LIMIT,
    atom_entries,
    committee_name,
    feed_meetings,
    render_ics,
)
from hearings.web.filters import COMMITTEE_CODE, CongressParameter, congress_selection

router = APIRouter(prefix="/feeds", tags=["feeds"])
Code = Annotated[str, Path(pattern=COMMITTEE_CODE, description="Committee system code.")]


def feed_base_url(request: Request) -> str:
    """Where the app is, for absolute links in feeds: PUBLIC_BASE_URL when it is set, since the
    Host header is the client's to choose (and a cache would keep a poisoned feed)."""
    configured = request.app.state.settings.public_base_url
    if configured:
        return str(configured)
    return str(request.base_url).rstrip("/")


def feed_self_url(request: Request) -> str:
    query = request.url.query
    return feed_base_url(request) + request.url.path + (f"?{query}" if query else "")


def feed_committee_name(request: Request, code: str) -> str:
    """The committee's name for a feed's title, which goes on after it (": new and changed
    hearings"): the direction controls it leaves open are closed where it ends."""
    with request.app.state.engine.connect() as connection:
        name = committee_name(connection, code.lower())
    if name is None:
        raise NotFound(f"There is no committee with code {code!r}.")
    return closed_text(name)


def feed_key(committee: str | None, congress: CongressSelection | None) -> str:
    """What a feed covers, for its id: `all`, `hsgo00`, `all:118-119`."""
    return (committee or "all") + (f":{congress}" if congress else "")


def render_atom(
    request: Request,
    template: str,
    *,
    title: str,
    entries: Sequence[object],
    updated: datetime | None,
    page_path: str,
    feed_id: str,
    **context: object,
) -> Response:
    """An Atom feed from `template`, with the links and ids every feed of ours carries."""
    base_url = feed_base_url(request)
    response: Response = request.app.state.render(
        request,
        template,
        {
            "title": title,
            "entries": entries,
            "updated": updated,
            "base_url": base_url,
            "self_url": feed_self_url(request),
            "page_url": base_url + page_path,
            "feed_id": feed_id,
            **context,
        },
        media_type="application/atom+xml",
    )
    return response


def _ics(
    request: Request, committee: str | None, title: str, congress: CongressSelection | None
) -> Response:
    with request.app.state.engine.connect() as connection:
        meetings = feed_meetings(
            connection, committee, sort="newest", limit=ICS_LIMIT, congress=congress
        )
        sequences = version_counts(connection, "meeting", [m.event_id for m in meetings])
    body = render_ics(meetings, name=title, base_url=feed_base_url(request), sequences=sequences)
    filename = f"{committee or 'hearings'}.ics"
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get(
    "/hearings.ics",
    summary="iCalendar feed of meetings",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def hearings_ics(request: Request, congress: CongressParameter = None) -> Response:
    """The latest meetings by date (future ones included). Canceled ones are STATUS:CANCELLED;
    SEQUENCE is the meeting's version number in the archive."""
    return _ics(request, None, "Congressional committee hearings", congress_selection(congress))


@router.get(
    "/committee/{code}.ics",
    summary="iCalendar feed of one committee's meetings",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def committee_ics(request: Request, code: Code, congress: CongressParameter = None) -> Response:
    """Meetings of the committee and its subcommittees."""
    selection = congress_selection(congress)
    name = feed_committee_name(request, code)
    return _ics(request, code.lower(), f"{name} hearings", selection)


def _atom(
    request: Request,
    committee: str | None,
    title: str,
    page_path: str,
    congress: CongressSelection | None,
) -> Response:
    with request.app.state.engine.connect() as connection:
        meetings = feed_meetings(
            connection, committee, sort="updated", limit=ATOM_LIMIT, congress=congress
        )
    return render_atom(
        request,
        "feed.atom.xml",
        title=title,
        entries=atom_entries(meetings),
        updated=max((m.last_changed_at for m in meetings), default=None),
        page_path=page_path,
        feed_id=f"urn:hearings:feed:{feed_key(committee, congress)}",
    )


@router.get(
    "/hearings.atom",
    summary="Atom feed of new and changed meetings",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}},
)
def hearings_atom(request: Request, congress: CongressParameter = None) -> Response:
    selection = congress_selection(congress)
    return _atom(request, None, "New and changed congressional hearings", "/hearings", selection)


@router.get(
    "/committee/{code}.atom",
    summary="Atom feed of one committee's new and changed meetings",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}},
)
def committee_atom(request: Request, code: Code, congress: CongressParameter = None) -> Response:
    selection = congress_selection(congress)
    name = feed_committee_name(request, code)
    return _atom(
        request,
        code.lower(),
        f"{name}: new and changed hearings",
        f"/committees/{code.lower()}",
        selection,
    )
