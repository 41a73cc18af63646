"""Running `import` or `update` from the command line: the client, the progress display, the
budget, the backup and the webhook put together around `run_sync`."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine

from hearings.cli.congress_option import cover
from hearings.cli.day_log import open_day_log
from hearings.cli.environment import (
    MISSING_KEY_SENTENCE,
    backup_before_run,
    err_console,
    require_existing,
)
from hearings.cli.failure_sentences import CONVERSION_ERRORS, value_at_fault
from hearings.cli.progress import RequestsByStage
from hearings.cli.progress_display import stage_progress
from hearings.config import Settings
from hearings.congress_api.client import CongressClient, redact_text
from hearings.congress_api.errors import ApiKeyMissing
from hearings.congress_api.limiter import limiter_for
from hearings.errors import HearingsError
from hearings.store.opening import open_database
from hearings.sync.backfill import earlier_request_ages, resumable_import
from hearings.sync.options import no_progress
from hearings.sync.pipeline import ApiClient, SyncOptions
from hearings.sync.runlog import RunMetrics
from hearings.sync.runner import RunEnvironment, run_sync, utc_now


class Chamber(StrEnum):
    house = "house"
    senate = "senate"


def run_command(
    command: str,
    settings: Settings,
    options: SyncOptions,
    *,
    quiet: bool,
    as_json: bool,
    show_progress: bool,
    backup: bool = True,
    choose_congresses: Callable[[Engine], tuple[int, ...]] | None = None,
    max_requests: int | None = None,
    existing_only: bool = False,
) -> RunMetrics:
    """Run an import or update. `existing_only` refuses a database that does not exist yet
    (an update of none would create an empty one), after the settings' own checks."""
    if not settings.api_key_value():
        raise ApiKeyMissing(MISSING_KEY_SENTENCE)
    if existing_only:
        require_existing(settings)
    log_path = open_day_log(
        settings,
        unlogged="this run is recorded in the database only (hearings report shows it)",
        console=err_console,
        quiet=quiet or as_json,
    )
    engine = open_database(settings.database_url)
    if choose_congresses is not None:
        try:
            cover(options, choose_congresses(engine))
        except HearingsError:
            engine.dispose()
            raise
        except CONVERSION_ERRORS:
            # A Congress stored as text ('many'): refused before the backup, naming the value.
            found = value_at_fault(engine)
            engine.dispose()
            if found is None:
                raise
            raise found from None
    limiter = limiter_for(settings, max_requests)
    if command != "import":  # an import counts them as it estimates (`Backfill.prepare`)
        # The key's hour is shared with the runs before this one (an import's last slice, say):
        # counted, an update waits for the window and says so, where it would meet 429s.
        limiter.remember(earlier_request_ages(engine, utc_now(), limiter.window))
    with ExitStack() as stack:
        display = None
        if show_progress and not quiet and not as_json:
            by_stage = RequestsByStage(settings.api_concurrency)
            client = stack.enter_context(
                CongressClient.from_settings(settings, transport=by_stage, limiter=limiter)
            )
            # Logging and the display share `err_console`, so log lines print above the display.
            display = stack.enter_context(
                stage_progress(err_console, by_stage, settings.api_rate_limit_per_hour)
            )
        else:
            client = stack.enter_context(CongressClient.from_settings(settings, limiter=limiter))
        backfill = None
        run_client: ApiClient = client
        if command == "import":  # its lists are kept until it completes; it estimates first
            shown = display if display is not None else no_progress
            api_key = settings.api_key_value()
            run_client, backfill = resumable_import(
                engine,
                client,
                options,
                limiter,
                clock=utc_now,
                progress=shown,
                redact=lambda text: redact_text(text, api_key),
            )
            if display is not None:
                display.follow(limiter, backfill)
        env = RunEnvironment(
            settings=settings,
            engine=engine,
            client=run_client,
            progress=display,
            backup=(lambda: backup_before_run(settings)) if backup else None,
            notify=_notifier(settings),
            log_path=str(log_path) if log_path else None,
            backfill=backfill,
        )
        metrics = run_sync(env, options, command=command)
        if display is not None:
            display.finish(completed=bool(metrics.success))
    engine.dispose()
    return metrics


def _notifier(settings: Settings) -> Any:
    if not settings.notify_webhook_url:
        return None
    try:
        from hearings.sync.notify import notify_webhook
    except ImportError:
        return None
    url = settings.notify_webhook_url
    return lambda metrics: notify_webhook(url, metrics)


def sync_options(
    settings: Settings,
    congress: int,
    chamber: Chamber | None,
    batch: bool | None,
    batch_size: int | None,
) -> SyncOptions:
    return SyncOptions(
        congress=congress,
        chamber=chamber.value if chamber else None,
        batch_enabled=settings.enable_batch_processing if batch is None else batch,
        batch_size=batch_size or settings.batch_processing_size,
        commit_unit_limit=settings.commit_unit_records if settings.adaptive_commit_units else 0,
        concurrency=settings.api_concurrency,
        suspicious_changes=settings.suspicious_changes,
    )
