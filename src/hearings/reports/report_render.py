"""The report for people: rich tables for terminals and Markdown for sharing. Long lists are cut
at `limit` rows with a note; the JSON (`Report.to_json`) is always complete."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from hearings.reports.meeting_compare import witness_differences
from hearings.reports.report import ChangedHearing, FieldChange, Report, witness_delta

DEFAULT_LIMIT = 50


# ---- shared wording ------------------------------------------------------------------------


def _when(moment: str | None) -> str:
    """`2026-11-26T11:39:44Z` → `2026-11-26 11:39`."""
    return moment[:16].replace("T", " ") if moment else "—"


def _day(moment: str | None) -> str:
    return moment[:10] if moment else "no date"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _one_line(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else "none"


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _person(witness: dict[str, Any]) -> str:
    name = _one_line(witness.get("name") or "(no name)")
    organization = witness.get("organization")
    return f"{name} ({_one_line(organization)})" if organization else name


def describe_change(change: FieldChange) -> str:
    """One field's change in words: `status: Scheduled → Canceled`."""
    if change.field == "witnesses":
        delta = witness_delta(change)
        parts = [f"+{_person(w)}" for w in delta.added] + [f"−{_person(w)}" for w in delta.removed]
        parts += [
            f"{_one_line(now.get('name'))} changed ({'; '.join(witness_differences(was, now))})"
            for was, now in delta.changed
        ]
        return "witnesses: " + (", ".join(parts) if parts else "details changed")
    if change.field == "committees":
        return f"committees: {', '.join(change.before or [])} → {', '.join(change.after or [])}"
    if change.field == "location":
        return f"location: {_place(change.before)} → {_place(change.after)}"
    if change.field == "other":
        return "other details (documents, videos, bills…)"
    if change.field == "title":
        return f"title: “{_one_line(change.before)}” → “{_one_line(change.after)}”"
    return f"{change.field}: {_one_line(change.before)} → {_one_line(change.after)}"


def _place(location: Any) -> str:
    parts = [str(v) for v in (location or {}).values() if v]
    return ", ".join(parts) if parts else "none"


def what_changed(hearing: ChangedHearing) -> str:
    if hearing.change == "added":
        return "added"
    return "; ".join(describe_change(c) for c in hearing.changes)


def _summary_rows(report: Report) -> list[tuple[str, str]]:
    s = report.summary
    return [
        (
            "runs",
            f"{s.runs} ({s.succeeded} succeeded, {s.partial} partial, {s.failed} failed, "
            f"{s.interrupted} interrupted)",
        ),
        ("meetings checked", str(s.hearings_checked)),
        ("meetings updated", str(s.hearings_updated)),
        ("meetings added", str(s.hearings_added)),
        ("records quarantined by these runs", str(s.quarantined)),
        ("list entries rejected (they named no record)", str(s.list_entries_rejected)),
        ("open quarantine items", str(s.open_quarantine)),
        ("anomalies flagged", str(s.anomalies)),
        ("suspicious changes (flagged, held or skipped)", str(s.suspicious_changes)),
    ]


SUSPICIOUS_COLUMNS = ("run", "event", "action", "what", "before", "after")


def suspicious_rows(report: Report) -> list[tuple[str, ...]]:
    """Each suspicious change: the run, the meeting, what the run did, and the values."""
    return [
        (str(s.run_id), s.event_id, s.action, s.sentence, _one_line(s.before), _one_line(s.after))
        for s in report.suspicious_changes
    ]


def congress_lines(report: Report) -> list[str]:
    """Each run over several Congresses, broken down by Congress."""
    lines = []
    for run in report.runs:
        if len(run.congresses) < 2:
            continue
        parts = [
            f"Congress {congress}: {figures.get('hearings_added', 0)} added, "
            f"{figures.get('hearings_updated', 0)} updated, "
            f"{figures.get('hearings_unchanged', 0)} unchanged, "
            f"{figures.get('quarantined', 0)} quarantined"
            for congress, figures in sorted(run.congresses.items(), key=lambda c: int(c[0]))
        ]
        lines.append(f"Run {run.run_id} by Congress: " + "; ".join(parts))
    return lines


