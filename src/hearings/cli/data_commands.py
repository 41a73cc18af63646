"""Commands that build and keep the database: init, import, update and demo."""

from __future__ import annotations

from typing import Annotated

import typer

from hearings.cli import app
from hearings.cli.congress_option import (
    FilterCongresses,
    ImportCongresses,
    UpdateCongresses,
    congresses_to_import,
    congresses_to_update,
    cover,
)
from hearings.cli.environment import console, current_settings, err_console
from hearings.cli.invocation import program
from hearings.cli.run_summary import print_metrics
from hearings.cli.sync_command import Chamber, run_command, sync_options
from hearings.congresses import ALL_CONGRESSES, describe_congresses
from hearings.errors import UsageError
from hearings.store.engine import database_label
from hearings.store.opening import open_database
from hearings.sync.failpoints import FailureInjector
from hearings.sync.marks import held_congresses


@app.command()
def init() -> None:
    """Create the database, or migrate it to the current schema."""
    settings = current_settings()
    engine = open_database(settings.database_url)
    engine.dispose()
    console.print(
        f"Database ready: {database_label(settings.database_url, absolute=True)}",
        highlight=False,
        markup=False,
        soft_wrap=True,  # a path cut across lines could not be pasted
    )


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
        sync_options(settings, 0, chamber, batch, batch_size), congresses_to_import(congress)
    )
    options.full_refresh = full_refresh
    if max_requests is not None and not options.batch_enabled:
        # Name what turned batch mode off: the option, or the setting the user may have forgotten.
        turned_off_by = "--no-batch" if batch is False else "ENABLE_BATCH_PROCESSING=false"
        raise UsageError(
            f"--max-requests needs batch mode, and {turned_off_by} turns it off: the run is then "
            "one transaction, so a stop at the budget would keep nothing."
        )
    metrics = run_command(
        "import",
        settings,
        options,
        quiet=quiet,
        as_json=as_json,
        show_progress=True,
        backup=not no_backup,
        max_requests=max_requests,
    )
    print_metrics(metrics, as_json=as_json, quiet=quiet)
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
    options = sync_options(settings, 0, chamber, batch, batch_size)
    options.lookback_days = lookback_days
    options.dry_run = dry_run
    options.failure_injector = FailureInjector(rate=simulate_failures, seed=seed)
    options.max_change_ratio = max_change_ratio
    options.force = force
    metrics = run_command(
        "update",
        settings,
        options,
        quiet=quiet,
        as_json=as_json,
        show_progress=True,
        backup=not no_backup,
        existing_only=True,
        choose_congresses=lambda engine: congresses_to_update(congress, held_congresses(engine)),
    )
    print_metrics(metrics, as_json=as_json, quiet=quiet)
    raise typer.Exit(metrics.exit_code or 0)


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
        held = f"Congress{'es' if len(bundled) > 1 else ''} {describe_congresses(bundled)}"
        raise UsageError(f"The bundled corpus holds {held} only.")
    with ReplicaServer(corpus) as server:
        err_console.print(f"Offline replica of the Congress.gov API at {server.base_url}")
        settings = current_settings(
            congress_api_base_url=server.base_url,
            congress_api_key=base.api_key_value() or "DEMO_KEY",
        )
        options = cover(sync_options(settings, 0, None, None, None), chosen)
        metrics = run_command(
            "import", settings, options, quiet=False, as_json=False, show_progress=True
        )
    print_metrics(metrics, as_json=False, quiet=False)
    hearings = program()
    console.print(
        f"\nDatabase: {database_label(settings.database_url, absolute=True)}. Try:\n"
        f"  {hearings} status\n  {hearings} export hearings --format csv\n  {hearings} serve",
        highlight=False,
        markup=False,
        soft_wrap=True,  # a command is pasted whole, never broken across lines
    )
    raise typer.Exit(metrics.exit_code or 0)
