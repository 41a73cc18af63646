"""`hearings report`: after a real import and a real update against the replica, the report shows
exactly those runs and the changes the update made, in text, Markdown and JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hearings.replica import Corpus, ReplicaServer
from hearings.reports.report import FieldChange, Report, build_report, witness_delta
from hearings.reports.report_markdown import render_markdown
from hearings.reports.report_render import render_text
from hearings.store import schema
from tests.reports.conftest import Site, api_time, copy_database, run_cli

NEW_EVENT = "990001"


@dataclass
class Day:
    """An imported database, one day of upstream changes, and the update that applied them."""

    site: Site
    import_run: int
    update_run: int
    imported: int
    status_changed: str
    old_status: str
    title_changed: str
    old_title: str
    witness_added: str
    bad_date: str
    moved: str
    old_date: str


def _meetings(corpus: Corpus, *, with_witnesses: bool) -> list[str]:
    found = []
    for event_id in sorted(corpus.ids("meeting")):
        body = corpus.meeting(event_id) or {}
        if body.get("title") and bool(body.get("witnesses")) == with_witnesses:
            found.append(event_id)
    return found


def _edit(corpus: Corpus, event_id: str, stamp: str, **fields: Any) -> dict[str, Any]:
    body = dict(corpus.meeting(event_id) or {})
    body.update(fields, updateDate=stamp)
    corpus.put_meeting(body)
    return body


@pytest.fixture(scope="module")
def day(
    tmp_path_factory: pytest.TempPathFactory, packaged_corpus: Corpus, imported_db: Path
) -> Iterator[Day]:
    folder = tmp_path_factory.mktemp("day")
    with ReplicaServer(packaged_corpus.copy()) as replica:
        site = Site(folder, replica, copy_database(imported_db, folder / "hearings.db"))
        corpus = site.corpus
        stamp = api_time(datetime.now(UTC) - timedelta(hours=1))
        plain = _meetings(corpus, with_witnesses=False)
        witnessed = _meetings(corpus, with_witnesses=True)

        status_changed, title_changed, bad_date, moved = plain[0], plain[1], plain[2], plain[3]
        old_date = str((corpus.meeting(moved) or {})["date"])
        _edit(corpus, moved, stamp, date="2025-02-27T19:00:00Z")
        old_status = str((corpus.meeting(status_changed) or {})["meetingStatus"])
        old_title = str((corpus.meeting(title_changed) or {})["title"])
        _edit(corpus, status_changed, stamp, meetingStatus="Canceled")
        _edit(corpus, title_changed, stamp, title=old_title + " (revised)")
        witnesses = list((corpus.meeting(witnessed[0]) or {})["witnesses"])
        witnesses.append(
            {"name": "Dr. Ada Quill", "organization": "Institute of Tests", "position": "Fellow"}
        )
        _edit(corpus, witnessed[0], stamp, witnesses=witnesses)
        _edit(corpus, bad_date, stamp, date="1850-01-01T10:00:00Z")
        template = dict(corpus.meeting(witnessed[1]) or {})
        template.update(
            eventId=NEW_EVENT,
            title="A brand-new hearing",
            updateDate=stamp,
            witnesses=[
                {"name": "Grace Example", "organization": "Example Labs", "position": "Director"}
            ],
            witnessDocuments=[],
        )
        corpus.put_meeting(template)

        with site.engine().connect() as connection:
            import_run = connection.execute(select(schema.update_logs.c.run_id)).scalar_one()
            imported = connection.execute(select(schema.update_logs.c.hearings_added)).scalar_one()
        metrics = site.run("update")
        assert metrics.success and metrics.run_id is not None
        assert (metrics.hearings_added, metrics.hearings_updated, metrics.quarantined) == (1, 4, 1)
        yield Day(
            site=site,
            import_run=import_run,
            update_run=metrics.run_id,
            imported=imported,
            status_changed=status_changed,
            old_status=old_status,
            title_changed=title_changed,
            old_title=old_title,
            witness_added=witnessed[0],
            bad_date=bad_date,
            moved=moved,
            old_date=old_date,
        )
        site.close()


@pytest.fixture(scope="module")
def report(day: Day) -> Report:
    return build_report(day.site.engine(), 7, datetime.now(UTC))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_the_report_lists_exactly_the_import_and_the_update(day: Day, report: Report) -> None:
    assert [(r.run_id, r.command, r.outcome) for r in report.runs] == [
        (day.import_run, "import", "succeeded"),
        (day.update_run, "update", "succeeded"),
    ]
    update = report.runs[1]
    assert (update.hearings_added, update.hearings_updated, update.quarantined) == (1, 4, 1)
    assert update.mode == "batch" and update.duration_seconds is not None
    summary = report.summary
    assert (summary.runs, summary.succeeded, summary.failed, summary.interrupted) == (2, 2, 0, 0)
    assert summary.hearings_added == day.imported + 1
    assert summary.hearings_updated == 4
    assert summary.quarantined == 1 and summary.open_quarantine == 1
    assert summary.anomalies == 0 and report.anomalies == []


def test_the_update_s_changes_are_read_from_the_before_images(day: Day, report: Report) -> None:
    by_update = {h.event_id: h for h in report.changed_hearings if h.run_id == day.update_run}
    updated = {day.status_changed, day.title_changed, day.witness_added, day.moved}
    assert set(by_update) == updated | {NEW_EVENT}
    assert by_update[day.status_changed].change == "updated"
    assert by_update[day.status_changed].changes == [
        FieldChange("status", day.old_status, "Canceled")
    ]
    assert by_update[day.title_changed].changes == [
        FieldChange("title", day.old_title, day.old_title + " (revised)")
    ]
    (witnesses,) = by_update[day.witness_added].changes
    delta = witness_delta(witnesses)
    assert delta.added == [
        {"name": "Dr. Ada Quill", "organization": "Institute of Tests", "position": "Fellow"}
    ]
    assert delta.removed == [] and delta.changed == []
    assert by_update[day.moved].changes == [
        FieldChange("start", day.old_date, "2025-02-27T19:00:00Z")
    ]
    new = by_update[NEW_EVENT]
    assert (new.change, new.title, new.changes) == ("added", "A brand-new hearing", [])
    assert new.committees and new.chamber in ("House", "Senate")
    # The rest were added by the import; the malformed record was never applied.
    rest = [h for h in report.changed_hearings if h.run_id != day.update_run]
    assert {h.run_id for h in rest} == {day.import_run}
    assert {h.change for h in rest} == {"added"}
    assert len(rest) == day.imported - 4  # the four updated meetings are listed under the update
    assert day.bad_date not in by_update
    # Newest change first.
    assert set(h.event_id for h in report.changed_hearings[:5]) == set(by_update)


def test_new_witnesses_and_open_quarantine(day: Day, report: Report) -> None:
    new = {w.name: w for w in report.new_witnesses}
    assert any("Ada Quill" in name for name in new)
    grace = next(w for name, w in new.items() if "Grace Example" in name)
    assert (grace.organization, grace.appearances) == ("Example Labs", 1)
    (item,) = report.open_quarantine
    assert (item.entity, item.identifier, item.stage) == ("meeting", day.bad_date, "validate")
    assert "out of range" in item.reason


def test_json_format_follows_the_documented_schema(
    day: Day, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "report.json"
    result = run_cli(
        monkeypatch, capsys, day.site.env(), "report", "--format", "json", "--output", str(target)
    )
    assert result.code == 0, result.err
    data = json.loads(target.read_text())
    assert list(data) == [
        "report_version",
        "generated_at",
        "period",
        "summary",
        "runs",
        "changed_hearings",
        "new_witnesses",
        "open_quarantine",
        "anomalies",
        "suspicious_changes",
    ]
    assert data["report_version"] == 1 and data["period"]["days"] == 7
    assert [r["run_id"] for r in data["runs"]] == [day.import_run, day.update_run]
    assert set(data["runs"][1]) >= {
        "command",
        "mode",
        "start_time",
        "duration_seconds",
        "hearings_checked",
        "hearings_added",
        "hearings_updated",
        "quarantined",
        "outcome",
        "errors",
    }
    changed = {h["event_id"]: h for h in data["changed_hearings"] if h["run_id"] == day.update_run}
    assert changed[day.status_changed]["changes"] == [
        {"field": "status", "before": day.old_status, "after": "Canceled"}
    ]
    assert changed[NEW_EVENT]["change"] == "added"
    assert data["open_quarantine"][0]["identifier"] == day.bad_date
    assert data["summary"]["runs"] == 2


def test_markdown_format_for_sharing(
    day: Day, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(monkeypatch, capsys, day.site.env(), "report", "--format", "markdown")
    assert result.code == 0, result.err
    text = result.out
    for heading in (
        "## Summary",
        "## Runs",
        "## Recently changed hearings",
        "## Recently added witnesses",
        "## Open quarantine (1)",
        "## Anomalies",
    ):
        assert heading in text
    run_rows = [line for line in text.splitlines() if line.startswith(f"| {day.update_run} |")]
    assert len(run_rows) == 1 and "| update | batch |" in run_rows[0]
    rows = {line.split(" | ")[0][2:]: line for line in text.splitlines() if line.startswith("| ")}
    assert f"status: {day.old_status} → Canceled" in rows[day.status_changed]
    old = _one_line(day.old_title).replace("|", "\\|")
    assert f"title: “{old}” → “{old} (revised)”" in rows[day.title_changed]
    assert "witnesses: +Dr. Ada Quill (Institute of Tests)" in rows[day.witness_added]
    assert "Moved from Tue Feb 25, 3:00 p.m. to Thu Feb 27, 2:00 p.m. ET" in rows[day.moved]
    assert "| added |" in rows[NEW_EVENT]
    assert "out of range" in rows["meeting"] and day.bad_date in rows["meeting"]


def test_text_format_for_terminals(
    day: Day, report: Report, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    wide = render_text(report, width=400, limit=1000)
    lines = {line.split()[0]: line for line in wide.splitlines() if line.strip()}
    assert f"status: {day.old_status} → Canceled" in lines[day.status_changed]
    assert "+Dr. Ada Quill (Institute of Tests)" in lines[day.witness_added]
    assert "added" in lines[NEW_EVENT]
    # A new date reads as `hearings history` says it, in Washington time.
    assert day.old_date == "2025-02-25T20:00:00Z"
    assert "Moved from Tue Feb 25, 3:00 p.m. to Thu Feb 27, 2:00 p.m. ET" in lines[day.moved]
    assert "\x1b[" not in wide  # plain text when written to a file
    result = run_cli(monkeypatch, capsys, day.site.env(), "report", "--days", "7")
    assert result.code == 0, result.err
    assert "Summary" in result.out and "Open quarantine (1)" in result.out
    for event_id in (day.status_changed, day.title_changed, day.witness_added, NEW_EVENT):
        assert event_id in result.out


def test_the_period_leaves_older_runs_out(day: Day) -> None:
    later = build_report(day.site.engine(), 2, datetime.now(UTC) + timedelta(days=3))
    assert later.runs == [] and later.changed_hearings == [] and later.new_witnesses == []
    assert later.summary.runs == 0
    assert later.open_quarantine  # open items are open whatever the period
    assert "No runs in this period." in render_markdown(later)
