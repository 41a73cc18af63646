"""Settings from the environment and a `.env` file."""

from __future__ import annotations

from pathlib import Path

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
    api_rate_limit_per_hour: int = Field(default=5000, ge=1)
    api_timeout_seconds: float = Field(default=30.0, gt=0)
    api_max_retries: int = Field(default=5, ge=0, le=20)

    enable_batch_processing: bool = True
    batch_processing_size: int = Field(default=50, ge=1, le=10_000)

    backup_dir: Path = Path("backups")
    backup_retention_days: int = Field(default=7, ge=0)
    log_dir: Path = Path("logs")
    log_level: str = "INFO"

    admin_token: SecretStr | None = None
    notify_webhook_url: str | None = None

    @field_validator("congress_api_base_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    def api_key_value(self) -> str | None:
        return self.congress_api_key.get_secret_value() if self.congress_api_key else None


def load_settings(**overrides: object) -> Settings:
    """Read settings now (not at import time), so tests and the CLI see the current environment."""
    return Settings(**overrides)  # type: ignore[arg-type]
