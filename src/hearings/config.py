"""Settings from the environment and a `.env` file."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LIVE_API_BASE_URL = "https://api.congress.gov/v3"
API_KEY_SIGNUP_URL = "https://api.congress.gov/sign-up/"


class Settings(BaseSettings):
    """Every setting, with its default. The README's configuration table mirrors this class."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    congress_api_key: SecretStr | None = None
    congress_api_base_url: str = LIVE_API_BASE_URL
    database_url: str = "sqlite:///hearings.db"

    api_concurrency: int = Field(default=8, ge=1, le=64)
    api_rate_limit_per_hour: int = Field(default=5000, ge=1, le=1_000_000_000)
    # A request's timeout is a deadline on the clock: infinity or 1e300 would overflow it.
    api_timeout_seconds: float = Field(default=30.0, gt=0, le=3600.0, allow_inf_nan=False)
    api_max_retries: int = Field(default=5, ge=0, le=20)
    # The rolling window API_RATE_LIMIT_PER_HOUR applies to: an hour at Congress.gov. Shorter
    # only to rehearse a long backfill against the replica in minutes (bench/backfill_eta.py).
    api_rate_window_seconds: float = Field(default=3600.0, gt=0, le=3600.0, allow_inf_nan=False)

    enable_batch_processing: bool = True
    batch_processing_size: int = Field(default=50, ge=1, le=10_000)
    # A new version that degrades a meeting: flag applies it and flags it, hold quarantines it.
    suspicious_changes: Literal["flag", "hold"] = "flag"
    # Long runs commit consecutive clean batches together: once this many records have committed
    # batch by batch, up to this many a commit.
    adaptive_commit_units: bool = True
    commit_unit_records: int = Field(default=1_000, ge=1, le=100_000)

    backup_dir: Path = Path("backups")
    backup_retention_days: int = Field(default=7, ge=0, le=36_500)
    log_dir: Path = Path("logs")
    log_level: str = "INFO"

    admin_token: SecretStr | None = None
    admin_session_hours: float = Field(default=12.0, gt=0, le=24 * 90, allow_inf_nan=False)
    admin_login_attempts_per_minute: int = Field(default=10, ge=1, le=10_000)
    notify_webhook_url: str | None = None

    # The web app's address as the public sees it (feeds' absolute links); None: the request's.
    public_base_url: str | None = None
    # Trust X-Forwarded-For/-Proto from these proxy addresses (a TLS-terminating nginx). Unset:
    # trusted exactly when FORWARDED_ALLOW_IPS is set.
    proxy_headers: bool | None = None
    forwarded_allow_ips: str | None = None

    @field_validator("database_url")
    @classmethod
    def _lasting_database(cls, value: str) -> str:
        if _in_memory_sqlite(value):
            raise ValueError(
                f"DATABASE_URL {value.strip()!r} is an in-memory SQLite database, which cannot "
                "hold data between runs; name a file, e.g. sqlite:///hearings.db"
            )
        unreadable = unparsable_database_url(value, "DATABASE_URL")
        if unreadable:
            raise ValueError(unreadable)
        return value

    @field_validator("congress_api_key")
    @classmethod
    def _sendable_key(cls, value: SecretStr | None) -> SecretStr | None:
        """The key travels in the X-Api-Key header: spaces around it are dropped (a blank key is
        no key), and a character no header can carry is refused, without quoting the key."""
        key = value.get_secret_value().strip() if value is not None else ""
        if not key:
            return None
        if not all("!" <= character <= "~" for character in key):
            raise ValueError(
                "CONGRESS_API_KEY holds a character an HTTP header cannot carry (a space, a line "
                "break or a letter outside ASCII); copy the key again from your sign-up email"
            )
        return SecretStr(key)

    @field_validator("congress_api_base_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return http_url(value.strip(), "CONGRESS_API_BASE_URL", "https://api.congress.gov/v3")

    @field_validator("notify_webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        # Checked as a URL, kept as given: a webhook's path is the receiver's to define.
        http_url(value.strip(), "NOTIFY_WEBHOOK_URL", "https://hooks.example.org/T0KEN")
        return value.strip()

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxy_addresses(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        problem = proxy_addresses_problem(value)
        if problem:
            raise ValueError(f"FORWARDED_ALLOW_IPS: {problem}")
        return value.strip()

    @field_validator("public_base_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        url = http_url(value.strip(), "PUBLIC_BASE_URL", "https://hearings.example.org")
        if urlsplit(url).query or urlsplit(url).fragment:
            raise ValueError(
                f"PUBLIC_BASE_URL {url!r} has a query or fragment; give only the scheme, host "
                "and optional path, e.g. https://hearings.example.org"
            )
        return url

    @field_validator("suspicious_changes", mode="before")
    @classmethod
    def _suspicious_mode(cls, value: Any) -> str:
        mode = str(value).strip().lower()
        if mode not in ("flag", "hold"):
            shown = str(value) if len(str(value)) <= 40 else str(value)[:39] + "…"
            raise ValueError(f"SUSPICIOUS_CHANGES must be flag or hold, not {shown!r}")
        return mode

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    def trusted_proxies(self) -> str | None:
        """The proxies whose X-Forwarded-* headers count (uvicorn's syntax), or None."""
        enabled = (
            self.proxy_headers
            if self.proxy_headers is not None
            else self.forwarded_allow_ips is not None
        )
        if not enabled:
            return None
        return self.forwarded_allow_ips or "127.0.0.1"

    def api_key_value(self) -> str | None:
        return self.congress_api_key.get_secret_value() if self.congress_api_key else None


def http_url(value: str, name: str, example: str) -> str:
    """`value` without its trailing slash when it is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        host = None
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not host
        or any(c.isspace() or ord(c) < 32 for c in value)
    ):
        shown = value if len(value) <= 80 else value[:79] + "…"
        raise ValueError(f"{name} {shown!r} is not an http(s) URL; use one like {example}")
    return value.rstrip("/")


def proxy_addresses_problem(value: str) -> str | None:
    """Why `value` names proxies that uvicorn's ProxyHeadersMiddleware would never match, or None
    for `*` alone or comma-separated IP addresses and networks. The middleware keeps anything
    else as a literal that no TCP client's address equals, so a typo would silently trust no
    proxy; here it is a sentence instead."""
    if value.strip() == "*":
        return None
    entries = [entry.strip() for entry in value.split(",")]
    for entry in entries:
        if entry == "*":
            return "'*' (every address) must stand alone, not among other entries"
        if not entry:
            continue  # "127.0.0.1," is harmless: the middleware ignores an empty entry too
        try:
            # Networks are read as the middleware reads them: strictly, so host bits are an error.
            ipaddress.ip_network(entry) if "/" in entry else ipaddress.ip_address(entry)
        except ValueError:
            return _not_a_proxy(entry)
    if not any(entries):
        return f"{_quoted(value)} names no address; {_PROXY_EXAMPLE}"
    return None


_PROXY_EXAMPLE = "give '*' or comma-separated addresses and networks, e.g. 127.0.0.1,10.0.0.0/8"


def _not_a_proxy(entry: str) -> str:
    try:
        network = ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return f"{_quoted(entry)} is not an IP address or network; {_PROXY_EXAMPLE}"
    return f"{_quoted(entry)} is not a network, as its host bits are set; use {str(network)!r}"


def _quoted(text: str) -> str:
    """`text` quoted, cut to about 80 characters."""
    return repr(text if len(text) <= 80 else text[:79] + "…")


def unparsable_database_url(database_url: str, name: str) -> str | None:
    """The sentence for a database URL that cannot be parsed (a port that is not a number, no
    scheme), naming `name` and quoting the URL without its password; None for a parsable one."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(database_url)
    except (ArgumentError, ValueError):
        return (
            f"{name} {without_password(database_url)!r} is not a database URL; use "
            "sqlite:///path/to/hearings.db or postgresql+psycopg://user@host/dbname"
        )
    return None


def without_password(database_url: str) -> str:
    """`database_url` with whatever stands between the user name and the host replaced by ***,
    for URLs too malformed for SQLAlchemy to hide the password itself."""
    if "@" not in database_url:
        return database_url
    head, _, host = database_url.rpartition("@")
    scheme, slashes, userinfo = head.partition("//")
    if not slashes:
        return f"***@{host}"
    user = userinfo.split(":", 1)[0]
    return f"{scheme}//{user}:***@{host}"


def _in_memory_sqlite(database_url: str) -> bool:
    """Whether a SQLite URL names no file: `sqlite://`, `:memory:` or `mode=memory`."""
    scheme, sep, rest = database_url.strip().partition("://")
    if not sep or scheme.split("+")[0].lower() != "sqlite":
        return False
    path, _, query = rest.removeprefix("/").partition("?")
    return (
        not path
        or path == ":memory:"
        or path.startswith("file::memory:")
        or "mode=memory" in query.split("&")
    )


def load_settings(**overrides: object) -> Settings:
    """Read settings now (not at import time), so tests and the CLI see the current environment."""
    return Settings(**overrides)  # type: ignore[arg-type]
