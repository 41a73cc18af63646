"""The admin: update runs over time, the latest run's batches, suspicious changes (held for
review, and flagged), the quarantine and the backups.

It exists only when ADMIN_TOKEN is set. A browser signs in with the token and gets a session
(see admin_sessions: it expires, ends at logout and when the token changes); scripts send
`Authorization: Bearer TOKEN`. Wrong tokens are throttled per client.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection, func, select, update

from hearings.store import schema
from hearings.store.engine import writing
from hearings.store.run_tables import MAX_INTEGER_ID
from hearings.web.admin_access import (
    COOKIE,
    AdminForbidden,
    AdminUnauthorized,
    check_token,
    configured_token,
    now,
    require_admin,
    require_form,
)
from hearings.web.admin_review import review_notice, review_section, utc_now
from hearings.web.admin_sessions import SessionStore
from hearings.web.charts import Chart, stacked_bars
from hearings.web.status import RunSummary, recent_runs, with_covered_congresses

log = logging.getLogger(__name__)
router = APIRouter(prefix="/admin", include_in_schema=False)


# ---- what the admin shows --------------------------------------------------------------------


@dataclass(frozen=True)
class QuarantineRow:
    error_id: int
    entity: str
    identifier: str
    stage: str
    reason: str
    attempts: int
    first_seen_at: datetime
    last_seen_at: datetime
    resolved: bool
    resolved_at: datetime | None


def quarantine_rows(connection: Connection, *, include_resolved: bool) -> list[QuarantineRow]:
    errors = schema.import_errors
    query = select(
        errors.c.error_id,
        errors.c.entity,
        errors.c.identifier,
        errors.c.stage,
        errors.c.reason,
        errors.c.attempts,
        errors.c.first_seen_at,
        errors.c.last_seen_at,
        errors.c.resolved,
        errors.c.resolved_at,
    ).order_by(errors.c.resolved, errors.c.last_seen_at.desc(), errors.c.error_id.desc())
    if not include_resolved:
        query = query.where(errors.c.resolved.is_(False))
    return [
        QuarantineRow(
            int(r.error_id),
            r.entity,
            r.identifier,
            r.stage,
            r.reason,
            int(r.attempts),
            r.first_seen_at,
            r.last_seen_at,
            bool(r.resolved),
            r.resolved_at,
        )
        for r in connection.execute(query.limit(500))
    ]


def mark_for_retry(connection: Connection, error_ids: list[int], now: datetime) -> int:
    """Put quarantined records back in line for the next update.

    Each chosen record is (re)opened: `resolved` false, `attempts` back to 0, `last_seen_at` now.
    `hearings update` re-fetches open meetings at its start; other records are fetched again when
    they next appear in a listing. Returns how many records were marked."""
    chosen = sorted({i for i in error_ids if 1 <= i <= MAX_INTEGER_ID})
    if not chosen:
        return 0
    errors = schema.import_errors
    result = connection.execute(
        update(errors)
        .where(errors.c.error_id.in_(chosen))
        .values(resolved=False, resolved_at=None, attempts=0, last_seen_at=now)
    )
    return int(result.rowcount or 0)


def latest_batches(connection: Connection) -> tuple[int | None, list[dict[str, Any]]]:
    checkpoints = schema.batch_checkpoints
    run_id = connection.execute(select(func.max(checkpoints.c.run_id))).scalar()
    if run_id is None:
        return None, []
    rows = connection.execute(
        select(
            checkpoints.c.batch_number,
            checkpoints.c.event_ids,
            checkpoints.c.status,
            checkpoints.c.error,
            checkpoints.c.created_at,
            checkpoints.c.finished_at,
        )
        .where(checkpoints.c.run_id == run_id)
        .order_by(checkpoints.c.batch_number, checkpoints.c.checkpoint_id)
    ).all()
    return int(run_id), [
        {
            "batch_number": r.batch_number,
            "size": len(r.event_ids or []),
            "event_ids": list(r.event_ids or [])[:200],
            "status": r.status,
            "error": r.error,
            "created_at": r.created_at,
            "finished_at": r.finished_at,
        }
        for r in rows
    ]


def run_charts(runs: list[RunSummary]) -> list[Chart]:
    def label(run: RunSummary) -> str:
        return f"#{run.run_id} {run.start_time:%m-%d}"

    return [
        stacked_bars(
            "Meetings per run",
            ["added", "updated", "unchanged"],
            [
                (label(r), [r.hearings_added, r.hearings_updated, r.hearings_unchanged])
                for r in runs
            ],
        ),
        stacked_bars(
            "Duration",
            ["succeeded", "failed"],
            [
                (
                    label(r),
                    [
                        (r.duration_seconds or 0) if r.success else 0,
                        0 if r.success else (r.duration_seconds or 0),
                    ],
                )
                for r in runs
            ],
            colors=["blue", "red"],
            unit=" s",
        ),
        stacked_bars(
            "Failures",
            ["errors", "quarantined", "failed run"],
            [
                (label(r), [r.error_count, r.quarantined, 0 if r.success is not False else 1])
                for r in runs
            ],
            colors=["orange", "grey", "red"],
        ),
    ]


def backups(backup_dir: Path) -> tuple[list[Any], str | None]:
    try:
        from hearings.sync.backups import list_backups

        return list(list_backups(backup_dir)), None
    except Exception as exc:  # the page still renders; the log has the details
        log.exception("listing backups failed")
        return [], f"The backups could not be listed ({type(exc).__name__})."


# ---- routes ----------------------------------------------------------------------------------


@router.get("", name="admin")
def admin_home(request: Request, show_resolved: bool = False) -> Response:
    access = require_admin(request)
    engine = request.app.state.engine
    with engine.connect() as connection:
        runs = with_covered_congresses(connection, recent_runs(connection, 60))
        run_id, batches = latest_batches(connection)
        quarantine = quarantine_rows(connection, include_resolved=show_resolved)
        review = review_section(connection, utc_now())
    found, backup_problem = backups(request.app.state.settings.backup_dir)
    return request.app.state.render(
        request,
        "admin.html",
        {
            "runs": list(reversed(runs)),
            "charts": run_charts(runs),
            "batch_run_id": run_id,
            "batches": batches,
            "quarantine": quarantine,
            "show_resolved": show_resolved,
            "backups": found,
            "backup_problem": backup_problem,
            "backup_dir": request.app.state.settings.backup_dir,
            "csrf": access.csrf,
            "retried": request.query_params.get("retried"),
            "review": review,
            "review_notice": review_notice(
                request.query_params.get("reviewed"), request.query_params.get("meeting")
            ),
        },
    )


@router.get("/login", name="admin_login")
def login_form(request: Request) -> Response:
    configured_token(request)
    return request.app.state.render(request, "admin_login.html", {"problem": None})


@router.post("/login")
def login(request: Request, token: Annotated[str, Form(max_length=1000)] = "") -> Response:
    secret = configured_token(request)
    if not check_token(request, token.strip(), secret):
        return request.app.state.render(
            request,
            "admin_login.html",
            {"problem": "That is not the admin token."},
            status_code=403,
        )
    sessions: SessionStore = request.app.state.admin_sessions
    session = sessions.open(secret, now(request))
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(
        COOKIE,
        session.session_id,
        max_age=int(sessions.lifetime.total_seconds()),
        expires=int(sessions.lifetime.total_seconds()),
        httponly=True,
        samesite="strict",
        # https as the browser sees it: behind a TLS proxy this needs PROXY_HEADERS.
        secure=request.url.scheme == "https",
        path="/admin",
    )
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    cookie = request.cookies.get(COOKIE)
    try:
        access = require_admin(request)
    except (AdminUnauthorized, AdminForbidden):
        access = None  # nothing live to end: just clear the cookie
    if access is not None:
        require_form(request, access, csrf)
        if access.session is not None:
            request.app.state.admin_sessions.close(access.session.session_id)
    elif cookie:
        request.app.state.admin_sessions.close(cookie)
    response = RedirectResponse("/hearings", status_code=303)
    response.delete_cookie(COOKIE, path="/admin", httponly=True, samesite="strict")
    return response


@router.post("/quarantine/retry", name="admin_retry")
def retry(
    request: Request,
    error_id: Annotated[list[int] | None, Form()] = None,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    access = require_admin(request)
    require_form(request, access, csrf)
    with writing(request.app.state.engine).begin() as connection:
        marked = mark_for_retry(
            connection, list(error_id or []), datetime.now(UTC).replace(tzinfo=None)
        )
    if access.session is None:
        return Response(content=f'{{"marked_for_retry": {marked}}}', media_type="application/json")
    return RedirectResponse(f"/admin?retried={marked}", status_code=303)
