"""What an answer of Congress.gov means: its JSON object, or the error for it, told apart into
what another attempt may cure (`Transient`) and what it will not."""

from __future__ import annotations

import json
from typing import Any

import httpx

from hearings.config import API_KEY_SIGNUP_URL
from hearings.congress_api.answer_bounds import BodyTooLarge, UndecodableBody
from hearings.congress_api.errors import (
    ApiError,
    ApiKeyMissing,
    ApiKeyRejected,
    ApiUnavailable,
    MalformedPayload,
    NotFound,
    RateLimited,
)
from hearings.congress_api.wire import error_detail, redact_url, retry_after_seconds

MISSING_KEY_MESSAGE = (
    f"No Congress.gov API key is configured: get a free one at {API_KEY_SIGNUP_URL} and set "
    "CONGRESS_API_KEY (DEMO_KEY is accepted too, at a much lower rate limit)."
)


class Transient(Exception):
    """A failure worth another attempt; `error` is what the caller gets if attempts run out."""

    def __init__(self, error: ApiError, reason: str, retry_after: float | None = None):
        super().__init__(str(error))
        self.error = error
        self.reason = reason
        self.retry_after = retry_after


def decode_body(response: httpx.Response, shown: str, key: str) -> dict[str, Any]:
    """The JSON object of an answer, or the exception for it: `Transient` when another attempt
    may succeed."""
    status = response.status_code
    if not 200 <= status < 300:
        raise failure_for(response, shown, key)
    # JSON is UTF-8; bytes that are not become U+FFFD rather than costing the record. A byte
    # order mark before it is no part of it (RFC 8259 lets a reader ignore one).
    text = response.content.decode("utf-8", errors="replace").removeprefix("\ufeff")
    try:
        body = json.loads(text)
    except RecursionError:
        # Nesting deeper than the decoder goes is the body itself, not the network: another
        # attempt returns the same. The body travels with the error to the quarantine.
        raise MalformedPayload(
            f"Congress.gov returned JSON nested too deeply to read for {shown}.",
            url=shown,
            body=text,
        ) from None
    except ValueError:
        raise Transient(
            MalformedPayload(
                f"Congress.gov returned a truncated or invalid JSON body for {shown}.",
                url=shown,
                body=text,
            ),
            reason="a truncated or invalid JSON body",
        ) from None
    if not isinstance(body, dict):
        raise MalformedPayload(
            f"Congress.gov returned JSON that is not an object for {shown}.",
            url=shown,
            body=text,
        )
    return body


def failure_for(response: httpx.Response, shown: str, key: str) -> Exception:
    """The exception for a non-2xx answer: `Transient` when another attempt may succeed."""
    status = response.status_code
    code, detail = error_detail(response, key)
    said = f" ({detail})" if detail else ""
    if status == 429:
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        limited = RateLimited(
            f"Congress.gov refused {shown} for exceeding the rate limit{said}.",
            url=shown,
            retry_after=retry_after,
        )
        return Transient(limited, "HTTP 429 Too Many Requests", retry_after)
    if status >= 500:
        down = ApiUnavailable(
            f"Congress.gov answered HTTP {status} for {shown}{said}.", url=shown, status=status
        )
        return Transient(down, f"HTTP {status}")
    if status in (401, 403):
        if code == "API_KEY_MISSING":
            return ApiKeyMissing(MISSING_KEY_MESSAGE, url=shown, status=status)
        return ApiKeyRejected(
            f"The API key was rejected by Congress.gov{said}: check CONGRESS_API_KEY, "
            f"or get a new key at {API_KEY_SIGNUP_URL}.",
            url=shown,
            status=status,
        )
    if status == 404:
        return NotFound(
            f"Congress.gov has no such record or route: {shown}{said}.", url=shown, status=404
        )
    if 300 <= status < 400 and response.headers.get("Location"):
        # Not followed: the key would travel with it, to wherever it points.
        moved = redact_url(response.headers["Location"], key)
        moved = moved if len(moved) <= 300 else f"{moved[:299]}…"
        said = f" (redirected to {moved}; redirects are not followed)"
    return ApiError(
        f"Congress.gov answered HTTP {status} for {shown}{said}.", url=shown, status=status
    )


def too_large(exc: BodyTooLarge, shown: str) -> MalformedPayload:
    """A body over the cap is the record's own fault, not a transient one: another attempt would
    read as much again. None of it travels with the error, so the quarantine keeps no payload."""
    cap = f"{exc.cap // 2**20} MiB ({exc.cap:,} bytes)"
    if exc.size is not None:
        said = f"a body of {exc.size:,} bytes for {shown}, more than the {cap} this client reads"
    elif exc.encoding is not None:  # a few KB of gzip can decode to gigabytes
        said = (
            f"a {exc.encoding} body (Content-Encoding: {exc.encoding}) that decodes to more than "
            f"{cap} for {shown}, the most this client reads"
        )
    else:
        said = f"a body of more than {cap} for {shown}, the most this client reads"
    return MalformedPayload(f"Congress.gov sent {said}; it was not kept.", url=shown)


def undecodable(exc: UndecodableBody, shown: str) -> Transient:
    """A body that does not decode as its Content-Encoding says: spoilt on the way, perhaps, so
    worth another attempt."""
    reason = f"a corrupt {exc.encoding} body (Content-Encoding: {exc.encoding})"
    return Transient(
        MalformedPayload(f"Congress.gov sent {reason} for {shown}.", url=shown), reason
    )


def give_up(failure: Transient, shown: str, attempts: int) -> ApiError:
    """The error for a request whose attempts all failed transiently."""
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    error = failure.error
    if isinstance(error, RateLimited):
        return RateLimited(
            f"Congress.gov kept answering HTTP 429 Too Many Requests for {shown} "
            f"after {tries}; wait for the hourly budget to refill, "
            "or lower API_RATE_LIMIT_PER_HOUR.",
            url=shown,
            retry_after=error.retry_after,
        )
    if isinstance(error, MalformedPayload):
        return MalformedPayload(
            f"Congress.gov kept returning {failure.reason} for {shown} after {tries}.",
            url=shown,
            body=error.body,
        )
    return ApiUnavailable(
        f"Congress.gov is unavailable: {failure.reason} for {shown} after {tries}.",
        url=shown,
        status=error.status,
    )
