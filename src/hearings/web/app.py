"""The web app: `create_app(settings)` or `create_app(engine)` gives a FastAPI application with the
HTML pages, the JSON API, the feeds and the admin, all over one database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from hearings.config import Settings, load_settings
from hearings.store.engine import database_label
from hearings.store.opening import migrate, open_database
from hearings.web import (
    admin,
    admin_access,
    admin_review,
    api,
    calendar_page,
    feed_routes,
    pages,
    templating,
)
from hearings.web.answer_cache import TimedCache, file_generation
from hearings.web.changes import router as changes_router
from hearings.web.changes_feed import router as changes_feed_router
from hearings.web.database_trouble import outage_of, trouble
from hearings.web.error_responses import STATUS_TITLES, install_error_handlers, openapi_with_errors
from hearings.web.errors import no_nul_characters, once_each
from hearings.web.history_routes import router as history_router
from hearings.web.http_methods import HeadAsGet
from hearings.web.long_addresses import LongAddresses
from hearings.web.printed_hearing_api import router as printed_hearing_api_router
from hearings.web.printed_hearing_pages import router as printed_hearing_pages_router
from hearings.web.search import IndexGuard
from hearings.web.status import banner_moment
from hearings.web.trailing_slashes import TrailingSlashes

log = logging.getLogger(__name__)
PACKAGE = Path(__file__).parent

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https://i.ytimg.com",
        "frame-src https://www.youtube-nocookie.com",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


# The admin's pages are never kept by the browser: after Sign out, Back on a shared computer
# showed the whole admin page (runs, quarantine, a form token) from the cache.
ADMIN_HEADERS = [(b"cache-control", b"no-store")]


class SecurityHeaders:
    """Adds the Content-Security-Policy and friends to every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        headers = SECURITY_HEADERS
        if path == "/admin" or path.startswith("/admin/"):
            headers = SECURITY_HEADERS + ADMIN_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in headers if k not in names]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


class DropEmptyParameters:
    """A form submitted without JavaScript sends every field, empty ones too (`?congress=`);
    an empty value means "not given", so drop it before validation sees it."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            raw = scope["query_string"].decode("latin-1")
            pairs = parse_qsl(raw, keep_blank_values=True)
            kept = [(k, v) for k, v in pairs if v.strip() != ""]
            if len(kept) != len(pairs):
                scope = dict(scope)
                scope["query_string"] = urlencode(kept).encode("latin-1")
        await self.app(scope, receive, send)


def create_app(
    source: Settings | Engine | None = None,
    *,
    settings: Settings | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The application over the database of `source` (settings, or an engine already open)."""
    if isinstance(source, Engine):
        engine = source
        settings = settings or load_settings(database_url=engine.url.render_as_string(False))
        migrate(engine)
    else:
        settings = source or settings or load_settings()
        # Never create the file: one deleted while the app runs must not come back empty.
        engine = open_database(settings.database_url, allow_read_only=True, create_missing=False)

    app = FastAPI(
        title="hearings",
        version="1",
        description="U.S. congressional committee hearings, from a local database built from "
        "the Congress.gov API. Every list takes the same filters as the /hearings page.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(once_each), Depends(no_nul_characters)],
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.clock = clock or (lambda: datetime.now(UTC))
    app.state.cache = TimedCache(seconds=30, generation=file_generation(settings.database_url))
    app.state.index_guard = IndexGuard()
    app.state.outage = outage_of(engine, database_label(settings.database_url))
    admin_access.install(app, settings)

    environment = Environment(
        loader=FileSystemLoader(str(PACKAGE / "templates")),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templating.install(environment)
    templates = Jinja2Templates(env=environment)

    def render(
        request: Request,
        name: str,
        context: dict[str, Any],
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        media_type: str | None = None,
    ) -> Response:
        try:
            # The page saying the database is unavailable does not ask it again.
            unavailable = context.get("status") == 503
            as_of = None if unavailable else banner_moment(engine, app.state.cache)
        except Exception as exc:  # the banner must never take a page down
            cause = trouble(exc)
            if cause is None:
                log.exception("reading the data-as-of moment failed")
            else:
                app.state.outage.failed(cause, refused=False)
            as_of = None
        full = {
            "data_as_of": as_of,
            "status_title": STATUS_TITLES.get(int(context.get("status", 0) or 0), "Error"),
            **context,
        }
        return templates.TemplateResponse(
            request,
            name,
            full,
            status_code=status_code,
            headers=headers,
            media_type=media_type,
        )

    app.state.render = render

    app.include_router(api.router)
    app.include_router(printed_hearing_api_router)
    app.include_router(printed_hearing_pages_router)
    app.include_router(history_router)
    app.include_router(changes_router)
    app.include_router(changes_feed_router)
    app.include_router(feed_routes.router)
    app.include_router(admin.router)
    app.include_router(admin_review.router)
    app.include_router(pages.router)
    app.include_router(calendar_page.router)
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")
    app.openapi = openapi_with_errors(app)  # type: ignore[method-assign]
    install_error_handlers(app)
    app.router.redirect_slashes = False  # TrailingSlashes redirects without the Host header
    app.add_middleware(TrailingSlashes, router=app.router)
    app.add_middleware(LongAddresses)  # outside every redirect, which would echo the address
    app.add_middleware(DropEmptyParameters)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    proxies = settings.trusted_proxies()
    if proxies is not None:
        # Outermost, so every part of the app sees the scheme and client address the trusted
        # proxy forwarded (the admin cookie's Secure flag, the login throttle's client).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        return HTMLResponse(status_code=307, headers={"Location": "/hearings"})

    return app
