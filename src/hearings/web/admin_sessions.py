"""Admin sessions and the login throttle.

A session is a random id in an HttpOnly cookie; the server keeps each live session with its
issue time, its expiry and a fingerprint of the ADMIN_TOKEN it was opened with. So a session
ends when it expires, at logout, when ADMIN_TOKEN changes, and when the server restarts. Forms
carry a CSRF value derived from the session, so a form from another session is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

# Live sessions kept at most; the oldest go first (a flood of logins cannot exhaust memory).
MAX_SESSIONS = 1000
# Clients whose failed attempts are remembered at most, for the same reason.
MAX_CLIENTS = 10_000
THROTTLE_WINDOW = timedelta(minutes=1)


def token_fingerprint(token: str) -> str:
    return hmac.new(token.encode("utf-8"), b"hearings admin token", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AdminSession:
    session_id: str
    issued_at: datetime
    expires_at: datetime
    token: str  # fingerprint of the ADMIN_TOKEN it was opened with, never the token


class SessionStore:
    """The live admin sessions of this server process."""

    def __init__(self, lifetime: timedelta):
        self.lifetime = lifetime
        self._sessions: dict[str, AdminSession] = {}
        self._lock = threading.Lock()

    def open(self, token: str, now: datetime) -> AdminSession:
        session = AdminSession(
            session_id=secrets.token_urlsafe(32),
            issued_at=now,
            expires_at=now + self.lifetime,
            token=token_fingerprint(token),
        )
        with self._lock:
            self._forget_expired(now)
            while len(self._sessions) >= MAX_SESSIONS:
                self._sessions.pop(next(iter(self._sessions)))
            self._sessions[session.session_id] = session
        return session

    def find(self, cookie: str, token: str, now: datetime) -> AdminSession | None:
        """The live session the cookie names, opened with the current token; None otherwise."""
        with self._lock:
            session = self._sessions.get(cookie)
            if session is None:
                return None
            if now >= session.expires_at or not hmac.compare_digest(
                session.token, token_fingerprint(token)
            ):
                del self._sessions[cookie]
                return None
            return session

    def close(self, cookie: str) -> None:
        with self._lock:
            self._sessions.pop(cookie, None)

    def _forget_expired(self, now: datetime) -> None:
        for key in [k for k, s in self._sessions.items() if now >= s.expires_at]:
            del self._sessions[key]


def csrf_value(token: str, session_id: str) -> str:
    """The value the admin's forms carry: bound to the session, unknowable without the token."""
    message = f"hearings admin form {session_id}".encode()
    return hmac.new(token.encode("utf-8"), message, hashlib.sha256).hexdigest()


class LoginThrottle:
    """At most `limit` wrong tokens per client in any minute; then every attempt from it is
    refused, right or wrong, until the oldest failure is a minute old."""

    def __init__(self, limit: int):
        self.limit = limit
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, client: str, now: datetime) -> int:
        """0 when `client` may try now; else how many seconds until it may."""
        with self._lock:
            failures = self._recent(client, now)
            if len(failures) < self.limit:
                return 0
            reopens = failures[0] + THROTTLE_WINDOW
            return max(1, int((reopens - now).total_seconds() + 0.999))

    def failed(self, client: str, now: datetime) -> None:
        with self._lock:
            failures = self._recent(client, now)
            failures.append(now)
            self._failures[client] = failures
            while len(self._failures) > MAX_CLIENTS:
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)

    def _recent(self, client: str, now: datetime) -> deque[datetime]:
        failures = self._failures.get(client, deque())
        while failures and failures[0] + THROTTLE_WINDOW <= now:
            failures.popleft()
        return failures
