"""The report for people in a terminal: rich tables. Long lists are cut at `limit` rows with a
note; the JSON (`Report.to_json`) is always complete, and the Markdown form is in
`hearings.reports.report_markdown`."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from hearings.reports.report import Report
from hearings.reports.report_wording import (
    SUSPICIOUS_COLUMNS,
    congress_lines,
    cut_note,
    day,
    one_line,
    report_title,
    run_errors,
    seconds,
    shorten,
    summary_rows,
    suspicious_rows,
    what_changed,
    when,
)
from hearings.reports.screen_text import printable

DEFAULT_LIMIT = 50


# ---- text (rich) ---------------------------------------------------------------------------


def text_renderables(report: Report, *, limit: int = DEFAULT_LIMIT) -> list[RenderableType]:
    """The report as rich renderables, for printing straight to a terminal."""
    parts: list[RenderableType] = [Text(report_title(report), style="bold")]

    summary = Table(
        title="Summary", title_justify="left", title_style="bold", show_header=False, box=None
    )
    for label, value in summary_rows(report):
        summary.add_row(label, value)
    parts.append(summary)

    if report.runs:
        # Compact enough for 80 columns; Markdown and JSON also give the unchanged count.
        runs = _table("Runs")
        for column in ("run", "started (UTC)", "command"):
            runs.add_column(column, no_wrap=True)
        for column in ("checked", "added", "updated", "quar.", "secs"):
            runs.add_column(column, justify="right", no_wrap=True)
        runs.add_column("result")
        for r in report.runs:
            style = {"failed": "red", "partial": "yellow", "interrupted": "yellow"}.get(
                r.outcome, "green"
            )
            runs.add_row(
                str(r.run_id),
                when(r.start_time),
                f"{r.command}/{r.mode}",
                str(r.hearings_checked),
                str(r.hearings_added),
                str(r.hearings_updated),
                str(r.quarantined),
                seconds(r.duration_seconds),
                Text(r.outcome, style=style),
            )
        parts.append(runs)
        for line in congress_lines(report):
            parts.append(Text(line))
        for line in run_errors(report):
            parts.append(Text(printable(line), style="red"))
    else:
        parts.append(Text("No runs in this period."))

    _text_list(
        parts,
        "Recently changed hearings",
        ("event", "date", "chamber", "committees", "title", "what changed"),
        [
            (
                h.event_id,
                day(h.start),
                h.chamber,
                ", ".join(h.committees),
                shorten(one_line(h.title), 90) if h.title else "(no title)",
                what_changed(h),
            )
            for h in report.changed_hearings
        ],
        limit,
        "hearings",
    )
    _text_list(
        parts,
        "Recently added witnesses",
        ("name", "organization", "appearances"),
        [
            (
                one_line(w.name),
                one_line(w.organization) if w.organization else "",
                str(w.appearances),
            )
            for w in report.new_witnesses
        ],
        limit,
        "witnesses",
    )
    _text_list(
        parts,
        "Open quarantine",
        ("entity", "id", "stage", "attempts", "since", "reason"),
        [
            (q.entity, q.identifier, q.stage, str(q.attempts), when(q.first_seen), q.reason)
            for q in report.open_quarantine
        ],
        limit,
        "items",
    )
    _text_list(
        parts,
        "Anomalies",
        ("run", "started (UTC)", "anomaly"),
        [(str(a.run_id), when(a.start_time), a.message) for a in report.anomalies],
        limit,
        "anomalies",
    )
    _text_list(
        parts, "Suspicious changes", SUSPICIOUS_COLUMNS, suspicious_rows(report), limit, "changes"
    )
    return parts


def _text_list(
    parts: list[RenderableType],
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    limit: int,
    what: str,
) -> None:
    if not rows:
        parts.append(Text(f"{title}: none."))
        return
    table = _table(f"{title} ({len(rows)})", columns)
    for row in rows[:limit]:
        # Text, not a string: a cell from the data is shown as it is, never read as markup.
        table.add_row(*(Text(printable(cell)) for cell in row))
    parts.append(table)
    more = cut_note(len(rows), limit, what)
    if more:
        parts.append(Text(more, style="dim"))


def _table(title: str, columns: Sequence[str] = ()) -> Table:
    return Table(
        *columns,
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        padding=0,
    )


def render_text(report: Report, *, width: int = 120, limit: int = DEFAULT_LIMIT) -> str:
    """The terminal report as plain text (no colour codes), e.g. for a file or an e-mail."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    console.print(Group(*text_renderables(report, limit=limit)))
    return buffer.getvalue()
