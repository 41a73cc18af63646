"""`hearings verify`: is the database sound?

Each check names what it found and the ids involved. A *problem* means the database is not what
the importer promises (the command exits 1); a *warning* is worth knowing but true of healthy
databases too (empty stubs the API really returns, a quarantine backlog, upstream oddities).
`reconcile_meetings` compares the API's counts and ids with the local ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, and_, case, func, select
from sqlalchemy.exc import DBAPIError

from hearings.errors import DatabaseUnreadable
from hearings.store import schema
from hearings.store.engine import is_sqlite, needs_migration, sqlite_file
from hearings.sync.congress_runs import held_congresses

KNOWN_CHAMBERS = ("House", "Senate", "NoChamber")
EARLIEST_DATE = datetime(1900, 1, 1)
# The importer rejects meeting dates more than five years ahead; so does verify.
LATEST_AHEAD = timedelta(days=5 * 366)
# An `updateDate` or high-water mark this far in the future would make updates skip changes.
CLOCK_SLACK = timedelta(days=1)


@dataclass
class Problem:
    """One finding: the check that made it, a sentence, and the ids involved."""

    check: str
    detail: str
    ids: list[str] = field(default_factory=list)


@dataclass
class ReconcileResult:
    """One congress and chamber: the API's `pagination.count` and ids against the local ones."""

    congress: int
    chamber: str
    api_count: int
    local_count: int
    missing_locally: list[str]
    missing_upstream: list[str]
    # Of `missing_locally`, the ids waiting in the quarantine (the next update retries them).
    quarantined: list[str]

    @property
    def agrees(self) -> bool:
        return not self.missing_locally and not self.missing_upstream

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class VerifyResult:
    database: str
    checks: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    reconciled: list[ReconcileResult] | None = None

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "healthy": self.healthy,
            "checks": list(self.checks),
            "problems": [asdict(p) for p in self.problems],
            "warnings": [asdict(w) for w in self.warnings],
            "reconcile": (
                None if self.reconciled is None else [r.as_dict() for r in self.reconciled]
            ),
        }


class _Findings:
    def __init__(self, check: str, result: VerifyResult):
        self.check = check
        self.result = result

    def problem(self, detail: str, ids: Iterable[Any] = ()) -> None:
        self.result.problems.append(Problem(self.check, detail, _ids(ids)))

    def warning(self, detail: str, ids: Iterable[Any] = ()) -> None:
        self.result.warnings.append(Problem(self.check, detail, _ids(ids)))


def _ids(values: Iterable[Any]) -> list[str]:
    return sorted({str(v) for v in values}, key=lambda v: (len(v), v))


def _rows(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def database_label(database_url: str) -> str:
    path = sqlite_file(database_url)
    if path is not None:
        return str(path.resolve())
    from sqlalchemy.engine import make_url

    return make_url(database_url).render_as_string(hide_password=True)


def unreadable(database_url: str, exc: DBAPIError) -> DatabaseUnreadable:
    """The one sentence for a database that fails while being read."""
    reason = str(exc.orig).splitlines()[0].rstrip(".") if exc.orig else type(exc).__name__
    return DatabaseUnreadable(
        f"The database {database_label(database_url)} is corrupt or unreadable ({reason}); "
        "restore it with `hearings backup restore PATH`."
    )


# ---- the checks ----------------------------------------------------------------------------


Check = Callable[[Connection, _Findings, datetime], None]


def verify_database(
    engine: Engine, database_url: str, *, now: datetime | None = None
) -> VerifyResult:
    """Run every check; raises `DatabaseUnreadable` when the file is corrupt or unreadable."""
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    result = VerifyResult(database=database_label(database_url))
    try:
        result.checks.append("schema")
        if needs_migration(engine):
            _Findings("schema", result).problem(
                "The schema is not at the current migration; run `hearings init` to migrate it."
            )
            return result
        with engine.connect() as connection:
            for name, check in CHECKS:
                if name == "integrity" and not is_sqlite(engine):
                    continue  # PostgreSQL checks its own pages; there is no integrity_check
                result.checks.append(name)
                check(connection, _Findings(name, result), moment)
    except DBAPIError as exc:
        raise unreadable(database_url, exc) from None
    return result


def _check_integrity(connection: Connection, found: _Findings, now: datetime) -> None:
    messages = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA integrity_check(20)")]
    if messages != ["ok"]:
        # A damaged file makes every later check meaningless: one sentence, like any unreadable
        # database.
        detail = " ".join(" ".join(messages[:3]).replace("*** in database main ***", "").split())
        raise DatabaseUnreadable(
            f"The database {found.result.database} is corrupt (SQLite's integrity check: "
            f"{detail}); restore it with `hearings backup restore PATH`."
        )


def _check_foreign_keys(connection: Connection, found: _Findings, now: datetime) -> None:
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
                f"{_rows(len(rows), 'row')} of {child.name} refer to {parent.name} that do not "
                f"exist ({names})",
                ["/".join(str(v) for v in row) for row in rows],
            )


