"""Errors the web app shows to users: a status code and one clear sentence, never a traceback."""

from __future__ import annotations

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from hearings.errors import quoted


class WebError(Exception):
    status_code = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadParameter(WebError):
    """A query parameter that is malformed or out of range (400)."""

    status_code = 400

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


class NotFound(WebError):
    status_code = 404


class ServerErrorsStayInTheLog:
    """The app logs a bug's traceback to the log file and answers it with one sentence; Starlette
    then raises the error again, and uvicorn would print the whole traceback on the console."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except Exception:
            return  # logged, with its traceback, by the app's handler of unexpected errors


def once_each(request: Request) -> None:
    """Every query parameter given once: none takes several values, and the last of two would
    win unseen (`chamber=house&chamber=senate` was the Senate alone)."""
    seen: set[str] = set()
    repeated = None
    for name, _ in request.query_params.multi_items():
        if name in seen:
            repeated = name
            break
        seen.add(name)
    if repeated is not None:
        hint = ""
        if repeated == "congress":
            hint = " (several Congresses are one value: congress=118,119)"
        raise BadParameter(
            repeated, f"Parameter '{repeated}' is given more than once; give it once{hint}."
        )


def no_nul_characters(request: Request) -> None:
    """No NUL character (`%00`) in the address or a query parameter. PostgreSQL refuses one in
    any text it is given, so the lookup it reached was a 500 there; and no stored value holds
    one (the gate drops them), so it could never match on SQLite either."""
    if "\x00" in request.url.path:
        raise BadParameter("path", "This address holds a NUL character (%00), which no id holds.")
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            raise BadParameter(
                name, f"Parameter {quoted(name)} holds a NUL character (%00), which no value holds."
            )
