"""Running an import or an update end to end: lock, backup, run record, pipeline, outcome.

This is the library entry point behind `hearings import` and `hearings update`; the CLI only
turns arguments into `SyncOptions` and prints the metrics.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from hearings.config import Settings
from hearings.congress_api.budget import BudgetSpent
from hearings.congress_api.client import redact_text
from hearings.congress_api.errors import ApiError
from hearings.errors import HearingsError, UpdateAlreadyRunning
from hearings.logs import FILE_ONLY
from hearings.store.value_errors import unreadable_value
from hearings.store.writer_lock import writer_lock
from hearings.sync.backfill import Backfill
from hearings.sync.backup_files import BackupFailed
from hearings.sync.backups import sqlite_path_from_url
from hearings.sync.congress_runs import refuse_unheld, run_congresses
from hearings.sync.failpoints import failpoint
from hearings.sync.leftovers import remove_leftovers
from hearings.sync.pipeline import (
    FATAL,
    ApiClient,
    ChangeRatioExceeded,
    ProgressFn,
    SyncOptions,
)
from hearings.sync.refused_runs import record_refused_run
from hearings.sync.runlog import (
    BatchStats,
    CongressFigures,
    RunMetrics,
    finish_run,
    start_run,
)

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_QUARANTINED = 3
# Some stages committed, then another failed: what committed is kept, and the next run redoes
# the rest. Distinct from 1, which means nothing was applied.
EXIT_PARTIAL = 4


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class RunEnvironment:
    """The edges a run touches, passed in so tests and benchmarks can supply their own."""

    settings: Settings
    engine: Engine
    client: ApiClient
    clock: Callable[[], datetime] = utc_now
    progress: ProgressFn | None = None
    backup: Callable[[], str | None] | None = None
    notify: Callable[[RunMetrics], None] | None = None
    log_path: str | None = None
    # An import's backfill: lists and estimates before the stages, and makes a spent
    # --max-requests budget a clean stop after them.
    backfill: Backfill | None = None


def run_sync(env: RunEnvironment, options: SyncOptions, *, command: str) -> RunMetrics:
    """Run `import` or `update`; always returns the metrics, with `exit_code` set."""
    metrics = RunMetrics(
        command=command,
        congress=options.congress if len(options.selected) == 1 else None,
        chamber=options.chamber,
        batch_processing=BatchStats(enabled=options.batch_enabled, batch_size=options.batch_size),
        start_time=env.clock(),
        dry_run=options.dry_run,
        log_path=env.log_path,
    )
    if len(options.selected) > 1:  # in the run's row from its start, so a killed run names them
        metrics.congresses = {c: CongressFigures() for c in options.selected}
    requests_before = env.client.request_count
    incremental = command == "update"
    secret = env.settings.api_key_value()

    def redact(text: str) -> str:
        return redact_text(text, secret)

    try:
        with writer_lock(env.engine, env.settings.database_url), redacted_logs(redact):
            if incremental:  # under the lock: an import running now may be adding the Congress
                refuse_unheld(env.engine, options.selected)
            if not options.dry_run:
                database = sqlite_path_from_url(env.settings.database_url)
                if database is not None:  # the lock is ours: what holds no lock is left over
                    remove_leftovers(database)
                if env.backup is not None:
                    try:
                        metrics.backup_path = env.backup()
                    except BackupFailed as exc:
                        _refused(env, metrics, str(exc), redact)
                        raise
                start_run(env.engine, metrics)
            # After the backup: a database it refuses gets its one sentence and nothing else.
            if options.batch_enabled:
                log.info("Batch processing ENABLED (batch size %d)", options.batch_size)
            else:
                log.info("Batch processing DISABLED: the whole run is one transaction")
            try:
                if env.backfill is not None:
                    env.backfill.prepare()
                run_congresses(
                    env.engine,
                    env.client,
                    options,
                    metrics,
                    incremental=incremental,
                    clock=env.clock,
                    progress=env.progress or _silent,
                    redact=redact,
                )
            except BudgetSpent:  # while listing: the lists read in full are kept
                _settle(metrics)
            except ChangeRatioExceeded as exc:
                _fail(metrics, str(exc), rolled_back=False, options=options)
            except (ApiError, HearingsError) as exc:
                _fail(metrics, str(exc), rolled_back=True, options=options)
                if isinstance(exc, FATAL):  # a key missing or refused: CONGRESS_API_KEY to mend
                    metrics.exit_code = EXIT_USAGE
            except Exception as exc:  # a bug or a database failure: logged with its traceback
                log.exception("%s failed", command)
                # A high-water mark stored as 'garbage' failed every run as "ValueError: …".
                unreadable = unreadable_value(exc)
                reason = str(unreadable) if unreadable else f"{type(exc).__name__}: {exc}"
                _fail(metrics, reason, rolled_back=True, options=options)
            else:
                _settle(metrics)
            if env.backfill is not None:
                env.backfill.settle(metrics)
            metrics.api_requests = env.client.request_count - requests_before
            metrics.end_time = env.clock()
            metrics.scrub(redact)
            if not options.dry_run:
                _detect_anomalies(env, metrics)
                failpoint("before_run_recorded")
                finish_run(env.engine, metrics)
    except UpdateAlreadyRunning:
        raise
    _log_outcome(metrics)
    _announce(env, metrics)
    return metrics


def _refused(
    env: RunEnvironment, metrics: RunMetrics, reason: str, redact: Callable[[str], str]
) -> None:
    """The backup before the run failed, so the run does not start: it is logged all the same,
    as a failed run with the backup's sentence, and announced as failed runs are. The caller
    raises the sentence on; a damaged database is left unwritten (`record_refused_run`)."""
    metrics.errors.append(reason)
    metrics.success, metrics.exit_code = False, EXIT_FAILED
    metrics.end_time = env.clock()
    metrics.scrub(redact)
    record_refused_run(env.engine, metrics)
    # The daily log has every run; the console has the sentence the caller raises already.
    log.error("run refused: %s", reason, extra=FILE_ONLY)
    _log_outcome(metrics, extra=FILE_ONLY)
    _announce(env, metrics)


def _announce(env: RunEnvironment, metrics: RunMetrics) -> None:
    """A failed run, and a run with anomalies or suspicious changes, goes to the webhook."""
    if env.notify is not None and (
        not metrics.success or metrics.anomalies or metrics.suspicious_changes
    ):
        try:
            env.notify(metrics)
        except Exception:  # a failed notification never fails the run
            log.exception("notification failed")


@contextmanager
def redacted_logs(redact: Callable[[str], str]) -> Iterator[None]:
    """While the run goes on, every handler of the `hearings` logger writes its records with
    `redact` applied, tracebacks included."""
    handlers = list(logging.getLogger("hearings").handlers)
    scrubber = _Scrubber(redact)
    for handler in handlers:
        handler.addFilter(scrubber)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(scrubber)


class _Scrubber(logging.Filter):
    def __init__(self, redact: Callable[[str], str]):
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def _silent(stage: str, done: int, total: int | None) -> None:
    return None


def _settle(metrics: RunMetrics) -> None:
    """The outcome of a run whose stages all ran: each failed stage is an error; the exit code
    says whether anything was applied despite them."""
    failed = metrics.failed_stages
    if not failed:
        metrics.success = True
        refused = metrics.quarantined or metrics.list_entries_rejected
        metrics.exit_code = EXIT_QUARANTINED if refused else EXIT_OK
        return
    # One sentence per distinct cause: an outage fails every stage with the same error.
    causes: dict[str, list[str]] = {}
    for name in failed:
        causes.setdefault(metrics.stages[name].error or "an unknown error", []).append(name)
    for cause, names in causes.items():
        stages = " and ".join(names)
        reason = f"{cause.rstrip('.')} (the {stages} stage{'s' if len(names) > 1 else ''} failed)"
        metrics.errors.append(reason)
        log.error("%s", reason)
    metrics.success = False
    metrics.exit_code = EXIT_PARTIAL if metrics.committed else EXIT_FAILED


def _fail(metrics: RunMetrics, reason: str, *, rolled_back: bool, options: SyncOptions) -> None:
    metrics.errors.append(reason)
    metrics.success = False
    metrics.exit_code = EXIT_FAILED
    if not options.batch_enabled and rolled_back:
        # The single transaction was rolled back: nothing it counted was kept.
        metrics.hearings_added = metrics.hearings_updated = 0
        metrics.committees_updated = metrics.witnesses_updated = 0
        metrics.members_updated = metrics.printed_hearings_updated = 0
        metrics.quarantine_resolved = 0
        for stage in metrics.stages.values():
            stage.committed = 0
        for figures in metrics.congresses.values():
            figures.hearings_added = figures.hearings_updated = 0
        metrics.batch_processing.batches_failed = metrics.batch_processing.batch_count
        metrics.batch_processing.batches_succeeded = 0
    log.error("run failed: %s", reason)


def _detect_anomalies(env: RunEnvironment, metrics: RunMetrics) -> None:
    try:
        from hearings.sync.anomalies import detect_anomalies

        metrics.anomalies.extend(detect_anomalies(env.engine, metrics))
    except Exception:  # anomaly detection must never break a run
        log.exception("anomaly detection failed")


def _log_outcome(metrics: RunMetrics, *, extra: Mapping[str, object] | None = None) -> None:
    for record in metrics.quarantined_records:
        log.info(
            "quarantine: %s %s (%s): %s",
            record.entity,
            record.identifier,
            record.stage,
            record.reason,
            extra=extra,
        )
    log.info(
        "%s %s: %d checked, %d added, %d updated, %d unchanged, %d quarantined, %d requests, "
        "%.1f s",
        metrics.command,
        "dry run (nothing written)"
        if metrics.dry_run and metrics.success
        else "succeeded"
        if metrics.success
        else "PARTIAL"
        if metrics.exit_code == EXIT_PARTIAL
        else "FAILED",
        metrics.hearings_checked,
        metrics.hearings_added,
        metrics.hearings_updated,
        metrics.hearings_unchanged,
        metrics.quarantined,
        metrics.api_requests,
        metrics.duration_seconds or 0.0,
        extra=extra,
    )
