"""Errors a user can cause or fix. Each carries a sentence and an exit code; the CLI prints the
sentence and exits with the code, and never shows a traceback for these."""

from __future__ import annotations


class HearingsError(Exception):
    """Base for every error meant for the user's eyes."""

    exit_code = 1


class UsageError(HearingsError):
    exit_code = 2


class ConfigurationError(HearingsError):
    exit_code = 2


class DatabaseUnreadable(HearingsError):
    """The database file is missing, corrupt, or not a database."""


class UpdateAlreadyRunning(HearingsError):
    """Another `hearings update` holds the lock."""
