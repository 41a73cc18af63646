"""Commands that watch the database: report and verify (status is in `status_command`). Each
is a thin call into `hearings.reports`; the only logic here is choosing what to print."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import DBAPIError

from hearings.cli import app
from hearings.cli.congress_option import FilterCongresses, ReconcileCongresses
from hearings.cli.environment import (
    MISSING_KEY_SENTENCE,
    current_settings,
    existing_database,
    require_existing,
)
from hearings.cli.output_option import OutputFile
from hearings.config import Settings
from hearings.congress_api import ApiKeyMissing, CongressClient
from hearings.congresses import ALL_CONGRESSES, CongressSelection
from hearings.errors import DatabaseUnreadable, UsageError
from hearings.reports.output_file import check_output_path, means_standard_output, written_whole
from hearings.reports.reconcile import (
    add_reconciliation,
    local_chambers,
    local_congresses,
    reconcile_meetings,
)
from hearings.reports.report import build_report
from hearings.reports.report_markdown import render_markdown
from hearings.reports.report_render import render_text, text_renderables
from hearings.reports.screen_text import printable
from hearings.reports.verify import verify_database
from hearings.reports.verify_result import Problem, VerifyResult, unreadable
from hearings.store.engine import database_label, sqlite_file
from hearings.store.opening import open_database

console = Console()
err_console = Console(stderr=True)

# How many ids a problem lists on screen; `--json` always has all of them.
SHOWN_IDS = 50


class ReportFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


def _write(output: Path | None, text: str) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with written_whole(output) as handle:
        handle.write(text)
    err_console.print(f"Wrote the report to {output}", highlight=False)


# ---- report --------------------------------------------------------------------------------


@app.command()
def report(
    days: Annotated[
        int, typer.Option("--days", min=1, max=3660, help="The period: this many days back.")
    ] = 7,
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", help="text (terminal), markdown (sharing) or json (machines)."),
    ] = ReportFormat.text,
    as_json: Annotated[
        bool, typer.Option("--json", help="The same as --format json, as in the other commands.")
    ] = False,
    output: OutputFile = None,
    limit: Annotated[
        int,
        typer.Option("--limit", min=1, help="Rows per list in text and Markdown (JSON has all)."),
    ] = 50,
    congress: FilterCongresses = None,
) -> None:
    """What the updater did: runs, changed hearings, new witnesses, quarantine, anomalies.

    A run over several Congresses is broken down by Congress; --congress keeps what concerns
    those Congresses."""
    if as_json and fmt not in (ReportFormat.text, ReportFormat.json):
        raise UsageError(f"--json and --format {fmt.value} disagree; give one of them.")
    if as_json:
        fmt = ReportFormat.json
    settings = current_settings()
    if means_standard_output(output):
        output = None
    elif output is not None:
        # Before the report is built, which takes a while.
        check_output_path(output, database=sqlite_file(settings.database_url))
    chosen = None if congress is None or congress.is_all else congress.numbers
    # Rendered inside: a value of the wrong type read from the database (text in a number
    # column) fails only where it is formatted, and is told in one sentence only there.
    with existing_database(settings) as engine:
        built = build_report(engine, days, datetime.now(UTC), chosen)
        if fmt is ReportFormat.json:
            _write(output, built.to_json())
        elif fmt is ReportFormat.markdown:
            _write(output, render_markdown(built, limit=limit))
        elif output is None:
            for part in text_renderables(built, limit=limit):
                console.print(part)
        else:
            _write(output, render_text(built, limit=limit))


# ---- verify --------------------------------------------------------------------------------


@app.command()
def verify(
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    reconcile: Annotated[
        bool,
        typer.Option(
            "--reconcile",
            help="Also compare the API's meeting counts and ids with the local ones "
            "(a few list requests per congress and chamber).",
        ),
    ] = False,
    congress: ReconcileCongresses = None,
) -> None:
    """Check the database's integrity and consistency; --reconcile compares it with the API.

    Checks the schema, integrity, stored values and JSON shapes, foreign keys, orphans,
    duplicates, required fields, meetings without committees, dates, stubs, the quarantine,
    unfinished runs and the payload archive.

    Exit codes: 0 healthy; 1 problems found (each one listed), or the database is unreadable.
    """
    settings = current_settings()
    try:
        result = _verify(settings, reconcile=reconcile, congress=congress)
    except DatabaseUnreadable as exc:
        if as_json:
            failed = VerifyResult(database=database_label(settings.database_url, absolute=True))
            failed.problems.append(Problem("readable", str(exc)))
            sys.stdout.write(json.dumps(failed.as_dict(), indent=2) + "\n")
            exc.json_written = True
        raise
    if as_json:
        sys.stdout.write(json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        _print_verify(result)
    raise typer.Exit(0 if result.healthy else 1)


def _verify(
    settings: Settings, *, reconcile: bool, congress: CongressSelection | None
) -> VerifyResult:
    """Open without migrating (verify never writes), check, and reconcile when asked."""
    require_existing(settings)
    # Never migrates or writes; refuses a schema this version does not know in one sentence.
    engine = open_database(settings.database_url, migrate_schema=False, allow_read_only=True)
    try:
        result = verify_database(engine, settings.database_url)
        schema_current = not any(p.check == "schema" for p in result.problems)
        if reconcile and schema_current:
            # --congress names the Congresses to reconcile; `all` (the default) those stored.
            congresses = (congress or ALL_CONGRESSES).resolve(local_congresses(engine))
            reconciled = []
            with _client(settings) as client:
                for number in congresses:
                    chambers = local_chambers(engine, number)
                    reconciled += reconcile_meetings(engine, client, number, chambers)
            add_reconciliation(result, reconciled)
        return result
    except DBAPIError as exc:
        raise unreadable(settings.database_url, exc) from None
    finally:
        engine.dispose()


@contextmanager
def _client(settings: Settings) -> Iterator[CongressClient]:
    if not settings.api_key_value():
        raise ApiKeyMissing(MISSING_KEY_SENTENCE)
    with CongressClient.from_settings(settings) as client:
        yield client


def _shown_ids(ids: Sequence[str]) -> str:
    shown = escape(printable(", ".join(ids[:SHOWN_IDS])))
    if len(ids) > SHOWN_IDS:
        shown += f", … and {len(ids) - SHOWN_IDS} more (--json lists them all)"
    return shown


def _print_verify(result: VerifyResult) -> None:
    if result.healthy:
        console.print(
            f"[green]Healthy:[/] {escape(result.database)} passed {len(result.checks)} checks "
            f"({', '.join(result.checks)}).",
            highlight=False,
            soft_wrap=True,
        )
    else:
        count = len(result.problems)
        console.print(
            f"[red]{count} problem{'s' if count != 1 else ''}[/] in {escape(result.database)}:",
            highlight=False,
            soft_wrap=True,
        )
    for r in result.reconciled or []:
        mark = "[green]✓[/]" if r.agrees and r.api_count == r.local_count else "[red]✗[/]"
        gaps = (
            f"; {len(r.missing_locally)} missing locally, {len(r.missing_upstream)} no longer "
            "listed upstream"
            if not r.agrees
            else ""
        )
        if r.list_shortfall is not None:
            # What the list did not reach was not compared: no count of it is a finding.
            gaps = (
                f"; {len(r.missing_locally)} missing locally; the list could not be read to "
                f"its end, {r.not_compared} stored not compared"
            )
        console.print(
            f"  {mark} reconcile Congress {r.congress} {r.chamber}: the API counts {r.api_count}, "
            f"the database holds {r.local_count}{gaps}",
            highlight=False,
            soft_wrap=True,
        )
    for problem in result.problems:
        line = f"  [red]✗[/] {problem.check}: {escape(printable(problem.detail))}"
        if problem.ids:
            line += f": {_shown_ids(problem.ids)}"
        console.print(line, highlight=False, soft_wrap=True)
    for warning in result.warnings:
        line = f"  [yellow]![/] {warning.check}: {escape(printable(warning.detail))}"
        if warning.ids:
            line += f": {_shown_ids(warning.ids)}"
        console.print(line, highlight=False, soft_wrap=True)
