"""The checks of `hearings verify` that what is stored reads back: SQLite's integrity check of
the file, every stored value and JSON shape, and every archived payload."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from hearings.errors import DatabaseUnreadable
from hearings.reports.verify_result import Findings, counted
from hearings.store import schema
from hearings.store.archive import DamagedPayload, stored_payload, unpack, version_name
from hearings.store.integrity import integrity_problems, integrity_summary
from hearings.store.json_shapes import misshapen_values
from hearings.store.stored_values import unreadable_values

_INTEGRITY_LIMIT = 20  # problems; the sentence names the first and counts the rest


def check_integrity(connection: Connection, found: Findings, now: datetime) -> None:
    rows = connection.exec_driver_sql(f"PRAGMA integrity_check({_INTEGRITY_LIMIT})").all()
    problems = integrity_problems(rows)
    if problems or not rows:
        # A damaged file makes every later check meaningless: one sentence, like any unreadable
        # database.
        summary = integrity_summary(problems, limit=_INTEGRITY_LIMIT)
        raise DatabaseUnreadable(
            f"The database {found.result.database} is corrupt (SQLite's integrity check: "
            f"{summary}); restore it with `hearings backup restore PATH`."
        )


def check_values(connection: Connection, found: Findings, now: datetime) -> None:
    count, named = unreadable_values(connection)
    if count:
        found.problem(
            f"{counted(count, 'stored value')} cannot be read back (damaged, or written by "
            "another program in a form hearings does not read); `hearings rebuild` writes the "
            "tables it derives again from the archive, or restore a backup (`hearings backup "
            f"list`){'; the first ' + str(len(named)) if count > len(named) else ''}",
            named,
        )


def check_shapes(connection: Connection, found: Findings, now: datetime) -> None:
    count, named = misshapen_values(connection)
    if count:
        found.problem(
            f"{counted(count, 'stored JSON value')} {'is' if count == 1 else 'are'} not of the "
            "shape hearings writes (an object, or a list of texts or of objects), so the "
            "commands and pages that read them fail; `hearings rebuild` writes the tables it "
            "derives again from the archive, or restore a backup (`hearings backup list`)"
            f"{'; the first ' + str(len(named)) if count > len(named) else ''}",
            named,
        )


def check_archive(connection: Connection, found: Findings, now: datetime) -> None:
    """Every archived payload reads back. SQLite's integrity check reads the file's structure,
    not the values in it: a damaged payload passed it, then failed history and rebuild."""
    archive = schema.payload_archive
    rows = connection.execute(
        select(
            archive.c.version_id,
            archive.c.entity,
            archive.c.identifier,
            stored_payload(),
        ).execution_options(yield_per=500)
    )
    damaged = []
    for row in rows:
        try:
            unpack(row.payload)
        except DamagedPayload:
            damaged.append(version_name(row.entity, row.identifier, row.version_id))
    if damaged:
        found.problem(
            f"{counted(len(damaged), 'archived version')} cannot be read back (damaged), so "
            "history, changes and a rebuild cannot use them; restore a backup "
            "(`hearings backup list`)",
            damaged,
        )
