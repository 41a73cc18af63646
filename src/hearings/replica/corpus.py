"""The replica's data: item bodies loaded from corpus folders, kept by kind and id, read back as
items and as list pages (`replica.list_index`).

One corpus holds any number of Congresses. Meetings are keyed by `eventId` (unique across
Congresses upstream), printed hearings by Congress and jacket number (jackets recur across
Congresses), committees and members by their code and serve every Congress they belong to.

Records are immutable and shared between copies of a corpus, so `Corpus.copy()` is cheap; every
`put_*`/`remove_*` replaces whole records. `Corpus.scaled(n)` fakes large corpora by cloning the
sample meetings under fresh event ids, storing only an id and a date per clone.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from hearings.replica.clones import scaled_meetings
from hearings.replica.corpus_folders import CorpusSource, corpus_folders, fill
from hearings.replica.item_texts import ItemTexts
from hearings.replica.list_entries import list_entry
from hearings.replica.list_index import ListIndex
from hearings.replica.record_intake import (
    FilePlace,
    committee_record,
    file_record,
    filed_record,
    member_record,
)
from hearings.replica.records import KINDS, Kind, Record, store_key

#: Every bundled Congress: `congress-118/` (small) and `congress-119/`, what `hearings demo` and
#: `hearings replica` serve.
BUNDLED_CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
#: The bundled 119th Congress alone, the corpus most tests import.
DEFAULT_CORPUS_DIR = BUNDLED_CORPUS_DIR / "congress-119"


class Corpus:
    """Items by kind and id, and the list pages derived from them. Thread-safe."""

    def __init__(self, source: CorpusSource | None = None):
        #: The folder or folders `load` was given, as given (None for a corpus built in memory).
        self.source = source
        self._scale: int | None = None
        self._lock = threading.RLock()
        self._records: dict[Kind, dict[str, Record]] = {kind: {} for kind in KINDS}
        self._indexes: dict[tuple[Kind, int | None, str | None], ListIndex] = {}
        self._texts = ItemTexts(self._lock)

    # ---- construction ---------------------------------------------------------------------

    @classmethod
    def load(cls, source: CorpusSource = DEFAULT_CORPUS_DIR) -> Corpus:
        """Read a corpus folder laid out as `committee-meeting/{c}/{ch}/{id}.json`,
        `hearing/{c}/{ch}/{jacket}.json`, `committee/{ch}/{code}.json`, `member/{id}.json`; or a
        folder of such folders named `congress-NNN`; or a list of folders."""
        corpus = cls(source)
        corpus.reload()
        return corpus

    @property
    def source_dir(self) -> Path | None:
        """The one folder this corpus was loaded from (None for a list of folders or none)."""
        return Path(self.source) if isinstance(self.source, str | Path) else None

    def reload(self) -> None:
        """Re-read the source folders (and re-scale, for a scaled corpus), dropping edits."""
        if self.source is None:
            raise ValueError("this corpus was not loaded from a folder, so it cannot be reloaded")
        fresh = Corpus(self.source)
        for folder in corpus_folders(self.source):
            fill(fresh, folder)
        if self._scale is not None:
            fresh = fresh.scaled(self._scale)
        with self._lock:
            self._records = fresh._records
            self._indexes.clear()
            self._texts.clear()

    def copy(self) -> Corpus:
        """An independent corpus sharing the immutable records: O(items), no JSON copying."""
        other = Corpus(self.source)
        with self._lock:
            other._scale = self._scale
            other._records = {kind: dict(records) for kind, records in self._records.items()}
        return other

    def scaled(self, n_meetings: int) -> Corpus:
        """A copy holding exactly `n_meetings` meetings: the originals first, then clones of them
        under fresh event ids, with updateDates spread over the year before the newest original.

        Clones drop `hearingTranscript` so each printed hearing keeps one meeting.
        """
        other = self.copy()
        other._scale = n_meetings
        other._records["meeting"] = scaled_meetings(self._records["meeting"].values(), n_meetings)
        return other

    # ---- mutation -------------------------------------------------------------------------

    def put_meeting(self, payload: Mapping[str, Any], *, chamber: str | None = None) -> str:
        """Add or replace a meeting (an item response or the bare record); returns its eventId."""
        return self._put(filed_record("meeting", payload, chamber=chamber))

    def put_printed_hearing(self, payload: Mapping[str, Any], *, chamber: str | None = None) -> str:
        return self._put(filed_record("hearing", payload, chamber=chamber))

    def put_committee(
        self,
        payload: Mapping[str, Any],
        *,
        chamber: str | None = None,
        congresses: Iterable[int] | None = None,
    ) -> str:
        """Add or replace a committee. Committee items often lack `chamber`: pass it (the corpus
        folder name supplies it). Congresses come from `_congresses`, the argument, the record
        being replaced, or else the newest congress in the corpus."""
        record = committee_record(
            payload, chamber=chamber, congresses=congresses, held=self._held_congresses
        )
        return self._put(record)

    def put_member(
        self, payload: Mapping[str, Any], *, congresses: Iterable[int] | None = None
    ) -> str:
        return self._put(member_record(payload, congresses=congresses, held=self._held_congresses))

    def put_file(
        self,
        kind: Kind,
        payload: Mapping[str, Any],
        place: FilePlace,
        congresses: Iterable[int] | None = None,
    ) -> str:
        """Add or replace the record of a corpus file: filed where the file sits, served as the
        file has it, however malformed (what the updater makes of it is what is tested)."""
        return self._put(file_record(kind, payload, place, congresses, held=self._held_congresses))

    def remove_meeting(self, event_id: str | int) -> bool:
        return self._remove("meeting", event_id)

    def remove_printed_hearing(self, jacket_number: str | int, congress: int | None = None) -> bool:
        """Remove the printed hearing with this jacket number in `congress` (in any Congress
        when None)."""
        with self._lock:
            found = [
                slot
                for slot, r in self._records["hearing"].items()
                if r.key == str(jacket_number).strip().lower()
                and (congress is None or congress in r.congresses)
            ]
        return any([self._remove("hearing", slot) for slot in found])

    def remove_committee(self, system_code: str) -> bool:
        return self._remove("committee", system_code)

    def remove_member(self, bioguide_id: str) -> bool:
        return self._remove("member", bioguide_id)

    def _put(self, record: Record) -> str:
        slot = store_key(record.kind, record.key, record.congresses)
        with self._lock:
            replaced = self._records[record.kind].get(slot)
            self._records[record.kind][slot] = record
            self._indexes.clear()
            if replaced is not None:
                self._texts.forget(replaced)
        return record.ident

    def _remove(self, kind: Kind, ident: str | int) -> bool:
        with self._lock:
            removed = self._records[kind].pop(str(ident).strip().lower(), None)
            self._indexes.clear()
            if removed is not None:
                self._texts.forget(removed)
        return removed is not None

    def _held_congresses(self, kind: Kind, key: str) -> tuple[int, ...]:
        # A record being replaced keeps its Congresses; a new one joins the newest.
        with self._lock:
            existing = self._records[kind].get(key)
        if existing is not None:
            return existing.congresses
        return (self.newest_congress(),)

    # ---- reading --------------------------------------------------------------------------

    def __len__(self) -> int:
        with self._lock:
            return sum(len(records) for records in self._records.values())

    def count(self, kind: Kind) -> int:
        with self._lock:
            return len(self._records[kind])

    def ids(self, kind: Kind) -> list[str]:
        with self._lock:
            return [record.ident for record in self._records[kind].values()]

    def congresses(self) -> tuple[int, ...]:
        """The Congresses whose meetings or printed hearings the corpus holds, ascending."""
        with self._lock:
            filed = {
                c for kind in ("meeting", "hearing") for r in self._records[kind].values()
                for c in r.congresses
            }  # fmt: skip
        return tuple(sorted(filed))

    def newest_congress(self) -> int:
        with self._lock:
            seen = [
                c
                for records in self._records.values()
                for r in records.values()
                for c in r.congresses
            ]
        return max(seen, default=119)

    def record(self, kind: Kind, ident: str | int, congress: int | None = None) -> Record | None:
        """The record with this id, in `congress` when given (a printed hearing's jacket number
        can recur: without a Congress, the newest Congress's)."""
        key = str(ident).strip().lower()
        with self._lock:
            records = self._records[kind]
            if kind == "hearing":
                if congress is not None:
                    return records.get(store_key(kind, key, (congress,)))
                matches = [r for r in records.values() if r.key == key]
                return max(matches, key=lambda r: r.congresses) if matches else None
            found = records.get(key)
        if found is not None and congress is not None and congress not in found.congresses:
            return None
        return found

    def body(self, record: Record) -> dict[str, Any]:
        """The record as served. Shared with the corpus for originals: treat it as read-only."""
        if record.body is not None:
            return record.body
        parsed: dict[str, Any] = json.loads(self.item_text(record))
        return parsed

    def item_text(self, record: Record) -> str:
        """The record serialized the way the API writes it as the value inside an item response
        (sorted keys, 4-space indent, nested one level deep)."""
        return self._texts.text(record, stored=self._is_stored)

    def _is_stored(self, record: Record) -> bool:
        with self._lock:
            slot = store_key(record.kind, record.key, record.congresses)
            return self._records[record.kind].get(slot) is record

    def get(
        self, kind: Kind, ident: str | int, congress: int | None = None
    ) -> dict[str, Any] | None:
        """A private copy of one record (see `record`), safe to edit and `put_*` back."""
        record = self.record(kind, ident, congress)
        return None if record is None else json.loads(json.dumps(self.body(record)))

    def meeting(self, event_id: str | int) -> dict[str, Any] | None:
        return self.get("meeting", event_id)

    def printed_hearing(
        self, jacket_number: str | int, congress: int | None = None
    ) -> dict[str, Any] | None:
        return self.get("hearing", jacket_number, congress)

    def committee(self, system_code: str) -> dict[str, Any] | None:
        return self.get("committee", system_code)

    def member(self, bioguide_id: str) -> dict[str, Any] | None:
        return self.get("member", bioguide_id)

    # ---- lists ----------------------------------------------------------------------------

    def list_records(
        self,
        kind: Kind,
        *,
        congress: int | None = None,
        chamber: str | None = None,
        offset: int = 0,
        limit: int = 20,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> tuple[list[Record], int]:
        """The records on one list page (newest first) and the total count in the window."""
        index = self._index(kind, congress, chamber)
        return index.page(offset, limit, since=since, until=until)

    def iter_records(self, kind: Kind) -> Iterator[Record]:
        """Every record of a kind, newest first."""
        yield from self._index(kind, None, None).records

    def _index(self, kind: Kind, congress: int | None, chamber: str | None) -> ListIndex:
        cache_key = (kind, congress, chamber)
        with self._lock:
            index = self._indexes.get(cache_key)
            if index is None:
                index = ListIndex.of(self._records[kind].values(), congress, chamber)
                self._indexes[cache_key] = index
            return index

    def summary(self, record: Record, base_url: str) -> dict[str, Any]:
        """The list entry for a record, shaped like the real list endpoints."""
        return list_entry(self, record, base_url)
