"""The summary a run prints: a table of its figures, or its metrics as JSON; and when a quiet or
JSON run failed, one line on stderr saying why."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from hearings.cli.environment import console, err_console
from hearings.reports.screen_text import printable
from hearings.reports.verify_result import counted
from hearings.sync.backfill import BUDGET_STOP
from hearings.sync.runlog import RunMetrics
from hearings.sync.runner import EXIT_PARTIAL


def print_metrics(metrics: RunMetrics, *, as_json: bool, quiet: bool) -> None:
    if as_json or quiet:
        if as_json:
            sys.stdout.write(metrics.to_json() + "\n")
        # A run that failed says why on stderr as well: standard output is often piped (to a
        # file, to jq) or, with --quiet, silent, and a cron job mails stderr.
        if not metrics.success:
            reason = metrics.errors[0] if metrics.errors else "see the log"
            word = "PARTIAL" if metrics.exit_code == EXIT_PARTIAL else "FAILED"
            _say(
                err_console,
                f"hearings {metrics.command} {word}: {reason} (log: {metrics.log_path})",
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
        table.add_row(label, Text(str(value)))  # a path or a figure: never read as markup
    console.print(table)
    for record in metrics.quarantined_records[:20]:
        _say(
            console,
            f"  quarantined {record.entity} {record.identifier} ({record.stage}): {record.reason}",
        )
    for planned in metrics.planned_changes:
        _say(console, f"  would {planned}")
    for error in metrics.errors:
        # A stop at --max-requests is what the user asked for, not a failure: say so.
        prefix = None if error.startswith(BUDGET_STOP) else ("error:", "red")
        _say(err_console, error, prefix)
    for anomaly in metrics.anomalies:
        _say(err_console, anomaly, ("anomaly:", "yellow"))


def _say(to: Console, sentence: str, label: tuple[str, str] | None = None) -> None:
    """One line of the summary. Its text quotes API data (ids, reasons), so it is shown as
    printable text and never read as rich markup: a "[/]" in a reason must not crash the run's
    last words."""
    line = Text(printable(sentence))
    if label is not None:
        line = Text.assemble(label, " ", line)
    to.print(line, highlight=False, soft_wrap=True)


def _result_word(metrics: RunMetrics) -> str:
    if metrics.dry_run:
        return "dry run: nothing written"
    if metrics.exit_code == EXIT_PARTIAL:
        return "PARTIAL: what committed is kept; the next run does the rest"
    if not metrics.success:
        return "FAILED (rolled back)" if not metrics.batch_processing.enabled else "FAILED"
    set_aside = []
    if metrics.quarantined:
        set_aside.append("quarantined records")
    if metrics.list_entries_rejected:
        set_aside.append("list entries rejected")
    return "succeeded with " + " and ".join(set_aside) if set_aside else "succeeded"


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
        f"in {counted(stats.commit_units, 'commit')}"
    )