def _check_orphans(connection: Connection, found: _Findings, now: datetime) -> None:
    witnesses, appearances = schema.witnesses, schema.witness_appearances
    unused = connection.execute(
        select(witnesses.c.witness_id).where(
            ~select(appearances.c.witness_id)
            .where(appearances.c.witness_id == witnesses.c.witness_id)
            .exists()
        )
    ).scalars()
    unused_ids = list(unused)
    if unused_ids:
        found.problem(
            f"{_rows(len(unused_ids), 'witness')} without any appearance (a witness exists only "
            "while an appearance refers to it)",
            unused_ids,
        )
    committees = schema.committees
    parents = committees.alias("parents")
    missing_parents = connection.execute(
        select(committees.c.system_code)
        .select_from(
            committees.outerjoin(parents, parents.c.system_code == committees.c.parent_code)
        )
        .where(committees.c.parent_code.isnot(None), parents.c.system_code.is_(None))
    ).scalars()
    codes = list(missing_parents)
    if codes:
        found.warning(
            f"{_rows(len(codes), 'committee')} name a parent committee the database lacks "
            "(the API may no longer serve it)",
            codes,
        )
    printed, hearings = schema.printed_hearings, schema.hearings
    unmatched = connection.execute(
        select(printed.c.congress, printed.c.jacket_number)
        .select_from(
            printed.outerjoin(hearings, hearings.c.event_id == printed.c.associated_event_id)
        )
        .where(printed.c.associated_event_id.isnot(None), hearings.c.event_id.is_(None))
        .order_by(printed.c.congress, printed.c.jacket_number)
    ).all()
    if unmatched:
        found.warning(
            f"{_rows(len(unmatched), 'printed hearing')} name an associated meeting the database "
            "lacks",
            [f"{row.congress}/{row.jacket_number}" for row in unmatched],
        )
    transcripts = schema.hearing_transcripts
    absent = connection.execute(
        select(transcripts.c.event_id, transcripts.c.congress, transcripts.c.jacket_number)
        .select_from(
            transcripts.outerjoin(
                printed,
                (printed.c.congress == transcripts.c.congress)
                & (printed.c.jacket_number == transcripts.c.jacket_number),
            )
        )
        .where(printed.c.jacket_number.is_(None))
    ).all()
    if absent:
        found.warning(
            f"{_rows(len(absent), 'meeting transcript link')} point to printed hearings the "
            "database lacks (the API lists them on the meeting only)",
            [f"{row.event_id}/{row.congress}/{row.jacket_number}" for row in absent],
        )


def _spaces(value: Any) -> str:
    return " ".join(str(value or "").split())


def _groups(rows: Iterable[Sequence[Any]], key: Callable[[Sequence[Any]], Any]) -> list[list[Any]]:
    """Rows (first column: the id) grouped by `key`, keeping only groups of two or more."""
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row[0])
    return [ids for ids in grouped.values() if len(ids) > 1]


