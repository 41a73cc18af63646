"""An in-process stand-in for `CongressClient` that answers from a replica `Corpus` without HTTP.

It serves exactly the bodies the replica serves (`Corpus.item_text`, parsed), so a database built
through it is the database an HTTP import of the same corpus builds; it only skips the sockets.
The benchmarks use it to build large databases quickly and to feed the apply step.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from hearings.congress_api.errors import NotFound
from hearings.congress_api.models import normalize_chamber
from hearings.replica import Corpus
from hearings.replica.corpus import Kind

BASE_URL = "http://corpus.invalid/v3"
PAGE = 250


class CorpusClient:
    """The `ApiClient` protocol of `hearings.sync.pipeline`, answered from a corpus."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.request_count = 0

    def _pages(
        self,
        kind: Kind,
        congress: int | None,
        chamber: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            self.request_count += 1
            records, count = self.corpus.list_records(
                kind,
                congress=congress,
                chamber=chamber,
                offset=offset,
                limit=PAGE,
                since=since,
                until=until,
            )
            entries = [self.corpus.summary(record, BASE_URL) for record in records]
            yield from entries
            offset += len(entries)
            if not entries or offset >= count:
                return

    def _item(self, kind: Kind, ident: str | int, chamber: str | None = None) -> dict[str, Any]:
        self.request_count += 1
        record = self.corpus.record(kind, ident)
        if record is None or (chamber is not None and record.chamber != chamber):
            raise NotFound(f"no {kind} {ident}", status=404)
        body: dict[str, Any] = json.loads(self.corpus.item_text(record))
        return body

    def list_meetings(
        self,
        congress: int,
        chamber: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Iterator[dict[str, Any]]:
        return self._pages("meeting", congress, chamber, since, until)

    def get_meeting(self, congress: int, chamber: str, event_id: str) -> dict[str, Any]:
        return self._item("meeting", event_id, chamber)

    def list_printed_hearings(
        self,
        congress: int,
        chamber: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Iterator[dict[str, Any]]:
        return self._pages("hearing", congress, chamber, since, until)

    def get_printed_hearing(
        self, congress: int, chamber: str, jacket_number: int
    ) -> dict[str, Any]:
        return self._item("hearing", jacket_number, chamber)

    def list_committees(
        self,
        congress: int,
        chamber: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Iterator[dict[str, Any]]:
        return self._pages("committee", congress, chamber, since, until)

    def get_committee(self, chamber: str, system_code: str) -> dict[str, Any]:
        record = self._item("committee", system_code.strip().lower(), chamber)
        # Like `CongressClient.get_committee`: the chamber comes from the path when it is missing.
        if not record.get("chamber"):
            record["chamber"] = normalize_chamber(chamber)
        return record

    def list_members(self, congress: int) -> Iterator[dict[str, Any]]:
        return self._pages("member", congress, None, None, None)
