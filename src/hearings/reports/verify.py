"""`hearings verify`: is the database sound?

Each check names what it found and the ids involved. A *problem* means the database is not what
the importer promises (the command exits 1); a *warning* is worth knowing but true of healthy
databases too (empty stubs the API really returns, a quarantine backlog, upstream oddities).
Here: running the checks, and those on what the meetings, the quarantine and the runs say. The
checks that stored bytes read back are in `verify_storage`, those on rows in `verify_rows`;
`--reconcile`, which compares the API's counts and ids with the stored ones, is in `reconcile`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, and_, select
from sqlalchemy.exc import DBAPIError

from hearings.reports.verify_result import (
    Findings,
    VerifyResult,
    counted,
    unreadable,
)
from hearings.reports.verify_rows import check_duplicates, check_orphans, check_required_fields
from hearings.reports.verify_storage import (
    check_archive,
    check_integrity,
    check_shapes,
    check_values,
)
from hearings.store import schema
from hearings.store.engine import database_label, is_sqlite
from hearings.store.opening import schema_version
from hearings.sync.gate.checks import EARLIEST_DATE, LATEST_AHEAD

_SQLITE_ONLY = ("integrity", "values")
# EARLIEST_DATE and LATEST_AHEAD are the gate's: it refuses what verify would call a problem.
# An `updateDate` or high-water mark this far in the future would make updates skip changes.
CLOCK_SLACK = timedelta(days=1)


# ---- the checks ----------------------------------------------------------------------------


Check = Callable[[Connection, Findings, datetime], None]


def verify_database(
    engine: Engine, database_url: str, *, now: datetime | None = None
) -> VerifyResult:
    """Run every check; raises `DatabaseUnreadable` when the file is corrupt or unreadable."""
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    result = VerifyResult(database=database_label(database_url, absolute=True))
    try:
        result.checks.append("schema")
        version = schema_version(engine)
        if version.revision is None:
            # A first migration killed mid-way (one transaction): the next writer makes it all.
            Findings("schema", result).problem(
                "The database holds no hearings tables yet (a first `hearings init` or import "
                "stopped before it made them, or none has run); run `hearings init` to make them."
            )
            return result
        if version.needs_migration:
            Findings("schema", result).problem(
                "The schema is not at the current migration; run `hearings init` to migrate it."
            )
            return result
        with engine.connect() as connection:
            for name, check in CHECKS:
                if name in _SQLITE_ONLY and not is_sqlite(engine):
                    continue  # PostgreSQL checks its own pages, and each value as it is written
                result.checks.append(name)
                check(connection, Findings(name, result), moment)
                if name == "values" and result.problems:
                    return result  # the later checks read those values, and would fail on them
    except DBAPIError as exc:
        raise unreadable(database_url, exc) from None
    return result


def _check_foreign_keys(connection: Connection, found: Findings, now: datetime) -> None:
    """Every declared reference, checked row by row (SQLite enforces them only on write, and
    only with the pragma on), so a broken database names its orphans."""
    for child in schema.metadata.sorted_tables:
        for constraint in sorted(child.foreign_key_constraints, key=lambda c: str(c.name)):
            elements = list(constraint.elements)
            parent = elements[0].column.table
            child_columns = [e.parent for e in elements]
            join = and_(*(e.parent == e.column for e in elements))
            rows = connection.execute(
                select(*child_columns)
                .select_from(child.outerjoin(parent, join))
                .where(*(c.isnot(None) for c in child_columns), elements[0].column.is_(None))
            ).all()
            if not rows:
                continue
            names = ", ".join(c.name for c in child_columns)
            found.problem(
                f"{counted(len(rows), 'row')} of {child.name} "
                f"{'refers' if len(rows) == 1 else 'refer'} to {parent.name} that do not exist "
                f"({names})",
                ["/".join(str(v) for v in row) for row in rows],
            )


def _check_committees(connection: Connection, found: Findings, now: datetime) -> None:
    hearings, links = schema.hearings, schema.hearing_committees
    rows = connection.execute(
        select(hearings.c.event_id, hearings.c.is_stub).where(
            ~select(links.c.event_id).where(links.c.event_id == hearings.c.event_id).exists()
        )
    ).all()
    meetings = [row.event_id for row in rows if not row.is_stub]
    if meetings:
        # The API lists some so (a Senate conferee meeting named none): worth a look, not wrong.
        found.warning(f"{counted(len(meetings), 'meeting', 'have')} no committee", meetings)
    stubs = [row.event_id for row in rows if row.is_stub]
    if stubs:
        found.warning(f"{counted(len(stubs), 'empty stub', 'have')} no committee", stubs)


def congress_term(congress: int) -> tuple[datetime, datetime]:
    """From January 3 of its first year to January 3 two years later (true since 1935)."""
    first_year = 1789 + 2 * (congress - 1)
    return datetime(first_year, 1, 3), datetime(first_year + 2, 1, 3, 12)


def _check_dates(connection: Connection, found: Findings, now: datetime) -> None:
    hearings = schema.hearings
    latest_start = now + LATEST_AHEAD
    latest_update = now + CLOCK_SLACK
    starts, updates, outside = [], [], []
    for row in connection.execute(
        select(
            hearings.c.event_id, hearings.c.congress, hearings.c.start_at, hearings.c.update_date
        )
    ):
        if row.start_at is not None:
            if not EARLIEST_DATE <= row.start_at <= latest_start:
                starts.append(row.event_id)
            else:
                first, last = congress_term(int(row.congress))
                if not first - timedelta(days=31) <= row.start_at <= last + timedelta(days=31):
                    outside.append(row.event_id)
        if row.update_date is not None and not EARLIEST_DATE <= row.update_date <= latest_update:
            updates.append(row.event_id)
    if starts:
        found.problem(
            f"{counted(len(starts), 'meeting')} dated before 1900 or more than five years ahead",
            starts,
        )
    if updates:
        found.problem(
            f"{counted(len(updates), 'meeting', 'have')} an updateDate before 1900 or in the "
            "future",
            updates,
        )
    if outside:
        found.warning(
            f"{counted(len(outside), 'meeting')} dated more than a month outside "
            f"{'its' if len(outside) == 1 else 'their'} Congress's term",
            outside,
        )
    state = schema.sync_state
    marks = connection.execute(
        select(state.c.congress, state.c.chamber, state.c.entity).where(
            state.c.high_water_mark > latest_update
        )
    ).all()
    if marks:
        found.problem(
            f"{counted(len(marks), 'high-water mark')} in the future: updates would skip changes "
            "made before it",
            [f"{m.congress}/{m.chamber}/{m.entity}" for m in marks],
        )


def _check_stubs(connection: Connection, found: Findings, now: datetime) -> None:
    hearings = schema.hearings
    stubs = list(
        connection.execute(
            select(hearings.c.event_id).where(hearings.c.is_stub.is_(True))
        ).scalars()
    )
    if stubs:
        found.warning(
            f"{counted(len(stubs), 'empty stub')} (meetings the API returns with no title and no "
            "date)",
            stubs,
        )


def _check_quarantine(connection: Connection, found: Findings, now: datetime) -> None:
    errors = schema.import_errors
    rows = connection.execute(
        select(errors.c.entity, errors.c.identifier, errors.c.attempts).where(
            errors.c.resolved.is_(False)
        )
    ).all()
    if rows:
        stuck = sum(1 for row in rows if row.attempts >= 3)
        found.warning(
            f"{counted(len(rows), 'record')} waiting in the quarantine"
            + (f", {stuck} of them after three attempts or more" if stuck else "")
            + _who_retries({row.entity for row in rows}),
            [f"{row.entity}:{row.identifier}" for row in rows],
        )


def _who_retries(entities: set[str]) -> str:
    # An update reads no member list, so only an import retries a quarantined member.
    members = "members wait for the next import, as no update reads them"
    if entities == {"member"}:
        return f" ({members})"
    return " (the next update retries them" + (f"; {members})" if "member" in entities else ")")


def _check_runs(connection: Connection, found: Findings, now: datetime) -> None:
    logs = schema.update_logs
    open_runs = list(
        connection.execute(
            select(logs.c.run_id).where(logs.c.success.is_(None), logs.c.end_time.is_(None))
        ).scalars()
    )
    if open_runs:
        found.warning(
            f"{counted(len(open_runs), 'run')} never recorded an outcome (killed, or still "
            "running); the next run finishes the job",
            open_runs,
        )


CHECKS: tuple[tuple[str, Check], ...] = (
    ("integrity", check_integrity),
    ("values", check_values),
    ("shapes", check_shapes),
    ("foreign_keys", _check_foreign_keys),
    ("orphans", check_orphans),
    ("duplicates", check_duplicates),
    ("required_fields", check_required_fields),
    ("committees", _check_committees),
    ("dates", _check_dates),
    ("stubs", _check_stubs),
    ("quarantine", _check_quarantine),
    ("runs", _check_runs),
    ("archive", check_archive),
)