def _check_duplicates(connection: Connection, found: _Findings, now: datetime) -> None:
    witnesses = schema.witnesses
    people = _groups(
        connection.execute(
            select(
                witnesses.c.witness_id, witnesses.c.normalized_name, witnesses.c.organization_key
            )
        ),
        lambda row: (_spaces(row[1]).casefold(), _spaces(row[2]).casefold()),
    )
    if people:
        found.problem(
            f"{_rows(len(people), 'person')} stored as more than one witness (the same "
            "normalized name and organization, up to case and spacing)",
            [id_ for group in people for id_ in group],
        )
    for table, noun in (
        (schema.witness_documents, "witness document"),
        (schema.meeting_documents, "meeting document"),
        (schema.videos, "video"),
    ):
        repeated = _groups(
            connection.execute(
                select(table.c.event_id, table.c.url).where(table.c.url.isnot(None))
            ),
            lambda row: (row[0], _spaces(row[1])),
        )
        if repeated:
            events = [group[0] for group in repeated]
            found.problem(f"{_rows(len(events), 'meeting')} list the same {noun} URL twice", events)
    links = schema.hearing_committees
    primaries = func.sum(case((links.c.is_primary.is_(True), 1), else_=0))
    for row_filter, sentence in (
        (primaries > 1, "have more than one primary committee"),
        (primaries < 1, "have committees but no primary one"),
    ):
        events = list(
            connection.execute(
                select(links.c.event_id).group_by(links.c.event_id).having(row_filter)
            ).scalars()
        )
        if events:
            found.problem(f"{_rows(len(events), 'meeting')} {sentence}", events)
    for key_column, key, noun in (
        (
            schema.committees.c.system_code,
            lambda row: _spaces(row[0]).casefold(),
            "committee code",
        ),
        (
            schema.members.c.bioguide_id,
            lambda row: _spaces(row[0]).casefold(),
            "bioguide id",
        ),
        (
            schema.hearings.c.event_id,
            lambda row: _spaces(row[0]).lstrip("0"),
            "event id",
        ),
    ):
        repeated = _groups(connection.execute(select(key_column)), key)
        if repeated:
            found.problem(
                f"{_rows(len(repeated), noun)} stored more than once (up to case, spacing or "
                "leading zeros)",
                [id_ for group in repeated for id_ in group],
            )
    bills = schema.bills
    citations = _groups(
        connection.execute(
            select(bills.c.bill_id, bills.c.congress, bills.c.bill_type, bills.c.number)
        ),
        lambda row: (
            row[1],
            _spaces(row[2]).replace(".", "").casefold(),
            _spaces(row[3]).lstrip("0"),
        ),
    )
    if citations:
        found.problem(
            f"{_rows(len(citations), 'bill')} stored more than once (the same congress, type and "
            "number)",
            [id_ for group in citations for id_ in group],
        )


def _check_required_fields(connection: Connection, found: _Findings, now: datetime) -> None:
    hearings = schema.hearings
    bad: dict[str, list[str]] = defaultdict(list)
    for row in connection.execute(
        select(
            hearings.c.event_id,
            hearings.c.congress,
            hearings.c.chamber,
            hearings.c.title,
            hearings.c.start_at,
            hearings.c.is_stub,
            hearings.c.update_date,
            hearings.c.content_hash,
        )
    ):
        if not str(row.event_id).isdigit():
            bad["have an event id that is not a number"].append(row.event_id)
        if row.chamber not in KNOWN_CHAMBERS:
            bad["have a chamber other than House, Senate or NoChamber"].append(row.event_id)
        if not 1 <= int(row.congress) <= 200:
            bad["have a congress number out of range"].append(row.event_id)
        if row.update_date is None:
            bad["have no updateDate"].append(row.event_id)
        if not row.content_hash:
            bad["have no content hash"].append(row.event_id)
        empty = not (row.title or "").strip() and row.start_at is None
        if empty and not row.is_stub:
            bad["have neither a title nor a date but are not marked as stubs"].append(row.event_id)
        if row.is_stub and not empty:
            bad["are marked as stubs but have a title or a date"].append(row.event_id)
    for sentence, ids in bad.items():
        found.problem(f"{_rows(len(ids), 'meeting')} {sentence}", ids)
    witnesses = schema.witnesses
    nameless = list(
        connection.execute(
            select(witnesses.c.witness_id).where(
                (func.coalesce(func.trim(witnesses.c.display_name), "") == "")
                | (func.coalesce(func.trim(witnesses.c.normalized_name), "") == "")
            )
        ).scalars()
    )
    if nameless:
        found.problem(f"{_rows(len(nameless), 'witness')} have no name", nameless)
    committees = schema.committees
    unnamed = list(
        connection.execute(
            select(committees.c.system_code).where(
                func.coalesce(func.trim(committees.c.name), "") == ""
            )
        ).scalars()
    )
    if unnamed:
        found.warning(
            f"{_rows(len(unnamed), 'committee')} have no name (placeholders from a meeting's "
            "reference; the next update fetches them)",
            unnamed,
        )


