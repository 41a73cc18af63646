"""Lists an import read to the end, kept in the database until the import completes.

An import stopped by its `--max-requests` budget, by Ctrl-C or by kill -9 resumes from these lists
instead of reading them again: `StoredLists` stands in front of the client, serves a whole list
(an import's: no `since`) from the database when it holds it, and otherwise reads it from the API
and keeps it once read to the end. The entries are kept as the API sent them (an API key echoed in
one aside), so they pass the gate again exactly as on the first run. Lists older than `MAX_AGE`
are read again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from hearings.congress_api.budget import BudgetSpent
from hearings.store import schema
from hearings.store.engine import writing
from hearings.store.records import utc_naive

log = logging.getLogger(__name__)

# A list older than the update's default lookback is read again: what changed upstream since is
# then still within the window of the next `hearings update`.
MAX_AGE = timedelta(days=7)


@dataclass(frozen=True)
class StoredList:
    """One kept list: which endpoint, how many entries, and when it was read."""

    list_key: str
    entity: str
    congress: int | None
    entries: int
    listed_at: datetime


def list_key(entity: str, congress: int | None, chamber: str | None) -> str:
    return f"{entity}/{'all' if congress is None else int(congress)}/{chamber or 'all'}"


class StoredLists:
    """A client for the pipeline that reads each whole list once: kept lists come from the
    database, the rest from `client` (and are kept when read to the end)."""

    def __init__(
        self,
        client: Any,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_age: timedelta = MAX_AGE,
        redact: Callable[[str], str] = str,
    ) -> None:
        self.client = client
        self.engine = engine
        self.clock = clock
        self.max_age = max_age
        #: Removes the API key from a text, should upstream echo it (see `redact_text`).
        self.redact = redact
        #: Lists served from the database in this run: key → when the API was read for it.
        self.served: dict[str, datetime] = {}
        #: The Congress of the latest list asked for: the one the run is at.
        self.current_congress: int | None = None
        #: The stage of the first record fetch the --max-requests budget refused.
        self.stopped_in: str | None = None

    def __getattr__(self, name: str) -> Any:
        # Record fetches, counters and everything else are the client's own.
        return getattr(self.client, name)

    @property
    def request_count(self) -> int:
        return int(self.client.request_count)

    def get_meeting(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._fetch("meetings", self.client.get_meeting, args, kwargs)

    def get_printed_hearing(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._fetch("printed hearings", self.client.get_printed_hearing, args, kwargs)

    def get_committee(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._fetch("committees", self.client.get_committee, args, kwargs)

    def _fetch(
        self, stage: str, fetch: Callable[..., dict[str, Any]], args: Any, kwargs: Any
    ) -> dict[str, Any]:
        try:
            return fetch(*args, **kwargs)
        except BudgetSpent:
            self.stopped_in = self.stopped_in or stage
            raise

    def list_meetings(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        return self._whole("meeting", self.client.list_meetings, args, kwargs)

    def list_printed_hearings(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        return self._whole("printed_hearing", self.client.list_printed_hearings, args, kwargs)

    def list_committees(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        return self._whole("committee", self.client.list_committees, args, kwargs)

    def list_members(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        return self._whole("member", self.client.list_members, args, kwargs)

    def _whole(
        self,
        entity: str,
        read: Callable[..., Iterator[Any]],
        args: Sequence[Any],
        kwargs: dict[str, Any],
    ) -> Iterator[Any]:
        if kwargs.get("since") is not None or kwargs.get("until") is not None:
            return read(*args, **kwargs)  # a window of changes is an update's: never kept
        congress = args[0] if args else kwargs.get("congress")
        chamber = args[1] if len(args) > 1 else kwargs.get("chamber")
        key = list_key(entity, congress, chamber)
        if congress is not None:
            self.current_congress = int(congress)
        kept = self._kept(key)
        if kept is not None:
            listed_at, entries = kept
            self.served[key] = listed_at
            return iter(entries)
        entries = list(read(*args, **kwargs))  # raises (BudgetSpent, say) before keeping any
        self.keep(key, entity, congress, entries)
        return iter(entries)

    def entries(self, key: str) -> list[Any] | None:
        """The kept list's entries, or None when it is not kept (or too old)."""
        kept = self._kept(key)
        return None if kept is None else kept[1]

    def _kept(self, key: str) -> tuple[datetime, list[Any]] | None:
        """When the kept list was read, and its entries; None when it is not kept (or too
        old)."""
        lists, rows = schema.import_lists, schema.import_list_entries
        with self.engine.connect() as connection:
            listed_at = connection.execute(
                select(lists.c.listed_at).where(lists.c.list_key == key)
            ).scalar_one_or_none()
            if listed_at is None or listed_at < utc_naive(self.clock() - self.max_age):
                return None
            texts = connection.execute(
                select(rows.c.entry).where(rows.c.list_key == key).order_by(rows.c.position)
            ).scalars()
            return listed_at, [json.loads(text) for text in texts]

    def keep(self, key: str, entity: str, congress: int | None, entries: Sequence[Any]) -> None:
        """Keep a list read to the end (one transaction: all of it or none)."""
        if not all(isinstance(entry, dict) for entry in entries):
            return  # an entry salvaged from an unreadable page: read the list again next time
        try:
            texts = [_kept_text(entry, self.redact) for entry in entries]
        except RecursionError:
            return  # nested too deeply to write: read the list again next time
        with writing(self.engine).begin() as connection:
            _forget(connection, [key])
            connection.execute(
                insert(schema.import_lists),
                [
                    {
                        "list_key": key,
                        "entity": entity,
                        "congress": congress,
                        "entries": len(entries),
                        "listed_at": utc_naive(self.clock()),
                    }
                ],
            )
            if entries:
                connection.execute(
                    insert(schema.import_list_entries),
                    [
                        {"list_key": key, "position": n, "entry": text}
                        for n, text in enumerate(texts)
                    ],
                )


def _kept_text(entry: Any, redact: Callable[[str], str]) -> str:
    """The entry's JSON, with `redact` applied to every text in it."""
    try:
        return json.dumps(_redacted(entry, redact))
    except RecursionError:  # nested deeper than the walk goes: the key as it stands in JSON
        return redact(json.dumps(entry))


def _redacted(value: Any, redact: Callable[[str], str]) -> Any:
    """`value` with `redact` applied to every text in it, keys included: the database never
    holds the API key, and the gate would have replaced an echoed one in what it stores."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(k)): _redacted(v, redact) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v, redact) for v in value]
    return value


def kept_lists(engine: Engine) -> list[StoredList]:
    table = schema.import_lists
    with engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c.list_key)).all()
    return [
        StoredList(row.list_key, row.entity, row.congress, row.entries, row.listed_at)
        for row in rows
    ]


def forget_lists(engine: Engine, congresses: Iterable[int]) -> None:
    """An import that completed no longer needs its lists: the next import reads them afresh."""
    wanted = set(congresses)
    keys = [kept.list_key for kept in kept_lists(engine) if kept.congress in wanted]
    if keys:
        with writing(engine).begin() as connection:
            _forget(connection, keys)


def _forget(connection: Any, keys: Sequence[str]) -> None:
    for table in (schema.import_list_entries, schema.import_lists):
        connection.execute(delete(table).where(table.c.list_key.in_(list(keys))))
