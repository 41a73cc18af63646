"""A run that refuses to start because the backup before it failed is still a run: it goes into
`update_logs` as a failed run with its one-sentence reason, so `hearings report` and `hearings
status` show it. Unless the database itself is damaged (a damaged backup copy most likely means
that): a damaged database is not written to, not even this row."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import DBAPIError

from hearings.store import schema
from hearings.store.engine import is_sqlite, writing
from hearings.store.integrity import integrity_problems
from hearings.sync.runlog import RunMetrics, naive_utc, run_columns

log = logging.getLogger(__name__)


def record_refused_run(engine: Engine, metrics: RunMetrics) -> bool:
    """Log the refused run (its outcome set) as one finished row, touching no other row; False,
    writing nothing, when the database is damaged or the row cannot be written."""
    if is_damaged(engine):
        return False
    try:
        with writing(engine).begin() as connection:
            result = connection.execute(
                insert(schema.update_logs).values(
                    **run_columns(metrics),
                    end_time=naive_utc(metrics.end_time),
                    duration_seconds=metrics.duration_seconds,
                    error_count=metrics.error_count,
                    success=False,
                    exit_code=metrics.exit_code,
                    metrics=None,
                )
            )
            key = result.inserted_primary_key
            metrics.run_id = int(key[0]) if key else None
            # The metrics name their own run, as a finished run's do.
            connection.execute(
                schema.update_logs.update()
                .where(schema.update_logs.c.run_id == metrics.run_id)
                .values(metrics=metrics.as_dict())
            )
    except DBAPIError:
        # Debug, off the console: the backup's sentence is the one line the user gets.
        log.debug("the refused run could not be recorded", exc_info=True)
        metrics.run_id = None
        return False
    return True


def is_damaged(engine: Engine) -> bool:
    """True when SQLite's quick check finds the database damaged, or cannot read it. Other
    backends check their own pages; a write to a damaged one fails and writes nothing."""
    if not is_sqlite(engine):
        return False
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("PRAGMA quick_check")).all()
    except DBAPIError:
        return True
    return bool(integrity_problems(rows)) or not rows
