"""The checks of `hearings verify` on rows: every child has its parent, nothing is stored twice
under names that differ only in spacing or case, and every required field is filled."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, select

from hearings.reports.verify_result import Findings, counted
from hearings.store import schema

KNOWN_CHAMBERS = ("House", "Senate", "NoChamber")


def check_orphans(connection: Connection, found: Findings, now: datetime) -> None:
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
            f"{counted(len(unused_ids), 'witness')} without any appearance (a witness exists only "
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
            f"{counted(len(codes), 'committee', 'name')} a parent committee the database lacks "
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
            f"{counted(len(unmatched), 'printed hearing', 'name')} an associated meeting the "
            "database lacks",
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
            f"{counted(len(absent), 'meeting transcript link', 'point')} to printed hearings the "
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


def check_duplicates(connection: Connection, found: Findings, now: datetime) -> None:
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
            f"{counted(len(people), 'person')} stored as more than one witness (the same "
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
            found.problem(
                f"{counted(len(events), 'meeting', 'list')} the same {noun} URL twice", events
            )
    links = schema.hearing_committees
    primaries = func.sum(case((links.c.is_primary.is_(True), 1), else_=0))
    for row_filter, sentence in (
        (primaries > 1, "more than one primary committee"),
        (primaries < 1, "committees but no primary one"),
    ):
        events = list(
            connection.execute(
                select(links.c.event_id).group_by(links.c.event_id).having(row_filter)
            ).scalars()
        )
        if events:
            found.problem(f"{counted(len(events), 'meeting', 'have')} {sentence}", events)
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
                f"{counted(len(repeated), noun)} stored more than once (up to case, spacing or "
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
            f"{counted(len(citations), 'bill')} stored more than once (the same congress, type and "
            "number)",
            [id_ for group in citations for id_ in group],
        )


_NOT_MARKED_AS_STUB = (
    "has neither a title nor a date but is not marked as a stub",
    "have neither a title nor a date but are not marked as stubs",
)

_MARKED_AS_STUB = (
    "is marked as a stub but has a title or a date",
    "are marked as stubs but have a title or a date",
)


def _has(what: str) -> tuple[str, str]:
    """A problem as said of one meeting and of several."""
    return f"has {what}", f"have {what}"


def check_required_fields(connection: Connection, found: Findings, now: datetime) -> None:
    hearings = schema.hearings
    # A problem, as said of one meeting and of several: the meetings that have it.
    bad: dict[tuple[str, str], list[str]] = defaultdict(list)
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
            bad[_has("an event id that is not a number")].append(row.event_id)
        if row.chamber not in KNOWN_CHAMBERS:
            bad[_has("a chamber other than House, Senate or NoChamber")].append(row.event_id)
        if not 1 <= int(row.congress) <= 200:
            bad[_has("a congress number out of range")].append(row.event_id)
        if row.update_date is None:
            bad[_has("no updateDate")].append(row.event_id)
        if not row.content_hash:
            bad[_has("no content hash")].append(row.event_id)
        empty = not (row.title or "").strip() and row.start_at is None
        if empty and not row.is_stub:
            bad[_NOT_MARKED_AS_STUB].append(row.event_id)
        if row.is_stub and not empty:
            bad[_MARKED_AS_STUB].append(row.event_id)
    for (one, many), ids in bad.items():
        found.problem(f"{counted(len(ids), 'meeting')} {one if len(ids) == 1 else many}", ids)
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
        found.problem(f"{counted(len(nameless), 'witness', 'have')} no name", nameless)
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
            f"{counted(len(unnamed), 'committee', 'have')} no name (placeholders from a meeting's "
            "reference; the next update fetches them)",
            unnamed,
        )
