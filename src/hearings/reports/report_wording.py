"""The report's wording, shared by its text and Markdown forms: times, figures, what changed
in a meeting, the summary, the runs' errors and the notes on lists cut short."""

from __future__ import annotations

from typing import Any

from hearings.reports.meeting_compare import witness_differences
from hearings.reports.moved_sentences import moved_sentences
from hearings.reports.report import ChangedHearing, FieldChange, Report, witness_delta


def when(moment: str | None) -> str:
    """`2026-11-26T11:39:44Z` → `2026-11-26 11:39`."""
    return moment[:16].replace("T", " ") if moment else "—"


def day(moment: str | None) -> str:
    return moment[:10] if moment else "no date"


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def one_line(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else "none"


def shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def person(witness: dict[str, Any]) -> str:
    name = one_line(witness.get("name") or "(no name)")
    organization = witness.get("organization")
    return f"{name} ({one_line(organization)})" if organization else name


def describe_change(change: FieldChange) -> str:
    """One field's change in words: `status: Scheduled → Canceled`."""
    if change.field == "witnesses":
        delta = witness_delta(change)
        parts = [f"+{person(w)}" for w in delta.added] + [f"−{person(w)}" for w in delta.removed]
        parts += [
            f"{one_line(now.get('name'))} changed ({'; '.join(witness_differences(was, now))})"
            for was, now in delta.changed
        ]
        return "witnesses: " + (", ".join(parts) if parts else "details changed")
    if change.field == "committees":
        return f"committees: {', '.join(change.before or [])} → {', '.join(change.after or [])}"
    if change.field == "location":
        return f"location: {place(change.before)} → {place(change.after)}"
    if change.field == "other":
        return "other details (documents, videos, bills…)"
    if change.field == "title":
        return f"title: “{one_line(change.before)}” → “{one_line(change.after)}”"
    if change.field == "start":
        # As `hearings history` says it, in Washington time, not as two UTC timestamps.
        moved = moved_sentences(change.before, change.after)
        if moved:
            return "; ".join(moved)
    return f"{change.field}: {one_line(change.before)} → {one_line(change.after)}"


def place(location: Any) -> str:
    parts = [str(v) for v in (location or {}).values() if v]
    return ", ".join(parts) if parts else "none"


def what_changed(hearing: ChangedHearing) -> str:
    if hearing.change == "added":
        return "added"
    return "; ".join(describe_change(c) for c in hearing.changes)


def summary_rows(report: Report) -> list[tuple[str, str]]:
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
        (str(s.run_id), s.event_id, s.action, s.sentence, one_line(s.before), one_line(s.after))
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


def run_errors(report: Report) -> list[str]:
    errors = [f"run {r.run_id} {r.outcome}: {e}" for r in report.runs for e in r.errors]
    rejected = [f"run {r.run_id} rejected {e}" for r in report.runs for e in r.rejected_entries]
    return errors + rejected


def report_title(report: Report) -> str:
    return (
        f"hearings report: {when(report.period_start)} to {when(report.period_end)} UTC "
        f"(last {report.days} day{'s' if report.days != 1 else ''})"
    )


def cut_note(count: int, limit: int, what: str) -> str | None:
    if count <= limit:
        return None
    return f"… and {count - limit} more {what} (use --format json for all of them)"
