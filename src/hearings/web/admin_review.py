"""The admin's review of suspicious changes: versions held for review (SUSPICIOUS_CHANGES=hold)
with Accept and Reject, and the changes recent runs flagged, held or skipped.

Accept and Reject are POST forms with the admin's CSRF token, like Retry; they call the same
library functions as `hearings quarantine accept|reject ID`, and take a backup first as it does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import Connection

from hearings.errors import HearingsError, UpdateAlreadyRunning
from hearings.reports.suspicious_changes import SuspiciousLine, suspicious_lines
from hearings.sync.backups import backup_now
from hearings.sync.review import (
    HeldVersion,
    NoSuchEntry,
    ReviewOutcome,
    accept,
    held_versions,
    reject,
)
from hearings.web.admin_access import require_admin, require_form
from hearings.web.errors import NotFound, WebError
from hearings.web.timefmt import format_eastern

router = APIRouter(prefix="/admin", include_in_schema=False)

# How far back the admin lists flagged changes, and how many at most.
RECENT = timedelta(days=30)
RECENT_LIMIT = 200
_EVENT_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
_NOTICES = {
    "applied": "Accepted and applied the held version of meeting {}.",
    "accepted": "Accepted the held version of meeting {}; the next update applies it.",
    "rejected": "Rejected the held version of meeting {}: it is not applied unless upstream "
    "changes the meeting again.",
}

# A review waits for no update: it takes the writer lock, or is refused at once.
BUSY = "An update is running; try again when it has finished. Nothing was changed."


class ReviewConflict(WebError):
    """The entry cannot be reviewed (already reviewed, not held, an update running)."""

    status_code = 409


@dataclass(frozen=True)
class ReviewSection:
    held: list[HeldVersion]
    recent: list[SuspiciousLine]  # newest first


def review_section(connection: Connection, now: datetime) -> ReviewSection:
    """What the admin shows of suspicious changes; `now` is naive UTC."""
    recent = suspicious_lines(connection, now - RECENT, now)
    shown = [shown_in_eastern(line) for line in reversed(recent)][:RECENT_LIMIT]
    return ReviewSection(held_versions(connection), shown)


def shown_in_eastern(line: SuspiciousLine) -> SuspiciousLine:
    """A removed date as the page gives every time, in Eastern Time. A run records it in UTC
    (`2025-01-20 21:45 UTC`, or `2025-01-20` for a day without a time) and older code reads
    what it recorded, so it is shown so here rather than stored otherwise."""
    if line.reason != "date_removed":
        return line
    try:
        moment: datetime | date = datetime.strptime(line.before, "%Y-%m-%d %H:%M UTC").replace(
            tzinfo=UTC
        )
    except ValueError:
        try:
            moment = date.fromisoformat(line.before)
        except ValueError:
            return line  # not a moment: shown as recorded
    return replace(line, before=format_eastern(moment))


def review_notice(decision: str | None, event_id: str | None) -> str | None:
    """The sentence after a review, from the redirect's query (never free text from it)."""
    template = _NOTICES.get(decision or "")
    if template is None or not event_id or not _EVENT_ID.fullmatch(event_id):
        return None
    return template.format(event_id)


@router.post("/quarantine/accept", name="admin_accept")
def accept_held(
    request: Request,
    error_id: Annotated[int, Form()],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    return _review(request, accept, error_id, csrf)


@router.post("/quarantine/reject", name="admin_reject")
def reject_held(
    request: Request,
    error_id: Annotated[int, Form()],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    return _review(request, reject, error_id, csrf)


def _review(
    request: Request, decide: Callable[..., ReviewOutcome], error_id: int, csrf: str
) -> Response:
    access = require_admin(request)
    require_form(request, access, csrf)
    settings = request.app.state.settings
    try:
        outcome = decide(
            request.app.state.engine,
            error_id,
            backup=lambda: backup_now(settings, now=datetime.now(UTC)),
        )
    except NoSuchEntry:
        raise NotFound(
            f"There is no quarantine entry {error_id}; /admin lists the entries held for review."
        ) from None
    except UpdateAlreadyRunning:
        # Its own sentence is the CLI's ("this one exits without touching it").
        raise ReviewConflict(BUSY) from None
    except HearingsError as exc:
        raise ReviewConflict(str(exc)) from None
    decision = "applied" if outcome.applied else outcome.decision
    if access.session is None:
        backup = str(outcome.backup_path) if outcome.backup_path is not None else None
        return JSONResponse(
            {
                "error_id": error_id,
                "event_id": outcome.event_id,
                "decision": decision,
                "backup": backup,
            }
        )
    return RedirectResponse(
        f"/admin?reviewed={decision}&meeting={outcome.event_id}#suspicious-h", status_code=303
    )


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
