"""The web server's access log without secrets: a token, key or password sent in a URL's query
(`/admin?token=…`, or `?api_key=…` out of habit from Congress.gov) is refused by the app, but
the access log wrote the whole URL, so the secret was kept in the log."""

from __future__ import annotations

import copy
import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode

# Query parameter names (lowercase) whose values are never written.
SECRET_NAMES = frozenset(
    {"token", "access_token", "admin_token", "api_key", "apikey", "key", "password", "secret"}
)
HIDDEN = "***"


def without_secrets(path: str) -> str:
    """`path` (with its query) as the log may show it: each secret parameter's value hidden."""
    base, mark, query = path.partition("?")
    if not mark:
        return path
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(name.lower() in SECRET_NAMES for name, _ in pairs):
        return path  # as sent: nothing to hide
    shown = [(name, HIDDEN if name.lower() in SECRET_NAMES else value) for name, value in pairs]
    return f"{base}?{urlencode(shown, safe='*')}"


class SecretsHidden(logging.Filter):
    """For uvicorn's access logger: its record's arguments are (client, method, path with query,
    HTTP version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (*args[:2], without_secrets(args[2]), *args[3:])
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """Uvicorn's own logging set-up, with secrets hidden from its access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["secrets_hidden"] = {"()": SecretsHidden}
    config["handlers"]["access"].setdefault("filters", []).append("secrets_hidden")
    return config
