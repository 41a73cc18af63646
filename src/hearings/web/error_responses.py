"""How an error reaches whoever asked: JSON for programs, a page for people, one sentence either
way, and the OpenAPI document that describes those answers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from hearings.errors import quoted, validation_problem
from hearings.store.value_errors import UnreadableValue, unreadable_value
from hearings.web.database_trouble import RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, trouble
from hearings.web.errors import WebError
from hearings.web.filters import CHAMBER_NAME, CHAMBER_OR_JOINT, COMMITTEE_CODE, MONTH
from hearings.web.http_methods import allowed_methods, asked_method, not_allowed_sentence

log = logging.getLogger(__name__)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    # Feeds are read by programs too: their errors are JSON, like the API's, and so are those
    # of a page's JSON twin (`/hearings.json`).
    if path.startswith(("/api/", "/feeds/")) or path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _validation_message(exc: RequestValidationError) -> str:
    sentences = []
    for error in exc.errors()[:3]:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
        name = ".".join(location) or "request"
        given = error.get("input")
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        if error.get("type") == "string_pattern_mismatch" and pattern in _PATTERN_WORDS:
            # Not "String should match pattern '^\\d{4}-\\d{1,2}$'": what a reader would type.
            words = f"expected {_PATTERN_WORDS[pattern]}, got {quoted(given)}"
            error = {**error, "type": "pattern", "msg": words}
        message = validation_problem(error).rstrip(".")
        shown = ""
        if isinstance(given, str | int | float) and quoted(given) not in message:
            shown = f" (got {quoted(given)})"
        sentences.append(f"Parameter '{name}'{shown}: {message}.")
    return " ".join(sentences) or "The request is not valid."


# The forms the routes' patterns accept, as a reader would write them.
_PATTERN_WORDS = {
    MONTH: "a month such as 2025-06",
    COMMITTEE_CODE: "a committee code such as hsag00 (`/committees` lists them)",
    CHAMBER_OR_JOINT: "house, senate or joint",
    CHAMBER_NAME: "house or senate",
}


UNREADABLE_MESSAGE = (
    "A value stored in this site's database cannot be read; its operator can find it with "
    "`hearings verify`."
)


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


def error_response(request: Request, status: int, message: str) -> Response:
    """An error in the app's own words (JSON for programs, a page for people), for the parts of
    the app that answer before its routes do."""
    return _error_response(request, status, message)


# The heading of an error page, by its status.
STATUS_TITLES = {
    400: "Bad request",
    401: "Sign in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    414: "Address too long",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def _unavailable(request: Request, cause: str) -> Response:
    """The database cannot answer: no bug, so 503 and no traceback; the outage logs itself."""
    request.app.state.outage.failed(cause)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return _error_response(request, 503, UNAVAILABLE_MESSAGE, headers)


def install_error_handlers(app: FastAPI) -> None:
    """Answer bad parameters, `WebError`s, HTTP errors and bugs in the app's own words."""

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
        headers = None
        if status == 404:
            message = "There is no page at this address."
        elif status == 405:
            # Starlette's detail is the bare phrase "Method Not Allowed"; its Allow header is
            # what the client needs to know, so it is kept and said.
            allow = allowed_methods((exc.headers or {}).get("Allow", ""))
            message = not_allowed_sentence(asked_method(request.scope), allow)
            headers = {"Allow": allow}
        elif isinstance(exc.detail, str) and status < 500:
            message = exc.detail
        else:
            message = STATUS_TITLES.get(status, "The request could not be served.")
        return _error_response(request, status, message, headers)

    # Handled here rather than as unexpected errors, which Starlette raises again after their
    # handler has answered (uvicorn would print each one's traceback).
    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeout)
    async def database_error(request: Request, exc: Exception) -> Response:
        cause = trouble(exc)
        if cause is None:
            raise exc  # a bug after all, for the handler of unexpected errors
        return _unavailable(request, cause)

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> Response:
        cause = trouble(exc)  # a database error another one was raised from
        if cause is not None:
            return _unavailable(request, cause)
        unreadable = exc if isinstance(exc, UnreadableValue) else unreadable_value(exc)
        if unreadable is not None:
            # A stored value damaged or written by another program: no bug of the app, and no
            # traceback; the log's sentence says what mends it, the reader's says who can.
            log.error("%s %r: %s", request.method, request.url.path, unreadable)
            return _error_response(request, 500, UNREADABLE_MESSAGE)
        # A bug: the traceback goes to the log, the user gets one sentence.
        # The path quoted: decoded, a %0A in it would start a line of its own in the log.
        log.error("unhandled error on %s %r", request.method, request.url.path, exc_info=exc)
        try:
            return _error_response(
                request, 500, "Something went wrong on our side; the error has been logged."
            )
        except Exception:
            return Response("Internal server error.", status_code=500, media_type="text/plain")


def openapi_with_errors(app: FastAPI) -> Callable[[], dict[str, Any]]:
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
                    # web/long_addresses.py refuses any address past its limit, first.
                    responses["414"] = {"description": "The address is too long.", **error}
                if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                    responses["404"] = {"description": "No such record.", **error}
        app.openapi_schema = document
        return document

    return build
