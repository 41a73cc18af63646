"""One exception hierarchy for everything the API can do wrong, with sentences a user can act on.

Messages never contain the API key: URLs are redacted before they reach an exception.
"""

from __future__ import annotations

from hearings.errors import HearingsError


class ApiError(HearingsError):
    """Base for every failure talking to the Congress.gov API."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


class ApiKeyMissing(ApiError):
    """No key configured, or the API answered API_KEY_MISSING."""

    exit_code = 2


class ApiKeyRejected(ApiError):
    """The API answered 403 API_KEY_INVALID or API_KEY_DISABLED."""

    exit_code = 2


class RateLimited(ApiError):
    """429 OVER_RATE_LIMIT, still after every retry."""

    def __init__(self, message: str, *, url: str | None = None, retry_after: float | None = None):
        super().__init__(message, url=url, status=429)
        self.retry_after = retry_after


class ApiUnavailable(ApiError):
    """5xx, timeouts, connection errors or truncated bodies, still after every retry."""


class NotFound(ApiError):
    """404: the record or route does not exist."""


class MalformedPayload(ApiError):
    """A body that is not the JSON we expect, or a record that fails validation.

    For a record, `entity`, `identifier` and `field` name what was wrong, so the importer can
    quarantine exactly that record.
    """

    def __init__(
        self,
        message: str,
        *,
        entity: str | None = None,
        identifier: str | None = None,
        field: str | None = None,
        url: str | None = None,
        body: object = None,
    ):
        super().__init__(message, url=url)
        self.entity = entity
        self.identifier = identifier
        self.field = field
        # The body as received, for the quarantine, when it could not be read as a record.
        self.body = body