def _run_errors(report: Report) -> list[str]:
    errors = [f"run {r.run_id} {r.outcome}: {e}" for r in report.runs for e in r.errors]
    rejected = [f"run {r.run_id} rejected {e}" for r in report.runs for e in r.rejected_entries]
    return errors + rejected


def _title(report: Report) -> str:
    return (
        f"hearings report: {_when(report.period_start)} to {_when(report.period_end)} UTC "
        f"(last {report.days} day{'s' if report.days != 1 else ''})"
    )


def _more(count: int, limit: int, what: str) -> str | None:
    if count <= limit:
        return None
    return f"… and {count - limit} more {what} (use --format json for all of them)"


# ---- text (rich) ---------------------------------------------------------------------------


def text_renderables(report: Report, *, limit: int = DEFAULT_LIMIT) -> list[RenderableType]:
    """The report as rich renderables, for printing straight to a terminal."""
    parts: list[RenderableType] = [Text(_title(report), style="bold")]

    summary = Table(
        title="Summary", title_justify="left", title_style="bold", show_header=False, box=None
    )
    for label, value in _summary_rows(report):
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
                _when(r.start_time),
                f"{r.command}/{r.mode}",
                str(r.hearings_checked),
                str(r.hearings_added),
                str(r.hearings_updated),
                str(r.quarantined),
                _seconds(r.duration_seconds),
                Text(r.outcome, style=style),
            )
        parts.append(runs)
        for line in congress_lines(report):
            parts.append(Text(line))
        for line in _run_errors(report):
            parts.append(Text(line, style="red"))
    else:
        parts.append(Text("No runs in this period."))

    _text_list(
        parts,
        "Recently changed hearings",
        ("event", "date", "chamber", "committees", "title", "what changed"),
        [
            (
                h.event_id,
                _day(h.start),
                h.chamber,
                ", ".join(h.committees),
                _shorten(_one_line(h.title), 90) if h.title else "(no title)",
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
                _one_line(w.name),
                _one_line(w.organization) if w.organization else "",
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
            (q.entity, q.identifier, q.stage, str(q.attempts), _when(q.first_seen), q.reason)
            for q in report.open_quarantine
        ],
        limit,
        "items",
    )
    _text_list(
        parts,
        "Anomalies",
        ("run", "started (UTC)", "anomaly"),
        [(str(a.run_id), _when(a.start_time), a.message) for a in report.anomalies],
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
        table.add_row(*row)
    parts.append(table)
    more = _more(len(rows), limit, what)
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


# ---- Markdown ------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    # A table cell is one line, and a pipe would end it.
    return _one_line(value).replace("\\", "\\\\").replace("|", "\\|") if value is not None else ""


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def render_markdown(report: Report, *, limit: int = DEFAULT_LIMIT) -> str:
    """The report as GitHub-flavoured Markdown."""
    lines = [f"# {_title(report)}", "", "## Summary", ""]
    lines += [f"- **{label}**: {value}" for label, value in _summary_rows(report)]
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
                    _when(r.start_time),
                    r.command,
                    r.mode,
                    r.hearings_checked,
                    r.hearings_added,
                    r.hearings_updated,
                    r.hearings_unchanged,
                    r.quarantined,
                    r.batches,
                    r.commit_units,
                    _seconds(r.duration_seconds),
                    r.outcome,
                )
                for r in report.runs
            ],
        )
        by_congress = congress_lines(report)
        if by_congress:
            lines += [""] + [f"- {line}" for line in by_congress]
        errors = _run_errors(report)
        if errors:
            lines += [""] + [f"- {_one_line(line)}" for line in errors]
    else:
        lines.append("No runs in this period.")
    sections: list[tuple[str, Sequence[str], list[Sequence[Any]], str]] = [
        (
            "Recently changed hearings",
            ("event", "date", "chamber", "committees", "title", "what changed"),
            [
                (
                    h.event_id,
                    _day(h.start),
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
                (q.entity, q.identifier, q.stage, q.attempts, _when(q.first_seen), q.reason)
                for q in report.open_quarantine
            ],
            "items",
        ),
        (
            "Anomalies",
            ("run", "started (UTC)", "anomaly"),
            [(a.run_id, _when(a.start_time), a.message) for a in report.anomalies],
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
        more = _more(len(rows), limit, what)
        if more:
            lines += ["", f"*{more}*"]
    return "\n".join(lines) + "\n"