def _check_committees(connection: Connection, found: _Findings, now: datetime) -> None:
    hearings, links = schema.hearings, schema.hearing_committees
    rows = connection.execute(
        select(hearings.c.event_id, hearings.c.is_stub).where(
            ~select(links.c.event_id).where(links.c.event_id == hearings.c.event_id).exists()
        )
    ).all()
    meetings = [row.event_id for row in rows if not row.is_stub]
    if meetings:
        found.problem(f"{_rows(len(meetings), 'meeting')} have no committee", meetings)
    stubs = [row.event_id for row in rows if row.is_stub]
    if stubs:
        found.warning(f"{_rows(len(stubs), 'empty stub')} have no committee", stubs)


def congress_term(congress: int) -> tuple[datetime, datetime]:
    """From January 3 of its first year to January 3 two years later (true since 1935)."""
    first_year = 1789 + 2 * (congress - 1)
    return datetime(first_year, 1, 3), datetime(first_year + 2, 1, 3, 12)


def _check_dates(connection: Connection, found: _Findings, now: datetime) -> None:
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
            f"{_rows(len(starts), 'meeting')} dated before 1900 or more than five years ahead",
            starts,
        )
    if updates:
        found.problem(
            f"{_rows(len(updates), 'meeting')} have an updateDate before 1900 or in the future",
            updates,
        )
    if outside:
        found.warning(
            f"{_rows(len(outside), 'meeting')} dated more than a month outside their "
            "Congress's term",
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
            f"{_rows(len(marks), 'high-water mark')} in the future: updates would skip changes "
            "made before it",
            [f"{m.congress}/{m.chamber}/{m.entity}" for m in marks],
        )


def _check_stubs(connection: Connection, found: _Findings, now: datetime) -> None:
    hearings = schema.hearings
    stubs = list(
        connection.execute(
            select(hearings.c.event_id).where(hearings.c.is_stub.is_(True))
        ).scalars()
    )
    if stubs:
        found.warning(
            f"{_rows(len(stubs), 'empty stub')} (meetings the API returns with no title and no "
            "date)",
            stubs,
        )


def _check_quarantine(connection: Connection, found: _Findings, now: datetime) -> None:
    errors = schema.import_errors
    rows = connection.execute(
        select(errors.c.entity, errors.c.identifier, errors.c.attempts).where(
            errors.c.resolved.is_(False)
        )
    ).all()
    if rows:
        stuck = sum(1 for row in rows if row.attempts >= 3)
        found.warning(
            f"{_rows(len(rows), 'record')} waiting in the quarantine"
            + (f", {stuck} of them after three attempts or more" if stuck else "")
            + " (the next update retries them)",
            [f"{row.entity}:{row.identifier}" for row in rows],
        )


def _check_runs(connection: Connection, found: _Findings, now: datetime) -> None:
    logs = schema.update_logs
    open_runs = list(
        connection.execute(
            select(logs.c.run_id).where(logs.c.success.is_(None), logs.c.end_time.is_(None))
        ).scalars()
    )
    if open_runs:
        found.warning(
            f"{_rows(len(open_runs), 'run')} never recorded an outcome (killed, or still "
            "running); the next run finishes the job",
            open_runs,
        )


