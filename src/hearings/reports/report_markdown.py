"""The report as GitHub-flavoured Markdown, for sharing: the text form's sections as tables,
long lists cut at `limit` rows with a note."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

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
    summary_rows,
    suspicious_rows,
    what_changed,
    when,
)
from hearings.reports.screen_text import printable

DEFAULT_LIMIT = 50


# What in the API's text would read as Markdown or HTML rather than as itself. A backslash keeps
# the punctuation that starts a link or image (`[`, `]`), emphasis (`*`, `_`), strikethrough
# (`~`), a code span (`` ` ``), GitHub's math (`$`), an email link (`@`) or the cell's end (`|`).
# `<` and `>` (tags, autolinks) and an `&` that would start a character reference become
# entities. A scheme's `://` other than http(s) is broken too: only http(s) may become a link.
_MARKUP = re.compile(r"[\\`*_~\[\]|$@<>]|&(?=#?[A-Za-z0-9]+;)|(?<!http)(?<!https):(?=//)")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def _markdown_text(value: Any) -> str:
    """`value` on one line, as Markdown that renders as the text itself: no link, image, tag,
    emphasis or code span forms, and no pipe ends a table cell."""
    return _MARKUP.sub(lambda m: _ENTITIES.get(m[0], "\\" + m[0]), one_line(value))


def _cell(value: Any) -> str:
    return _markdown_text(value) if value is not None else ""


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def render_markdown(report: Report, *, limit: int = DEFAULT_LIMIT) -> str:
    """The report as GitHub-flavoured Markdown."""
    lines = [f"# {report_title(report)}", "", "## Summary", ""]
    lines += [f"- **{label}**: {value}" for label, value in summary_rows(report)]
    lines += ["", "## Runs", ""]
    if report.runs:
        lines += _md_table(
            (
                "run",
                "started (UTC)",
                "command",
                "mode",
                "checked",
                "added",
                "updated",
                "unchanged",
                "quarantined",
                "batches",
                "commits",
                "seconds",
                "result",
            ),
            [
                (
                    r.run_id,
                    when(r.start_time),
                    r.command,
                    r.mode,
                    r.hearings_checked,
                    r.hearings_added,
                    r.hearings_updated,
                    r.hearings_unchanged,
                    r.quarantined,
                    r.batches,
                    r.commit_units,
                    seconds(r.duration_seconds),
                    r.outcome,
                )
                for r in report.runs
            ],
        )
        by_congress = congress_lines(report)
        if by_congress:
            lines += [""] + [f"- {line}" for line in by_congress]
        errors = run_errors(report)
        if errors:
            lines += [""] + [f"- {_markdown_text(line)}" for line in errors]
    else:
        lines.append("No runs in this period.")
    sections: list[tuple[str, Sequence[str], list[Sequence[Any]], str]] = [
        (
            "Recently changed hearings",
            ("event", "date", "chamber", "committees", "title", "what changed"),
            [
                (
                    h.event_id,
                    day(h.start),
                    h.chamber,
                    ", ".join(h.committees),
                    h.title or "(no title)",
                    what_changed(h),
                )
                for h in report.changed_hearings
            ],
            "hearings",
        ),
        (
            "Recently added witnesses",
            ("name", "organization", "appearances"),
            [(w.name, w.organization, w.appearances) for w in report.new_witnesses],
            "witnesses",
        ),
        (
            "Open quarantine",
            ("entity", "id", "stage", "attempts", "since", "reason"),
            [
                (q.entity, q.identifier, q.stage, q.attempts, when(q.first_seen), q.reason)
                for q in report.open_quarantine
            ],
            "items",
        ),
        (
            "Anomalies",
            ("run", "started (UTC)", "anomaly"),
            [(a.run_id, when(a.start_time), a.message) for a in report.anomalies],
            "anomalies",
        ),
        ("Suspicious changes", SUSPICIOUS_COLUMNS, list(suspicious_rows(report)), "changes"),
    ]
    for title, headers, rows, what in sections:
        lines += ["", f"## {title}" + (f" ({len(rows)})" if rows else ""), ""]
        if not rows:
            lines.append("None.")
            continue
        lines += _md_table(headers, rows[:limit])
        more = cut_note(len(rows), limit, what)
        if more:
            lines += ["", f"*{more}*"]
    # Read in a terminal too (`cat`, a pager), so no control character from the data is left.
    return printable("\n".join(lines) + "\n")
