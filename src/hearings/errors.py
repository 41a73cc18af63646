"""Errors a user can cause or fix. Each carries a sentence and an exit code; the CLI prints the
sentence and exits with the code, and never shows a traceback for these."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class HearingsError(Exception):
    """Base for every error meant for the user's eyes."""

    exit_code = 1
    # Set by a command that wrote its own `--json` document about this error (verify's
    # "readable" finding): the CLI then adds no refusal object of its own.
    json_written = False


class UsageError(HearingsError):
    exit_code = 2


class ConfigurationError(HearingsError):
    exit_code = 2


class DatabaseUnreadable(HearingsError):
    """The database file is missing, corrupt, or not a database."""


class UpdateAlreadyRunning(HearingsError):
    """Another `hearings update` holds the lock."""


class DatabaseReadOnly(HearingsError):
    """The database cannot be written: a read-only file, folder or mount, or a read-only URL."""


class UnknownSchema(DatabaseUnreadable):
    """The database's schema version is one this version of hearings does not know (a newer
    version made it), or the database is not a hearings database at all."""

    # What is wrong, as a clause after the database's name ("was made by a newer version…").
    clause: str = "is not a hearings database this version knows"


_OBJECT_EXPECTED = {"model_type", "model_attributes_type", "dataclass_type", "dict_type"}
# What is accepted where pydantic only says the text could not be read ("unable to parse string").
_ACCEPTED = {
    "bool_parsing": "true or false (also 1/0, yes/no, on/off)",
    "int_parsing": "a whole number",
    "float_parsing": "a number",
}
# Dates pydantic could not read, with why after a comma ("…, day value is outside expected range").
_DATES = {
    "date_parsing": "a date such as 2025-06-24",
    "date_from_datetime_parsing": "a date such as 2025-06-24",
    "datetime_parsing": "a date and time such as 2025-06-24T14:00:00Z",
    "datetime_from_date_parsing": "a date such as 2025-06-24, or a date and time",
}
# Pydantic's range errors ("Input should be greater than or equal to 1"), by the bound each names.
_RANGES = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "more than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}


def validation_problem(error: Mapping[str, Any]) -> str:
    """What one pydantic error says, without the prefix pydantic puts before a validator's own
    sentence ("Value error, not a date"), which means nothing to a user; text that is not a
    boolean or a number gets what is accepted, and one out of its range the bound it missed, each
    with what was given."""
    kind = str(error.get("type"))
    if kind in _OBJECT_EXPECTED:
        # Not "a valid dictionary or instance of CommitteeRef": our class names mean nothing.
        return "Input should be an object"
    given = f", got {quoted(error['input'])}" if "input" in error else ""
    if kind in _ACCEPTED:
        return f"expected {_ACCEPTED[kind]}{given}"
    if kind in _DATES:
        _, _, why = str(error.get("msg", "")).partition(", ")
        return f"expected {_DATES[kind]}{given}" + (f" ({why})" if why else "")
    bound = _RANGES.get(kind)
    if bound is not None and bound[0] in error.get("ctx", {}):
        return f"expected {bound[1]} {_number(error['ctx'][bound[0]])}{given}"
    message = str(error.get("msg", "is not valid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message


def _number(value: object) -> str:
    """A range's bound as a reader writes it: 36,500, 3,600 (not 3600.0), 0.5."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def quoted(value: object, limit: int = 80) -> str:
    """`repr(value)` for a message, shortened to about `limit` characters: messages quote what
    was given, never a whole 10 KB input."""
    text = repr(value) if isinstance(value, str) else repr(str(value))
    if len(text) <= limit:
        return text
    return f"{text[: limit - 2]}…{text[0]} ({len(str(value)):,} characters)"


def error_text(error: BaseException) -> str:
    """An error as a log or a run's record gives it: a database driver's own message, first line
    (SQLAlchemy's text adds the whole statement, its parameters and a help link), else the
    error's text, else its type."""
    driver = getattr(error, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
    if isinstance(driver, BaseException):
        lines = str(driver).strip().splitlines()
        return _without_garbled_text(lines[0]) if lines else type(driver).__name__
    return _without_garbled_text(str(error)) or type(error).__name__


# Python's sqlite3 quotes the whole stored value of text that is not UTF-8, control bytes and all.
NOT_UTF8_TEXT = "Could not decode to UTF-8 column"


def _without_garbled_text(message: str) -> str:
    if message.startswith(NOT_UTF8_TEXT):
        return message.split(" with text ", 1)[0] + " (the stored text is not UTF-8)"
    return message
