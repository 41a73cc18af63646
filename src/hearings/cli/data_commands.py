"""Commands that build and keep the database: init, import, update, export, backup, demo."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from hearings.cli import app
from hearings.cli.congress_option import (
    FilterCongresses,
    ImportCongresses,
    UpdateCongresses,
    congresses_to_import,
    congresses_to_update,
    cover,
)
from hearings.cli.invocation import program
from hearings.cli.progress import RequestsByStage
from hearings.cli.progress_display import stage_progress
from hearings.config import Settings, load_settings
from hearings.congress_api.client import CongressClient
from hearings.congress_api.errors import ApiKeyMissing
from hearings.congress_api.limiter import limiter_for
from hearings.congresses import ALL_CONGRESSES, describe_congresses
from hearings.errors import ConfigurationError, HearingsError, UsageError, quoted
from hearings.logs import configure_logging
from hearings.store.engine import open_database, sqlite_file
from hearings.sync.backfill import resumable_import
from hearings.sync.batches import FailureInjector
from hearings.sync.commit_units import COMMIT_UNIT_RECORDS
from hearings.sync.congress_runs import held_congresses
from hearings.sync.options import no_progress
from hearings.sync.pipeline import ApiClient, SyncOptions
from hearings.sync.runlog import RunMetrics
from hearings.sync.runner import EXIT_PARTIAL, RunEnvironment, run_sync, utc_now

MISSING_KEY_SENTENCE = (
    "No Congress.gov API key: set CONGRESS_API_KEY (in the environment or .env); get a free key "
    "at https://api.congress.gov/sign-up/ (DEMO_KEY works for a few requests), or run "
    "`hearings demo` to use the bundled offline replica."
)

console = Console()
err_console = Console(stderr=True)


class Chamber(StrEnum):
    house = "house"
    senate = "senate"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def current_settings(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except ValueError as exc:
        reason = _first_error(exc).rstrip(".")
        raise ConfigurationError(f"The configuration is not valid: {reason}.") from None


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())).upper()
        message = str(first.get("msg")).removeprefix("Value error, ")
        # A validator's own sentence names the setting already.
        return message if message.startswith(field) else f"{field}: {message}"
    return str(exc)


def _sync_command(
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
) -> RunMetrics:
    if not settings.api_key_value():
        raise ApiKeyMissing(MISSING_KEY_SENTENCE)
    log_path = configure_logging(
        settings.log_dir, settings.log_level, console=err_console, quiet=quiet or as_json
    )
    engine = open_database(settings.database_url)
    if choose_congresses is not None:
        try:
            cover(options, choose_congresses(engine))
        except HearingsError:
            engine.dispose()
            raise
    limiter = limiter_for(settings, max_requests)
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
            run_client, backfill = resumable_import(
                engine, client, options, limiter, clock=utc_now, progress=shown
            )
            if display is not None:
                display.follow(limiter, backfill)
        env = RunEnvironment(
            settings=settings,
            engine=engine,
            client=run_client,
            progress=display,
            backup=(lambda: _backup_before_run(settings)) if backup else None,
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


def _backup_before_run(settings: Settings) -> str | None:
    from hearings.sync.backups import backup_now

    made = backup_now(settings, now=datetime.now(UTC))
    return str(made) if made is not None else None


def _print_metrics(metrics: RunMetrics, *, as_json: bool, quiet: bool) -> None:
    if as_json:
        sys.stdout.write(metrics.to_json() + "\n")
        return
    if quiet:
        if not metrics.success:
            reason = metrics.errors[0] if metrics.errors else "see the log"
            word = "PARTIAL" if metrics.exit_code == EXIT_PARTIAL else "FAILED"
            err_console.print(
                f"hearings {metrics.command} {word}: {reason} (log: {metrics.log_path})",
                highlight=False,
                soft_wrap=True,
            )
        return
    table = Table(title=f"hearings {metrics.command}", show_header=False, box=None)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")  # a long backup path wraps instead of losing its end
    rows = [
        ("result", _result_word(metrics)),
        ("mode", "batch" if metrics.batch_processing.enabled else "single transaction"),
        ("meetings checked", metrics.hearings_checked),
        ("added", metrics.hearings_added),
        ("updated", metrics.hearings_updated),
        ("unchanged", metrics.hearings_unchanged),
        ("quarantined", metrics.quarantined),
        ("list entries rejected", metrics.list_entries_rejected),
        ("stages", _stages_line(metrics)),
        ("committees added or changed", metrics.committees_updated),
        ("members added or changed", metrics.members_updated),
        ("printed hearings added or changed", metrics.printed_hearings_updated),
        ("new witnesses", metrics.witnesses_updated),
        ("batches", _batch_line(metrics)),
        ("API requests", metrics.api_requests),
        ("seconds", f"{metrics.duration_seconds or 0:.1f}"),
    ]
    for congress, figures in sorted(metrics.congresses.items()):
        rows.append(
            (
                f"Congress {congress}",
                f"{figures.hearings_checked} checked, {figures.hearings_added} added, "
                f"{figures.hearings_updated} updated, {figures.quarantined} quarantined",
            )
        )
    if metrics.backup_path:
        rows.append(("backup", metrics.backup_path))
    for label, value in rows:
        table.add_row(label, str(value))
    console.print(table)
    for record in metrics.quarantined_records[:20]:
        console.print(
            f"  quarantined {record.entity} {record.identifier} ({record.stage}): {record.reason}",
            highlight=False,
            soft_wrap=True,
        )
    for planned in metrics.planned_changes:
        console.print(f"  would {planned}", highlight=False, soft_wrap=True, markup=False)
    for error in metrics.errors:
        err_console.print(f"[red]error:[/] {error}", highlight=False, soft_wrap=True)
    for anomaly in metrics.anomalies:
        err_console.print(f"[yellow]anomaly:[/] {anomaly}", highlight=False, soft_wrap=True)


def _result_word(metrics: RunMetrics) -> str:
    if metrics.dry_run:
        return "dry run: nothing written"
    if metrics.exit_code == EXIT_PARTIAL:
        return "PARTIAL: what committed is kept; the next run does the rest"
    if not metrics.success:
        return "FAILED (rolled back)" if not metrics.batch_processing.enabled else "FAILED"
    if metrics.quarantined or metrics.list_entries_rejected:
        return "succeeded with quarantined records"
    return "succeeded"


def _stages_line(metrics: RunMetrics) -> str:
    marks = {
        "completed": "✓",
        "failed": "✗ failed",
        "skipped": "skipped",
        "stopped": "stopped at the budget",
    }
    return ", ".join(
        f"{name} {marks.get(stage.status, stage.status)}" for name, stage in metrics.stages.items()
    )


def _batch_line(metrics: RunMetrics) -> str:
    stats = metrics.batch_processing
    if not stats.enabled:
        return "disabled (one transaction)"
    return (
        f"{stats.batch_count} of up to {stats.batch_size} "
        f"({stats.batches_succeeded} clean, {stats.batches_failed} with failures) "
        f"in {stats.commit_units} commits"
    )


# ---- commands ------------------------------------------------------------------------------


@app.command()
def init() -> None:
    """Create the database, or migrate it to the current schema."""
    settings = current_settings()
    engine = open_database(settings.database_url)
    engine.dispose()
    console.print(f"Database ready: {_describe_url(settings.database_url)}", highlight=False)


def _describe_url(database_url: str) -> str:
    path = sqlite_file(database_url)
    if path is not None:
        return str(path.resolve())
    from sqlalchemy.engine import make_url

    return make_url(database_url).render_as_string(hide_password=True)


ChamberOption = Annotated[
    Chamber | None, typer.Option("--chamber", help="Only this chamber (default: both).")
]
BatchOption = Annotated[
    bool | None,
    typer.Option(
        "--batch/--no-batch",
        help="Checked batches, or one all-or-nothing transaction.",
    ),
]
BatchSizeOption = Annotated[
    int | None,
    typer.Option("--batch-size", min=1, max=10000, help="Meetings per batch."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the run's metrics as JSON.")]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print nothing on success, one line on failure.")
]


@app.command("import")
def import_command(
    congress: ImportCongresses,
    chamber: ChamberOption = None,
    batch: BatchOption = None,
    batch_size: BatchSizeOption = None,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Fetch every meeting even if stored and current.")
    ] = False,
    no_backup: Annotated[bool, typer.Option("--no-backup", help="Skip the backup.")] = False,
    max_requests: Annotated[
        int | None,
        typer.Option(
            "--max-requests",
            min=1,
            help="Stop cleanly after this many API requests (exit 4); rerunning resumes.",
        ),
    ] = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Import whole Congresses: committees, members, meetings and printed hearings.

    A range (115-119) or list (117,119) imports each Congress in turn, in one run: one lock, one
    backup, one run record with each Congress's figures. Batch mode and size default to the
    settings ENABLE_BATCH_PROCESSING and BATCH_PROCESSING_SIZE. Exit codes: 0 all imported;
    3 imported, with records quarantined or list entries rejected; 4 partial (some stages
    committed, then another failed, or --max-requests was used up; the next run does the rest);
    1 nothing imported; 2 usage error. It prints its estimate of requests and time before it
    fetches records, and keeps the lists it read until it completes, so reruns resume.
    """
    settings = current_settings()
    options = cover(
        _options(settings, 0, chamber, batch, batch_size), congresses_to_import(congress)
    )
    options.full_refresh = full_refresh
    if max_requests is not None and not options.batch_enabled:
        raise UsageError(
            "--max-requests needs batch mode: with --no-batch the run is one transaction, so a "
            "stop at the budget would keep nothing."
        )
    metrics = _sync_command(
        "import",
        settings,
        options,
        quiet=quiet,
        as_json=as_json,
        show_progress=True,
        backup=not no_backup,
        max_requests=max_requests,
    )
    _print_metrics(metrics, as_json=as_json, quiet=quiet)
    raise typer.Exit(metrics.exit_code or 0)


