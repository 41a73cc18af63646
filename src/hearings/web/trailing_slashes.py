"""An address typed with a trailing slash (`/hearings/`) goes to the one without it, by a
`Location` on this site: a path and query, never a host.

Starlette's own redirect wrote the absolute URL from the request's `Host` header, which any client
sets: `Host: evil.example` got `Location: http://evil.example/hearings`, which a cache in front of
the app would keep and hand to every reader (the poisoning PUBLIC_BASE_URL keeps out of the
feeds). It also named the scheme the app saw: plain `http` behind a TLS-terminating proxy."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import RedirectResponse
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send


class TrailingSlashes:
    """Redirects (307) an address that no route takes, but takes without its trailing slashes.
    Install it with the router's own `redirect_slashes` off."""

    def __init__(self, app: ASGIApp, router: Router):
        self.app = app
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            target = self._target(scope)
            if target is not None:
                await RedirectResponse(target, status_code=307)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _target(self, scope: Scope) -> str | None:
        path: str = scope["path"]
        if path == "/" or not path.endswith("/") or self._taken(scope, path):
            return None
        trimmed = path.rstrip("/")
        if not trimmed or not self._taken(scope, trimmed):
            return None
        # The path as sent, encoded again (a `?` or `#` it held stays in the path), with one
        # leading slash: `//host` would be another site to the browser.
        location = "/" + quote(trimmed, safe="/:@!$&'()*+,;=~").lstrip("/")
        query = scope.get("query_string", b"").decode("latin-1")
        return f"{location}?{query}" if query else location

    def _taken(self, scope: Scope, path: str) -> bool:
        probe = {**scope, "path": path}
        return any(route.matches(probe)[0] is not Match.NONE for route in self.router.routes)
