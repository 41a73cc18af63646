"""CSV and JSON of the current search, in the record format of `hearings export hearings`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine

from hearings.reports import meeting_export as contract
from hearings.reports.export_formats import CSV_LINE_END, csv_cell
from hearings.store.meeting_record import load_meetings
from hearings.web.filters import HearingFilters
from hearings.web.listing import find_hearings

# A search export is for a search, not a dump of the database (`hearings export` is for that).
EXPORT_LIMIT = 10_000
_CHUNK = 500


def search_records(engine: Engine, filters: HearingFilters) -> Iterator[dict[str, Any]]:
    """The records of every meeting the search finds (up to EXPORT_LIMIT), in result order."""
    with engine.connect() as connection:
        page = find_hearings(connection, filters, limit=EXPORT_LIMIT, offset=0, children=False)
        ids = [row.event_id for row in page.rows]
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            meetings = load_meetings(connection, chunk)
            for event_id in chunk:
                if event_id in meetings:
                    yield contract.hearing_record(meetings[event_id])


def export_search(engine: Engine, filters: HearingFilters, fmt: str) -> Iterator[str]:
    records = search_records(engine, filters)
    if fmt == "json":
        return _json(records)
    return _csv(records)


def _json(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield "["
    first = True
    for record in records:
        yield ("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "\n]\n"


def _csv(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer: csv.DictWriter[str] | None = None
    for record in records:
        if writer is None:
            writer = csv.DictWriter(buffer, fieldnames=list(record), lineterminator=CSV_LINE_END)
            writer.writeheader()
        writer.writerow({k: csv_cell(v) for k, v in record.items()})
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if writer is None:
        # No results: still a header, so the file opens as the right table.
        yield ",".join(contract.HEARING_FIELDS) + CSV_LINE_END
        return
    yield buffer.getvalue()
