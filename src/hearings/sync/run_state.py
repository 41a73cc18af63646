"""Where a run writes, and the one path by which anything reaches the quarantine."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from hearings.store.engine import writing
from hearings.sync import quarantine as quarantine_store
from hearings.sync.gate import Quarantined, Unnamed
from hearings.sync.interrupted_runs import record_quarantined
from hearings.sync.options import SyncOptions
from hearings.sync.runlog import QuarantinedRecord, RejectedEntry, RunMetrics

log = logging.getLogger(__name__)


class RunState:
    """Batch mode: a transaction per step, on one connection held for the run (opening a SQLite
    connection per transaction cost more than the transactions). Single-transaction mode: one
    transaction for the whole run, with quarantine writes held back until it ends (a second
    SQLite writer would wait on our own lock). `close()` releases the connection."""

    def __init__(
        self,
        engine: Engine,
        options: SyncOptions,
        metrics: RunMetrics,
        clock: Callable[[], datetime],
        redact: Callable[[str], str] = str,
    ):
        self.engine = engine
        # Applied to what the quarantine keeps: the API key never reaches the database.
        self.redact = redact
        self.options = options
        self.metrics = metrics
        self.clock = clock
        # The run's recorded start: no high-water mark may pass it.
        self.started = metrics.start_time
        self.single: Connection | None = None
        self.deferred_quarantine: list[Quarantined] = []
        # Once per record and run: an import of several Congresses runs the pipeline once per
        # Congress with one `metrics`, and a record refused for the first is not counted again.
        self._quarantined: set[tuple[str, str]] = {
            (r.entity, r.identifier) for r in metrics.quarantined_records
        }
        # Stages (by mark name) whose list was not read to its end: their marks stay put.
        self.lists_not_whole: set[str] = set()
        self.batch_number = 0
        self._connection: Connection | None = None
        # The requests the run's client has made: written with each batch's figures.
        self.requests_made: Callable[[], int] = lambda: 0

    @property
    def connection(self) -> Connection:
        """The run's connection for batch-mode transactions, opened on first use."""
        if self._connection is None:
            self._connection = writing(self.engine.connect())
        return self._connection

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        if self.single is not None:
            yield self.single
        else:
            connection = self.connection
            with connection.begin():
                yield connection

    def now(self) -> datetime:
        return self.clock().astimezone(UTC).replace(tzinfo=None, microsecond=0)

    @property
    def writes(self) -> bool:
        return not self.options.dry_run

    @property
    def all_or_nothing(self) -> bool:
        """Single-transaction mode: one failure anywhere rolls back the whole run."""
        return not self.options.batch_enabled and not self.options.dry_run

    # ---- the quarantine path -----------------------------------------------------------

    def quarantine(self, item: Quarantined) -> None:
        """Keep a refused record with its reason and raw payload, to retry next run."""
        if (item.entity, item.identifier) in self._quarantined:
            return  # once per record and run: a second refusal says nothing new
        self._quarantined.add((item.entity, item.identifier))
        log.warning(
            "quarantined %s %s at %s: %s", item.entity, item.identifier, item.stage, item.reason
        )
        self.metrics.quarantined_records.append(
            QuarantinedRecord(item.entity, item.identifier, item.stage, item.reason)
        )
        figures = self.metrics.figures(item.locator.get("congress"))
        if figures is not None:
            figures.quarantined += 1
        if not self.writes:
            return
        if self.single is not None:
            self.deferred_quarantine.append(item)
            return
        self._write_quarantine([item])

    def quarantined_in_run(self, entity: str) -> set[str]:
        """The records of `entity` this run (for any of its Congresses) has quarantined."""
        return {identifier for kind, identifier in self._quarantined if kind == entity}

    def reject(self, entry: Unnamed) -> None:
        """A list entry that names no record: nothing to quarantine or retry, so it is logged,
        counted and reported."""
        self.metrics.list_entries_rejected += 1
        if len(self.metrics.rejected_entries) < 100:
            self.metrics.rejected_entries.append(RejectedEntry(entry.entity, entry.reason))

    def flush_deferred_quarantine(self) -> None:
        items, self.deferred_quarantine = self.deferred_quarantine, []
        if items:
            self._write_quarantine(items)

    def _write_quarantine(self, items: list[Quarantined]) -> None:
        try:
            with self.transaction() as connection:
                for item in items:
                    fields = _fields(item)
                    fields["reason"] = self.redact(item.reason)
                    fields["raw_payload"] = _redacted_payload(item.raw_payload, self.redact)
                    quarantine_store.quarantine(connection, now=self.now(), **fields)
                # The count commits with the entries: a run killed later still reports them.
                record_quarantined(connection, self.metrics)
        except Exception:  # the record is still counted and logged; the run must go on
            log.exception("could not write %d quarantine entries", len(items))
            self.metrics.errors.append(
                f"{len(items)} quarantined records could not be written to the quarantine "
                "table; they are in the log"
            )


def _redacted_payload(payload: Any, redact: Callable[[str], str]) -> str | None:
    text = quarantine_store.payload_text(payload)
    return None if text is None else redact(text)


def _fields(item: Quarantined) -> dict[str, Any]:
    return {
        "entity": item.entity,
        "identifier": item.identifier,
        "stage": item.stage,
        "reason": item.reason,
        "raw_payload": item.raw_payload,
        "locator": item.locator,
    }