CHECKS: tuple[tuple[str, Check], ...] = (
    ("integrity", _check_integrity),
    ("foreign_keys", _check_foreign_keys),
    ("orphans", _check_orphans),
    ("duplicates", _check_duplicates),
    ("required_fields", _check_required_fields),
    ("committees", _check_committees),
    ("dates", _check_dates),
    ("stubs", _check_stubs),
    ("quarantine", _check_quarantine),
    ("runs", _check_runs),
)


# ---- reconcile -----------------------------------------------------------------------------


class MeetingLister(Protocol):
    """What `reconcile` needs from `hearings.congress_api.CongressClient`."""

    def count_list(self, path: str) -> int: ...

    def list_meetings(
        self, congress: int, chamber: str | None = None
    ) -> Iterator[dict[str, Any]]: ...


def local_chambers(engine: Engine, congress: int) -> list[str]:
    """The path chambers to reconcile: House and Senate, and NoChamber when the database has it."""
    hearings = schema.hearings
    with engine.connect() as connection:
        stored = set(
            connection.execute(
                select(hearings.c.chamber).where(hearings.c.congress == congress).distinct()
            ).scalars()
        )
    return ["house", "senate"] + (["nochamber"] if "NoChamber" in stored else [])


def local_congresses(engine: Engine) -> list[int]:
    """The Congresses the database holds, as `hearings update` counts them."""
    return list(held_congresses(engine))


def reconcile_meetings(
    engine: Engine, client: MeetingLister, congress: int, chambers: Sequence[str]
) -> list[ReconcileResult]:
    """For each chamber: the API's `pagination.count` (one request) and its listed ids (a few
    pages) against the meetings stored for that congress and chamber."""
    results = []
    hearings, errors = schema.hearings, schema.import_errors
    for chamber in chambers:
        path = f"committee-meeting/{int(congress)}/{chamber.lower()}"
        api_count = client.count_list(path)
        upstream = {
            str(entry.get("eventId")).strip()
            for entry in client.list_meetings(congress, chamber)
            if entry.get("eventId") is not None
        }
        with engine.connect() as connection:
            local = set(
                connection.execute(
                    select(hearings.c.event_id).where(
                        hearings.c.congress == congress,
                        func.lower(hearings.c.chamber) == chamber.lower(),
                    )
                ).scalars()
            )
            waiting = set(
                connection.execute(
                    select(errors.c.identifier).where(
                        errors.c.entity == "meeting", errors.c.resolved.is_(False)
                    )
                ).scalars()
            )
        missing_locally = _ids(upstream - local)
        results.append(
            ReconcileResult(
                congress=congress,
                chamber=chamber.lower(),
                api_count=api_count,
                local_count=len(local),
                missing_locally=missing_locally,
                missing_upstream=_ids(local - upstream),
                quarantined=[i for i in missing_locally if i in waiting],
            )
        )
    return results


def add_reconciliation(result: VerifyResult, reconciled: Sequence[ReconcileResult]) -> None:
    """Record the reconciliation in `result`: every id missing on either side is a problem."""
    result.reconciled = list(reconciled)
    result.checks.append("reconcile")
    for r in reconciled:
        where = f"Congress {r.congress}, {r.chamber}"
        counts = f"the API counts {r.api_count} meetings, the database holds {r.local_count}"
        if r.missing_locally:
            waiting = f" ({len(r.quarantined)} of them in the quarantine)" if r.quarantined else ""
            result.problems.append(
                Problem(
                    "reconcile",
                    f"{where}: {counts}; the database lacks {len(r.missing_locally)} the API "
                    f"lists{waiting}",
                    list(r.missing_locally),
                )
            )
        if r.missing_upstream:
            result.problems.append(
                Problem(
                    "reconcile",
                    f"{where}: {counts}; the API no longer lists {len(r.missing_upstream)} the "
                    "database holds",
                    list(r.missing_upstream),
                )
            )
        if r.agrees and r.api_count != r.local_count:
            result.warnings.append(
                Problem(
                    "reconcile",
                    f"{where}: {counts}, but every id it lists is stored (its count includes "
                    "repeated entries)",
                )
            )


# The name the design notes use.
reconcile = reconcile_meetings
