"""Settings from the environment and a `.env` file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hearings.config_values import (
    folder_setting,
    http_url,
    in_memory_sqlite,
    is_utf8_text,
    not_utf8_sentence,
    nul_sentence,
    proxy_addresses_problem,
    quoted_setting,
    sqlite_home_expanded,
    sqlite_query_problem,
    unparsable_database_url,
)
from hearings.env_file import env_file_problem
from hearings.errors import ConfigurationError

# Imported from here by the commands and the store.
__all__ = [
    "Settings",
    "load_settings",
    "proxy_addresses_problem",
    "sqlite_query_problem",
    "unparsable_database_url",
]

LIVE_API_BASE_URL = "https://api.congress.gov/v3"
API_KEY_SIGNUP_URL = "https://api.congress.gov/sign-up/"
# Settings taken exactly as given: a folder's name, and the admin token people type.
_KEPT_AS_GIVEN = frozenset({"backup_dir", "log_dir", "admin_token"})


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

    @field_validator("*", mode="before")
    @classmethod
    def _utf8_text(cls, value: Any, info: ValidationInfo) -> Any:
        # Python hands over bytes that are not UTF-8 (in the environment, or in a value the
        # shell expanded) as lone surrogates, which fail only later, wherever the value is
        # encoded: an HTTP header, a URL, an SQL parameter, the admin token's comparison.
        if isinstance(value, str) and not is_utf8_text(value):
            raise ValueError(not_utf8_sentence(str(info.field_name).upper()))
        if isinstance(value, str) and "\x00" in value:
            # Only a .env file can carry one (the environment cannot). No path, URL or header
            # holds it: LOG_DIR's failed with a traceback, BACKUP_DIR's as an internal error.
            raise ValueError(nul_sentence(str(info.field_name).upper()))
        if isinstance(value, str) and info.field_name not in _KEPT_AS_GIVEN:
            # Spaces around a value (`ENABLE_BATCH_PROCESSING=" true"`, a URL pasted with a
            # trailing space) mean nothing; pydantic read ' 50 ' as 50 but refused ' true '.
            return value.strip()
        return value

    @field_validator("database_url")
    @classmethod
    def _lasting_database(cls, value: str) -> str:
        # A URL's scheme is case-insensitive (RFC 3986): SQLITE:/// is sqlite:///, and every
        # check below and after reads it in lower case.
        scheme, separator, rest = value.partition("://")
        if separator and scheme.isascii():
            value = scheme.lower() + separator + rest
        if in_memory_sqlite(value):
            raise ValueError(
                f"DATABASE_URL {value.strip()!r} is an in-memory SQLite database, which cannot "
                "hold data between runs; name a file, e.g. sqlite:///hearings.db"
            )
        unreadable = unparsable_database_url(value, "DATABASE_URL") or sqlite_query_problem(
            value, "DATABASE_URL"
        )
        if unreadable:
            raise ValueError(unreadable)
        return sqlite_home_expanded(value)

    @field_validator("backup_dir", "log_dir", mode="before")
    @classmethod
    def _folder(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value  # a Path given in code: taken as it is
        default = {"backup_dir": "backups", "log_dir": "logs"}[str(info.field_name)]
        return folder_setting(value, str(info.field_name).upper(), default)

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
        example = "https://api.congress.gov/v3"
        url = http_url(value.strip(), "CONGRESS_API_BASE_URL", example)
        # Request paths and queries are appended to it, so a query or fragment of its own would
        # garble every request; a password in it would be printed in each error and log line
        # that names a request's URL (only the API key is redacted there).
        parts = urlsplit(url)
        if parts.username is not None or parts.password is not None:
            raise ValueError(
                "CONGRESS_API_BASE_URL holds a user name or password, which would be shown in "
                f"messages and logs; give only the scheme, host and path, e.g. {example}"
            )
        if parts.query or parts.fragment or url.endswith(("?", "#")):
            raise ValueError(
                f"CONGRESS_API_BASE_URL {quoted_setting(url)} has a query or fragment; give only "
                f"the scheme, host and path, e.g. {example} (the key goes in CONGRESS_API_KEY)"
            )
        return url

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
        if urlsplit(url).username is not None:
            # Every feed would publish it in its links.
            raise ValueError(
                "PUBLIC_BASE_URL holds a user name or password, which every feed would publish; "
                "give only the scheme, host and optional path, e.g. https://hearings.example.org"
            )
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


def load_settings(**overrides: object) -> Settings:
    """Read settings now (not at import time), so tests and the CLI see the current environment.
    A `.env` file that cannot be read whole is a ConfigurationError, before it is read."""
    env_file = overrides.get("_env_file", Settings.model_config.get("env_file"))
    if isinstance(env_file, str | Path):
        names = {name.upper() for name in Settings.model_fields}
        problem = env_file_problem(Path(env_file), names)
        if problem is not None:
            raise ConfigurationError(f"The configuration is not valid: {problem}.")
    return Settings(**overrides)  # type: ignore[arg-type]
