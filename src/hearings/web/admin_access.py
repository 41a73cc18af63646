"""Who may use the admin: the Bearer token, or a browser's session cookie whose forms carry the
session's CSRF value; wrong tokens are throttled per client (see admin_sessions)."""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import FastAPI, Request

from hearings.config import Settings
from hearings.web.admin_sessions import AdminSession, LoginThrottle, SessionStore, csrf_value
from hearings.web.errors import WebError

COOKIE = "hearings_admin"
log = logging.getLogger(__name__)


class AdminDisabled(WebError):
    status_code = 404


class AdminUnauthorized(WebError):
    status_code = 401


class AdminForbidden(WebError):
    status_code = 403


class AdminThrottled(WebError):
    status_code = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class AdminAccess:
    """Who is asking: a script with the token in a header, or a browser with a session cookie
    (whose POSTs must carry the session's CSRF value)."""

    token: str
    session: AdminSession | None

    @property
    def csrf(self) -> str:
        return csrf_value(self.token, self.session.session_id) if self.session else ""


def install(app: FastAPI, settings: Settings) -> None:
    """The session store and login throttle of one app."""
    app.state.admin_sessions = SessionStore(timedelta(hours=settings.admin_session_hours))
    app.state.admin_throttle = LoginThrottle(settings.admin_login_attempts_per_minute)


def configured_token(request: Request) -> str:
    settings = request.app.state.settings
    secret = settings.admin_token.get_secret_value() if settings.admin_token else ""
    if not secret:
        raise AdminDisabled("The admin is disabled: set ADMIN_TOKEN to enable it.")
    return str(secret)


def now(request: Request) -> datetime:
    moment: datetime = request.app.state.clock()
    return moment


def _client(request: Request) -> str:
    # Behind a trusted proxy (PROXY_HEADERS) this is the address it forwarded.
    return request.client.host if request.client else "unknown"


def check_token(request: Request, given: str, secret: str) -> bool:
    """Compare in constant time, under the per-client throttle of wrong guesses."""
    throttle: LoginThrottle = request.app.state.admin_throttle
    client = _client(request)
    wait = throttle.wait_seconds(client, now(request))
    if wait:
        raise AdminThrottled(
            f"Too many wrong admin tokens from your address; wait {wait} seconds and try again.",
            wait,
        )
    if hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8")):
        throttle.succeeded(client)
        return True
    throttle.failed(client, now(request))
    if throttle.wait_seconds(client, now(request)):
        log.warning("admin sign-in from %s throttled after repeated wrong tokens", client)
    return False


def require_admin(request: Request) -> AdminAccess:
    """The caller's access when it carries the token or a live session; otherwise 401 (none)
    or 403 (wrong token, or a session that ended)."""
    token = configured_token(request)
    header = request.headers.get("authorization")
    if header is not None and header.strip():
        scheme, _, given = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise AdminUnauthorized("Send the admin token as `Authorization: Bearer TOKEN`.")
        if not check_token(request, given.strip(), token):
            raise AdminForbidden("That admin token is not the right one.")
        return AdminAccess(token, None)
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        raise AdminUnauthorized("Sign in with the admin token to use the admin.")
    session = request.app.state.admin_sessions.find(cookie, token, now(request))
    if session is None:
        raise AdminUnauthorized(
            "Your admin session has ended (it expired, you signed out, or ADMIN_TOKEN "
            "changed); sign in again."
        )
    return AdminAccess(token, session)


def require_form(request: Request, access: AdminAccess, csrf: str) -> None:
    """Every POST a browser makes with its session cookie must carry the session's CSRF value;
    an empty or missing Authorization header does not exempt it."""
    if access.session is None:
        return
    if not hmac.compare_digest(csrf.encode("utf-8"), access.csrf.encode("utf-8")):
        raise AdminForbidden("The form has expired; reload the admin page and try again.")