@app.command()
def update(
    congress: UpdateCongresses = None,
    chamber: ChamberOption = None,
    lookback_days: Annotated[
        int, typer.Option("--lookback-days", min=0, max=3660, help="Always look this far back.")
    ] = 7,
    batch: BatchOption = None,
    batch_size: BatchSizeOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    simulate_failures: Annotated[
        float,
        typer.Option(
            "--simulate-failures",
            min=0.0,
            max=1.0,
            help="Make the apply step fail for this share of records (trial runs).",
        ),
    ] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the simulated failures.")] = 0,
    max_change_ratio: Annotated[
        float,
        typer.Option(
            "--max-change-ratio",
            min=0.0,
            help="Abort before writing if more than this share of stored meetings would change.",
        ),
    ] = 0.5,
    force: Annotated[bool, typer.Option("--force", help="Ignore the change ratio limit.")] = False,
    no_backup: Annotated[bool, typer.Option("--no-backup", help="Skip the backup.")] = False,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Fetch what changed since the last successful run and apply it.

    Without --congress it updates every Congress the database holds, listing the changes once
    across them (so a daily cron line never changes). Batch mode and size default to the
    settings ENABLE_BATCH_PROCESSING and BATCH_PROCESSING_SIZE. Exit codes: 0 all applied;
    3 applied, with records quarantined or list entries rejected; 4 partial (some stages
    committed, then another failed; the next run does the rest); 1 nothing applied (rolled
    back); 2 usage error.
    """
    settings = current_settings()
    options = _options(settings, 0, chamber, batch, batch_size)
    options.lookback_days = lookback_days
    options.dry_run = dry_run
    options.failure_injector = FailureInjector(rate=simulate_failures, seed=seed)
    options.max_change_ratio = max_change_ratio
    options.force = force
    metrics = _sync_command(
        "update",
        settings,
        options,
        quiet=quiet,
        as_json=as_json,
        show_progress=True,
        backup=not no_backup,
        choose_congresses=lambda engine: congresses_to_update(congress, held_congresses(engine)),
    )
    _print_metrics(metrics, as_json=as_json, quiet=quiet)
    raise typer.Exit(metrics.exit_code or 0)


def _options(
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
        commit_unit_limit=COMMIT_UNIT_RECORDS if settings.adaptive_commit_units else 0,
        concurrency=settings.api_concurrency,
        suspicious_changes=settings.suspicious_changes,
    )


def _parse_since(value: str | None) -> date | datetime | None:
    if value is None:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--since {quoted(value)} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ."
        ) from None


@app.command()
def export(
    entity: Annotated[
        str, typer.Argument(help="hearings, witnesses, committees, members or appearances.")
    ],
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="jsonl or csv.")
    ] = ExportFormat.jsonl,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only records changed since this date.")
    ] = None,
    congress: FilterCongresses = None,
) -> None:
    """Export one record per entity as JSON Lines or CSV (the format is in the README).

    --congress keeps the meetings and appearances of those Congresses, the witnesses who appeared
    in them and the committees that met in them (members are not stored by Congress)."""
    from hearings.reports.export import write_export

    settings = current_settings()
    moment = _parse_since(since)
    congresses = None if congress is None or congress.is_all else congress.numbers
    engine = open_database(settings.database_url, allow_read_only=True)
    try:
        if output is None:
            write_export(
                engine, entity, sys.stdout, fmt=fmt.value, since=moment, congresses=congresses
            )
            sys.stdout.flush()
            return
        temporary = output.with_name(output.name + ".partial")
        try:
            with temporary.open("w", encoding="utf-8", newline="") as handle:
                count = write_export(
                    engine, entity, handle, fmt=fmt.value, since=moment, congresses=congresses
                )
        except OSError as exc:
            raise HearingsError(f"Cannot write {output}: {exc.strerror}.") from None
        temporary.replace(output)
        err_console.print(f"Wrote {count} {entity} to {output}", highlight=False)
    finally:
        engine.dispose()


backup_app = typer.Typer(help="List, create and restore database backups.", no_args_is_help=True)
app.add_typer(backup_app, name="backup")


@backup_app.command("list")
def backup_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print the backups as JSON.")] = False,
) -> None:
    """List backups in BACKUP_DIR, newest first."""
    from hearings.sync.backups import list_backups

    settings = current_settings()
    backups = list_backups(settings.backup_dir)
    if as_json:
        sys.stdout.write(
            json.dumps(
                [
                    {"path": str(b.path), "created_at": b.created_at.isoformat(), "size": b.size}
                    for b in backups
                ],
                indent=2,
            )
            + "\n"
        )
        return
    if not backups:
        console.print(f"No backups in {settings.backup_dir}.", highlight=False)
        return
    table = Table("backup", "created (UTC)", "size")
    for b in backups:
        table.add_row(str(b.path), b.created_at.strftime("%Y-%m-%d %H:%M:%S"), _size(b.size))
    console.print(table)


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


@backup_app.command("create")
def backup_create() -> None:
    """Back up the database now (verified with an integrity check)."""
    settings = current_settings()
    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        raise HearingsError(f"There is no database at {path} to back up.")
    made = _backup_before_run(settings)
    if made is None:
        raise HearingsError(f"The database at {path} is empty; there is nothing to back up.")
    console.print(f"Backup written and verified: {made}", highlight=False)


@backup_app.command("restore")
def backup_restore(
    path: Annotated[Path, typer.Argument(help="The backup file to restore.")],
) -> None:
    """Verify a backup, then replace the database with it atomically (the old file is kept).

    Only a hearings database at a schema this version knows is restored; anything else is
    refused and the database is left as it was."""
    from hearings.sync.backups import restore_into

    settings = current_settings()
    kept = restore_into(settings, path, now=datetime.now(UTC))
    database = _describe_url(settings.database_url)
    if kept is None:
        console.print(f"Restored {path} into {database}.", highlight=False)
    elif sqlite_file(settings.database_url) is None:
        console.print(
            f"Restored {path} into {database}; what it replaced is backed up as {kept}",
            highlight=False,
        )
    else:
        console.print(
            f"Restored {path} into {database}; the replaced file is kept as {kept}",
            highlight=False,
        )


@app.command()
def demo(congress: FilterCongresses = None) -> None:
    """Start the bundled offline replica, import its Congresses (the 119th and a small 118th)
    into DATABASE_URL, print a summary.

    Needs no API key and no network: the replica serves the corpus bundled with the package.
    """
    from hearings.replica import BUNDLED_CORPUS_DIR, Corpus, ReplicaServer

    base = current_settings()
    corpus = Corpus.load(BUNDLED_CORPUS_DIR)
    bundled = corpus.congresses()
    chosen = tuple(c for c in bundled if (congress or ALL_CONGRESSES).includes(c))
    if not chosen or (congress and set(congress.resolve(bundled)) - set(bundled)):
        raise UsageError(f"The bundled corpus holds Congress {describe_congresses(bundled)} only.")
    with ReplicaServer(corpus) as server:
        err_console.print(f"Offline replica of the Congress.gov API at {server.base_url}")
        settings = current_settings(
            congress_api_base_url=server.base_url,
            congress_api_key=base.api_key_value() or "DEMO_KEY",
        )
        options = cover(_options(settings, 0, None, None, None), chosen)
        metrics = _sync_command(
            "import", settings, options, quiet=False, as_json=False, show_progress=True
        )
    _print_metrics(metrics, as_json=False, quiet=False)
    hearings = program()
    console.print(
        f"\nDatabase: {_describe_url(settings.database_url)}. Try:\n"
        f"  {hearings} status\n  {hearings} export hearings --format csv\n  {hearings} serve",
        highlight=False,
        markup=False,
        soft_wrap=True,  # a command is pasted whole, never broken across lines
    )
    raise typer.Exit(metrics.exit_code or 0)
