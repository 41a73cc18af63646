"""An address longer than any page needs is refused (414) before anything reads it. A redirect
(a trailing slash, a page number past the end) sent its whole query back in `Location`: a 60 KB
query became a 60 KB header, which proxies refuse or log, and which a cache would keep."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from hearings.web.error_responses import error_response

# Browsers, proxies and servers all take addresses of this length (nginx's default header
# buffer is 8 KB); the longest filter this app offers is a fraction of it.
ADDRESS_LIMIT = 8192


def address_length(scope: Scope) -> int:
    """The characters of the address as sent: its path and its query."""
    path: bytes = scope.get("raw_path") or scope.get("path", "").encode()
    return len(path) + len(scope.get("query_string", b""))


class LongAddresses:
    """Answers 414 URI Too Long, in the app's own words, to an address over ADDRESS_LIMIT."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = address_length(scope) if scope["type"] == "http" else 0
        if length <= ADDRESS_LIMIT:
            await self.app(scope, receive, send)
            return
        message = (
            f"This address is {length:,} characters long; addresses here are at most "
            f"{ADDRESS_LIMIT:,}. Shorten the search or its filters."
        )
        # The error page reads the address without its query: its search box echoes `q`.
        response = error_response(Request({**scope, "query_string": b""}), 414, message)
        await response(scope, receive, send)
