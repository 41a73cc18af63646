"""The web app: `create_app(settings)` or `create_app(engine)` gives a FastAPI application with the
HTML pages, the JSON API, the feeds and the admin, all over one database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from hearings.config import Settings, load_settings
from hearings.errors import quoted
from hearings.store.engine import migrate, open_database
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
from hearings.web.changes import router as changes_router
from hearings.web.changes_feed import router as changes_feed_router
from hearings.web.errors import WebError
from hearings.web.history_routes import router as history_router
from hearings.web.search import IndexGuard
from hearings.web.status import TimedCache, banner_moment

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


class SecurityHeaders:
    """Adds the Content-Security-Policy and friends to every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
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


def _wants_json(request: Request) -> bool:
    path = request.url.path
    # Feeds are read by programs too: their errors are JSON, like the API's.
    if path.startswith(("/api/", "/feeds/")) or path == "/openapi.json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _validation_message(exc: RequestValidationError) -> str:
    sentences = []
    for error in exc.errors()[:3]:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
        name = ".".join(location) or "request"
        given = error.get("input")
        shown = f" (got {quoted(given)})" if isinstance(given, str | int | float) else ""
        message = str(error.get("msg", "is not valid")).rstrip(".")
        sentences.append(f"Parameter '{name}'{shown}: {message}.")
    return " ".join(sentences) or "The request is not valid."


# A message is a sentence or two; anything longer quotes too much of what was sent.
MESSAGE_LIMIT = 400


def _error_response(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 1] + "…"
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="hearings admin"'
    if _wants_json(request):
        return JSONResponse(
            {"error": {"status": status, "message": message}}, status_code=status, headers=headers
        )
    signing_in = status == 401 or (status == 429 and request.url.path.startswith("/admin"))
    template = "admin_login.html" if signing_in else "error.html"
    render = request.app.state.render
    return render(
        request,
        template,
        {"status": status, "message": message, "problem": None},
        status_code=status,
        headers=headers,
    )


_TITLES = {
    400: "Bad request",
    401: "Sign in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    429: "Too many attempts",
    500: "Something went wrong",
}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> Response:
        return _error_response(request, 400, _validation_message(exc))

    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError) -> Response:
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return _error_response(request, exc.status_code, exc.message, headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        if status == 404:
            message = "There is no page at this address."
        elif isinstance(exc.detail, str) and status < 500:
            message = exc.detail
        else:
            message = _TITLES.get(status, "The request could not be served.")
        return _error_response(request, status, message)

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> Response:
        # A bug: the traceback goes to the log, the user gets one sentence.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        try:
            return _error_response(
                request, 500, "Something went wrong on our side; the error has been logged."
            )
        except Exception:
            return Response("Internal server error.", status_code=500, media_type="text/plain")


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The OpenAPI document, with the 400 this app answers instead of FastAPI's 422."""

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = document.setdefault("components", {}).setdefault("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        components["Error"] = {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "integer"},
                        "message": {"type": "string"},
                    },
                    "required": ["status", "message"],
                }
            },
            "required": ["error"],
        }
        error = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        }
        for path_item in document.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                if operation.get("parameters"):
                    responses["400"] = {"description": "A parameter is not valid.", **error}
                if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                    responses["404"] = {"description": "No such record.", **error}
        app.openapi_schema = document
        return document

    return build


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
        engine = open_database(settings.database_url, allow_read_only=True)

    app = FastAPI(
        title="hearings",
        version="1",
        description="U.S. congressional committee hearings, from a local database built from "
        "the Congress.gov API. Every list takes the same filters as the /hearings page.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.clock = clock or (lambda: datetime.now(UTC))
    app.state.cache = TimedCache(seconds=30)
    app.state.index_guard = IndexGuard()
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
            as_of = banner_moment(engine, app.state.cache)
        except Exception:  # the banner must never take a page down
            log.exception("reading the data-as-of moment failed")
            as_of = None
        full = {
            "data_as_of": as_of,
            "status_title": _TITLES.get(int(context.get("status", 0) or 0), "Error"),
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
    app.include_router(history_router)
    app.include_router(changes_router)
    app.include_router(changes_feed_router)
    app.include_router(feed_routes.router)
    app.include_router(admin.router)
    app.include_router(admin_review.router)
    app.include_router(pages.router)
    app.include_router(calendar_page.router)
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")
    app.openapi = _openapi(app)  # type: ignore[method-assign]
    _install_error_handlers(app)
    app.add_middleware(DropEmptyParameters)
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
