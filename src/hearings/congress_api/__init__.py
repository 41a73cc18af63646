"""The Congress.gov API v3: HTTP client, errors and typed payload models."""

from hearings.congress_api.client import CongressClient
from hearings.congress_api.errors import (
    ApiError,
    ApiKeyMissing,
    ApiKeyRejected,
    ApiUnavailable,
    MalformedPayload,
    NotFound,
    RateLimited,
)

__all__ = [
    "ApiError",
    "ApiKeyMissing",
    "ApiKeyRejected",
    "ApiUnavailable",
    "CongressClient",
    "MalformedPayload",
    "NotFound",
    "RateLimited",
]
