"""The sentence for a command's end that is not a bug: a stop (Ctrl-C, SIGTERM), a full disk, a
database that stopped answering, is damaged, or holds a value that cannot be read. Each says what
the command leaves: a read-only command changed nothing; an import or update is continued by the
next run."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from hearings.cli.standard_streams import OutputClosed
from hearings.errors import NOT_UTF8_TEXT, DatabaseUnreadable, HearingsError, quoted
from hearings.store.value_errors import unreadable_value_sentence

# Commands (and subcommands) that change nothing: stopped, they lose nothing and leave no run.
_READ_ONLY = {"status", "export", "report", "history", "verify", "backup list", "quarantine list"}
# Commands whose runs the next run completes, as the updater promises.
_RESUMED = {"demo", "import", "update"}


def stop_sentence(args: Sequence[str], how: str) -> str:
    """What a stop (`how`: "Interrupted", "Stopped by SIGTERM") leaves, for the command `args`
    name: a read-only command changed nothing, and only an import or update has a next run to
    continue it."""
    return f"{how}; {what_is_left(args)}"


def what_is_left(args: Sequence[str]) -> str:
    named = " ".join(args[:2]) if args[:1] in (["backup"], ["quarantine"]) else " ".join(args[:1])
    if named in _READ_ONLY:
        return "nothing was changed."
    if named in _RESUMED:
        return "committed work is kept and the next run continues."
    return "committed work is kept."


# What SQLite says of a file that is damaged or is not a database at all.
_DAMAGED = ("database disk image is malformed", "not a database", NOT_UTF8_TEXT)


def full_disk(exc: BaseException) -> HearingsError | None:
    """A full disk or quota where the command writes, standard output included (or closed): the
    machine's state, not a bug."""
    if isinstance(exc, OutputClosed) or (
        isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
    ):
        where = exc.filename if exc.filename is not None else "the output"
        return HearingsError(f"Cannot write {where}: {exc.strerror}.")
    return None


# Paths no file system call can use, whatever the command: the path the user gave is at fault.
_UNUSABLE_PATHS = {
    errno.ENAMETOOLONG: "its name is too long for the file system; give a shorter one",
    errno.ELOOP: "it is a symbolic link that leads back to itself (a loop); point it elsewhere",
}


def unusable_path(exc: BaseException) -> HearingsError | None:
    """A path from a setting or an option (DATABASE_URL, BACKUP_DIR, LOG_DIR, a backup to
    restore) that the file system refuses by its name alone, wherever a command met it: the
    user's input, not a bug."""
    if not isinstance(exc, OSError) or exc.errno not in _UNUSABLE_PATHS or exc.filename is None:
        return None
    return HearingsError(
        f"Cannot use the path {quoted(os.fsdecode(exc.filename))}: {_UNUSABLE_PATHS[exc.errno]}."
    )


def database_gone(exc: BaseException, args: Sequence[str]) -> HearingsError | None:
    """The sentence for a database that stopped answering mid-command (a PostgreSQL server
    stopped or restarted, every pooled connection busy): the machine's state, not a bug."""
    from hearings.web.database_trouble import trouble

    cause = trouble(exc)
    if cause is None:
        return None
    return HearingsError(f"The database stopped answering ({cause}); {what_is_left(args)}")


def damaged_database(exc: BaseException) -> HearingsError | None:
    """The database's corrupt-file sentence when SQLite's error says the file is damaged,
    wherever in a command it was read; None for any other error."""
    seen: BaseException | None = exc
    while seen is not None:
        error = getattr(seen, "orig", seen)  # SQLAlchemy's error wraps SQLite's
        if isinstance(error, sqlite3.DatabaseError) and any(s in str(error) for s in _DAMAGED):
            return _unreadable_sentence(error)
        seen = seen.__cause__ or seen.__context__
    return None


def _unreadable_sentence(error: sqlite3.DatabaseError) -> HearingsError:
    from hearings.config import load_settings
    from hearings.reports.verify_result import unreadable

    try:
        database_url = load_settings().database_url
    except Exception:  # read once already by the command; here only to name the database
        return DatabaseUnreadable(
            f"The database is corrupt or unreadable ({str(error).rstrip('.')}); "
            "restore it with `hearings backup restore PATH`."
        )
    return unreadable(database_url, error)


# What a command raises when a value it read is not of its column's type or shape: `int('many')`,
# a format code for a number given a text, iterating a number, `.get` of a list.
CONVERSION_ERRORS = (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError)


def value_at_fault(engine: Engine) -> HearingsError | None:
    """After a command failed with one of `CONVERSION_ERRORS` reading `engine`'s database: the
    first stored value `hearings verify` would name (text in a number column, a JSON value of the
    wrong shape), as the unreadable-value sentence; None when there is none, and the failure is
    a bug. SQLite keeps any value in any column and hands text in a number column back as text,
    which no column type converts, so the command's own code is what fails on it."""
    from hearings.store.engine import is_sqlite
    from hearings.store.json_shapes import misshapen_values
    from hearings.store.stored_values import unreadable_values

    try:
        with engine.connect() as connection:
            _, named = unreadable_values(connection) if is_sqlite(engine) else (0, [])
            if not named:
                _, named = misshapen_values(connection)
    except (DBAPIError, *CONVERSION_ERRORS):
        return None  # the failure stands as it was: a bug, with its traceback in the log
    return unreadable_value_sentence(named[0]) if named else None


def refusal_as_json(args: Sequence[str], sentence: str, code: int) -> None:
    """With `--json`, a refusal is an object on standard output too (`{"success": false,
    "exit_code": 2, "error": "…"}`): a script reading it got nothing to parse, and `jq` failed
    instead of reading the exit code the sentence came with."""
    if "--json" not in args:
        return
    document = json.dumps({"success": False, "exit_code": code, "error": sentence})
    # Standard output may be what failed (full, closed): the sentence on stderr says so.
    with contextlib.suppress(OSError, ValueError, HearingsError):
        print(document, flush=True)
