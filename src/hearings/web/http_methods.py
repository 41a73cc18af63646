"""HEAD wherever GET is served, and the sentence of a 405.

FastAPI's routes answer only the methods they are declared with, so every page, API route and
feed answered HEAD with 405, though HTTP requires HEAD wherever GET is served (RFC 9110, 9.3.2)
and link checkers, feed readers and `curl -I` ask with it. Declaring HEAD on each route would
give every operation a twin in /openapi.json, so HEAD is answered here, once, as the GET it
stands for, without its body."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Set in the scope of a HEAD request answered as a GET: a 405 then names the method asked for.
ASKED_WITH_HEAD = "hearings.asked_with_head"
# The order `Allow` lists methods in (a set's order would change from run to run).
_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class HeadAsGet:
    """Answers a HEAD request with the GET's status and headers (Content-Length included) and no
    body."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        as_get = {**scope, "method": "GET", ASKED_WITH_HEAD: True}

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # a streamed body's chunks: the server must not send them
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(as_get, receive, headers_only)


def asked_method(scope: Scope) -> str:
    """The method the client used (HEAD, for a HEAD request answered as a GET)."""
    return "HEAD" if scope.get(ASKED_WITH_HEAD) else str(scope.get("method", "GET"))


def allowed_methods(allow: str) -> str:
    """The `Allow` value Starlette gives (the route's methods in any order), with HEAD wherever
    GET is, in a fixed order."""
    methods = {m.strip().upper() for m in allow.split(",") if m.strip()}
    if "GET" in methods:
        methods.add("HEAD")
    order = {name: place for place, name in enumerate(_METHOD_ORDER)}
    return ", ".join(sorted(methods, key=lambda m: (order.get(m, len(order)), m)))


def not_allowed_sentence(method: str, allow: str) -> str:
    return f"This address does not take {method} requests; it takes {allow}."
