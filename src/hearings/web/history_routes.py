"""A meeting's history on the web: `/api/hearings/{event_id}/history`, and the versions the
hearing page's History section shows (newest first, times in Eastern Time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from sqlalchemy import Engine, select

from hearings.reports.history import meeting_history
from hearings.store import schema
from hearings.web.errors import NotFound
from hearings.web.history_document import history_document, seen_moment

router = APIRouter(prefix="/api", tags=["api"])


@dataclass(frozen=True)
class ShownVersion:
    """One version as the hearing page shows it."""

    version: int
    seen_at: datetime
    run_id: int | None
    changes: list[str]
    # Applied by a reviewer's accept in /admin or `hearings quarantine accept`, not by a run.
    accepted_from_quarantine: bool = False


def shown_history(engine: Engine, event_id: str) -> list[ShownVersion]:
    """The versions of a meeting, newest first; empty when there is only one (nothing changed)."""
    entries = meeting_history(engine, event_id)
    if len(entries) < 2:
        return []
    return [
        ShownVersion(
            e.version, seen_moment(e.first_seen), e.run_id, e.changes, e.accepted_from_quarantine
        )
        for e in reversed(entries)
    ]


@router.get("/hearings/{event_id}/history", summary="Every archived version of a meeting")
def api_history(request: Request, event_id: Annotated[str, Path(max_length=32)]) -> dict[str, Any]:
    """The versions of a meeting in the payload archive, oldest first, each with when it was
    first seen, the update run that fetched it, and what changed from the version before in
    plain sentences ("Status: Scheduled → Postponed"). The first version says "First seen"."""
    engine: Engine = request.app.state.engine
    entries = meeting_history(engine, event_id)
    if not entries:
        hearings = schema.hearings
        with engine.connect() as connection:
            known = connection.execute(
                select(hearings.c.event_id).where(hearings.c.event_id == event_id)
            ).first()
        if known is None:
            raise NotFound(f"There is no meeting with id {event_id!r} in this database.")
    return history_document(event_id, entries)
