"""CSV and JSON of the current search, in the record format of `hearings export hearings`.

The export is written whole before the answer starts: a streamed one committed to 200 before
its first record was read, so a failure on the way (a record that cannot be read) cut the file
off after `[` or a few rows, with nothing but a dropped connection to say so. Written first, a
failure is a 500 sentence, and a complete file goes out with its Content-Length. A spooled file
keeps memory bounded, as streaming did (an export holds at most EXPORT_LIMIT meetings)."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

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


# Kept in memory up to this size, then in a temporary file.
_SPOOL_BYTES = 4 * 1024 * 1024
_READ_BYTES = 64 * 1024


@dataclass
class WrittenExport:
    """An export written whole: its size, and its bytes to send (the file closes when sent)."""

    size: int
    file: IO[bytes]

    def blocks(self) -> Iterator[bytes]:
        try:
            while block := self.file.read(_READ_BYTES):
                yield block
        finally:
            self.file.close()


def export_search(engine: Engine, filters: HearingFilters, fmt: str) -> WrittenExport:
    """The export of the search, written whole; raises (before anything is sent) when any of
    it cannot be read."""
    records = search_records(engine, filters)
    text = _json(records) if fmt == "json" else _csv(records)
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - closed by blocks()
    try:
        for part in text:
            spool.write(part.encode("utf-8"))
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return WrittenExport(size, spool)


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
