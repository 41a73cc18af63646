"""What goes into the full-text index (`hearing_search`): one row per meeting, read back from the
tables (`index_documents`) or built from rows just written (`documents_of`); both give the same
row for the same meeting."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, tuple_

from hearings.citations import bill_token, find_citations
from hearings.store import schema
from hearings.store.records import MeetingRows

TEXT_COLUMNS = (
    "title",
    "witnesses",
    "organizations",
    "positions",
    "committees",
    "documents",
    "bills",
)
# A row of the index: the event id and one text per column of TEXT_COLUMNS.
IndexRow = dict[str, str]


def _join(parts: Iterable[str | None]) -> str:
    """The distinct texts of `parts`, whitespace collapsed, one a line, in order."""
    seen: dict[str, None] = {}
    for part in parts:
        if part:
            text = " ".join(str(part).split())
            if text:
                seen.setdefault(text)
    return "\n".join(seen)


def index_documents(connection: Connection, event_ids: Sequence[str]) -> list[IndexRow]:
    """The index row of each existing meeting in `event_ids`, built with one query per table."""
    hearings = schema.hearings
    titles = dict(
        connection.execute(
            select(hearings.c.event_id, hearings.c.title).where(hearings.c.event_id.in_(event_ids))
        ).all()
    )
    parts: dict[str, dict[str, list[str | None]]] = defaultdict(lambda: defaultdict(list))
    found = list(titles)
    r: Any
    if not found:
        return []

    appearances, witnesses = schema.witness_appearances, schema.witnesses
    for r in connection.execute(
        select(
            appearances.c.event_id,
            appearances.c.name_as_given,
            appearances.c.organization,
            appearances.c.position,
            witnesses.c.organization.label("entity_organization"),
        )
        .join(witnesses, witnesses.c.witness_id == appearances.c.witness_id)
        .where(appearances.c.event_id.in_(found))
        .order_by(appearances.c.event_id, appearances.c.ordinal)
    ):
        entry = parts[r.event_id]
        entry["witnesses"].append(r.name_as_given)
        entry["organizations"] += [r.organization, r.entity_organization]
        entry["positions"].append(r.position)

    links, committees = schema.hearing_committees, schema.committees
    for r in connection.execute(
        select(links.c.event_id, links.c.system_code, committees.c.name)
        .join(committees, committees.c.system_code == links.c.system_code)
        .where(links.c.event_id.in_(found))
        .order_by(links.c.event_id, links.c.ordinal)
    ):
        parts[r.event_id]["committees"] += [r.name, r.system_code]

    documents = schema.meeting_documents
    for r in connection.execute(
        select(documents.c.event_id, documents.c.name, documents.c.description)
        .where(documents.c.event_id.in_(found))
        .order_by(documents.c.event_id, documents.c.ordinal)
    ):
        parts[r.event_id]["documents"] += [r.name, r.description]
    statements = schema.witness_documents
    for r in connection.execute(
        select(statements.c.event_id, statements.c.name, statements.c.document_type)
        .where(statements.c.event_id.in_(found))
        .order_by(statements.c.event_id, statements.c.ordinal)
    ):
        parts[r.event_id]["documents"] += [r.name, r.document_type]
    printed, transcripts = schema.printed_hearings, schema.hearing_transcripts
    for r in connection.execute(
        select(transcripts.c.event_id, printed.c.title, printed.c.citation)
        .join(
            printed,
            (printed.c.congress == transcripts.c.congress)
            & (printed.c.jacket_number == transcripts.c.jacket_number),
        )
        .where(transcripts.c.event_id.in_(found))
        .order_by(transcripts.c.event_id, transcripts.c.ordinal)
    ):
        parts[r.event_id]["documents"] += [r.title, r.citation]
    for r in connection.execute(
        select(printed.c.associated_event_id, printed.c.title, printed.c.citation)
        .where(printed.c.associated_event_id.in_(found))
        .order_by(printed.c.associated_event_id, printed.c.congress, printed.c.jacket_number)
    ):
        parts[r.associated_event_id]["documents"] += [r.title, r.citation]

    hearing_bills, bills = schema.hearing_bills, schema.bills
    for r in connection.execute(
        select(hearing_bills.c.event_id, bills.c.bill_type, bills.c.number)
        .join(bills, bills.c.bill_id == hearing_bills.c.bill_id)
        .where(hearing_bills.c.event_id.in_(found))
        .order_by(hearing_bills.c.event_id, hearing_bills.c.ordinal)
    ):
        parts[r.event_id]["bills"].append(bill_token(r.bill_type, r.number))

    return [_document(event_id, titles[event_id], parts[event_id]) for event_id in sorted(found)]


def _document(
    event_id: str,
    title: str | None,
    entry: dict[str, list[str | None]],
    title_bills: list[str] | None = None,
) -> IndexRow:
    """One index row from its parts, column by column."""
    # A title that names a bill ("H.R. 2334, the ... Act") takes it up even when the API
    # leaves it out of relatedItems.
    if title_bills is None:
        title_bills = [c.token for c in find_citations(title or "")[0]]
    bills = entry["bills"] + title_bills
    row: IndexRow = {"event_id": event_id, "title": _join([title])}
    for name in TEXT_COLUMNS[1:-1]:
        row[name] = _join(entry[name])
    row["bills"] = " ".join(dict.fromkeys(t for t in bills if t))
    return row


@dataclass(frozen=True)
class IndexNames:
    """The names a meeting's index row takes from other tables: committees by system code, the
    stored witnesses' organizations, and printed hearings (title and citation) by (congress,
    jacket number) and by the meeting that names them."""

    committees: Mapping[str, str | None]
    organizations: Mapping[str, str | None]
    printed: Mapping[tuple[int, int], tuple[str | None, str | None]]
    naming: Mapping[str, list[str | None]]


def documents_of(connection: Connection, batch: Sequence[MeetingRows]) -> list[IndexRow]:
    """The index rows of meetings just written, built from their rows in memory; only the names
    the rows do not carry (committees, stored witnesses, printed hearings) are read back."""
    if not batch:
        return []
    names = _names_of(connection, batch)
    return [document_from(rows, names) for rows in sorted(batch, key=lambda r: r.event_id)]


def document_from(rows: MeetingRows, names: IndexNames) -> IndexRow:
    """A meeting's index row. A committee or witness `names` lacks (a rebuild's parsing worker
    knows only what was stored before any meeting) is named from this meeting's own rows: what
    the database holds when this meeting is the first to name it (`assumed_names` lists them)."""
    entry: dict[str, list[str | None]] = defaultdict(list)
    own: dict[str, str | None] | None = None
    for a in rows.appearances:
        witness_id = a["witness_id"]
        if witness_id in names.organizations:
            organization = names.organizations[witness_id]
        else:
            if own is None:
                own = {w["witness_id"]: w["organization"] for w in rows.witnesses}
            organization = own.get(witness_id)
        entry["witnesses"].append(a["name_as_given"])
        entry["organizations"] += [a["organization"], organization]
        entry["positions"].append(a["position"])
    refs = {ref["system_code"]: ref["name"] for ref in rows.committee_refs}
    for c in rows.committees:
        code = c["system_code"]
        if code in names.committees:
            entry["committees"] += [names.committees[code], code]
        elif code in refs:
            entry["committees"] += [refs[code], code]
    for d in rows.meeting_documents:
        entry["documents"] += [d["name"], d["description"]]
    for d in rows.witness_documents:
        entry["documents"] += [d["name"], d["document_type"]]
    for t in rows.transcripts:
        entry["documents"] += names.printed.get((t["congress"], t["jacket_number"]), ())
    entry["documents"] += names.naming.get(rows.event_id, [])
    entry["bills"] = [bill_token(b["bill_type"], b["number"]) for b in rows.bills]
    return _document(rows.event_id, rows.hearing["title"], entry, rows.title_bills)


# What `document_from` took from a meeting's own rows: ("witness", id, organization) or
# ("committee", system code, name).
Assumed = tuple[str, str, str | None]


def assumed_names(rows: MeetingRows, names: IndexNames) -> list[Assumed]:
    """The names `document_from` took from the meeting's own rows, for the writer to check
    against what the database holds once every earlier meeting is written."""
    assumed: list[Assumed] = [
        ("witness", w["witness_id"], w["organization"])
        for w in rows.witnesses
        if w["witness_id"] not in names.organizations
    ]
    assumed += [
        ("committee", ref["system_code"], ref["name"])
        for ref in rows.committee_refs
        if ref["system_code"] not in names.committees
    ]
    return assumed


def stored_index_names(connection: Connection) -> IndexNames:
    """Every committee's name and every printed hearing, as stored: what a rebuild's parsing
    workers index meetings with (the meetings' own witnesses name themselves)."""
    committees, printed = schema.committees, schema.printed_hearings
    naming: dict[str, list[str | None]] = defaultdict(list)
    by_key: dict[tuple[int, int], tuple[str | None, str | None]] = {}
    for r in connection.execute(
        select(
            printed.c.congress,
            printed.c.jacket_number,
            printed.c.title,
            printed.c.citation,
            printed.c.associated_event_id,
        ).order_by(printed.c.associated_event_id, printed.c.congress, printed.c.jacket_number)
    ):
        by_key[(r.congress, r.jacket_number)] = (r.title, r.citation)
        if r.associated_event_id is not None:
            naming[r.associated_event_id] += [r.title, r.citation]
    return IndexNames(
        committees=dict(
            connection.execute(select(committees.c.system_code, committees.c.name)).all()
        ),
        organizations={},
        printed=by_key,
        naming=dict(naming),
    )


def _names_of(connection: Connection, batch: Sequence[MeetingRows]) -> IndexNames:
    committees = schema.committees
    codes = sorted({c["system_code"] for rows in batch for c in rows.committees})
    committee_names = (
        dict(
            connection.execute(
                select(committees.c.system_code, committees.c.name).where(
                    committees.c.system_code.in_(codes)
                )
            ).all()
        )
        if codes
        else {}
    )
    witnesses = schema.witnesses
    witness_ids = sorted({a["witness_id"] for rows in batch for a in rows.appearances})
    organizations = (
        dict(
            connection.execute(
                select(witnesses.c.witness_id, witnesses.c.organization).where(
                    witnesses.c.witness_id.in_(witness_ids)
                )
            ).all()
        )
        if witness_ids
        else {}
    )
    printed, naming = _printed_hearings_of(connection, batch)
    return IndexNames(committee_names, organizations, printed, naming)


def _printed_hearings_of(
    connection: Connection, batch: Sequence[MeetingRows]
) -> tuple[dict[tuple[int, int], tuple[str | None, str | None]], dict[str, list[str | None]]]:
    """Title and citation of the printed hearings the meetings' transcripts name, by key, and of
    those that name each meeting, in the order `index_documents` reads them."""
    printed = schema.printed_hearings
    linked = sorted(
        {(t["congress"], t["jacket_number"]) for rows in batch for t in rows.transcripts}
    )
    by_key: dict[tuple[int, int], tuple[str | None, str | None]] = {}
    key = tuple_(printed.c.congress, printed.c.jacket_number)
    for start in range(0, len(linked), 500):
        for r in connection.execute(
            select(
                printed.c.congress, printed.c.jacket_number, printed.c.title, printed.c.citation
            ).where(key.in_(linked[start : start + 500]))
        ):
            by_key[(r.congress, r.jacket_number)] = (r.title, r.citation)
    naming: dict[str, list[str | None]] = defaultdict(list)
    for named in connection.execute(
        select(printed.c.associated_event_id, printed.c.title, printed.c.citation)
        .where(printed.c.associated_event_id.in_([rows.event_id for rows in batch]))
        .order_by(printed.c.associated_event_id, printed.c.congress, printed.c.jacket_number)
    ):
        naming[named.associated_event_id] += [named.title, named.citation]
    return by_key, naming
