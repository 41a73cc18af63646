"""`hearings report` reads each changed meeting's before and after from the payload archive, so it
keeps working after the batch checkpoints' before-images are pruned; a database from before the
archive still gets its changes from the before-images."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete

from hearings.replica import Corpus, ReplicaServer
from hearings.reports.report import ChangedHearing, FieldChange, build_report, witness_delta
from hearings.store import schema
from hearings.store.opening import open_database
from tests.reports.conftest import Site, api_time, copy_database


@dataclass
class TwoUpdates:
    """An import, then two updates: the first cancels a meeting, the second retitles it and
    adds a witness to another."""

    site: Site
    first_update: int
    second_update: int
    canceled: str
    old_status: str
    old_title: str
    witnessed: str


def _edit(corpus: Corpus, event_id: str, minutes_ago: int, **fields: Any) -> None:
    body = dict(corpus.meeting(event_id) or {})
    body.update(fields, updateDate=api_time(datetime.now(UTC) - timedelta(minutes=minutes_ago)))
    corpus.put_meeting(body)


@pytest.fixture(scope="module")
def updates(
    tmp_path_factory: pytest.TempPathFactory, packaged_corpus: Corpus, imported_db: Path
) -> Iterator[TwoUpdates]:
    folder = tmp_path_factory.mktemp("two-updates")
    with ReplicaServer(packaged_corpus.copy()) as replica:
        site = Site(folder, replica, copy_database(imported_db, folder / "hearings.db"))
        corpus = site.corpus
        ids = sorted(corpus.ids("meeting"))
        titled = [i for i in ids if (corpus.meeting(i) or {}).get("title")]
        canceled = next(i for i in titled if not (corpus.meeting(i) or {}).get("witnesses"))
        witnessed = next(i for i in titled if (corpus.meeting(i) or {}).get("witnesses"))
        before = corpus.meeting(canceled) or {}
        _edit(corpus, canceled, 30, meetingStatus="Canceled")
        first = site.run("update")
        _edit(corpus, canceled, 20, title=str(before["title"]) + " (revised)")
        people = list((corpus.meeting(witnessed) or {})["witnesses"])
        people.append({"name": "Dr. Ada Quill", "organization": "Institute of Tests"})
        _edit(corpus, witnessed, 20, witnesses=people)
        second = site.run("update")
        assert first.success and second.success
        assert (first.hearings_updated, second.hearings_updated) == (1, 2)
        assert first.run_id is not None and second.run_id is not None
        yield TwoUpdates(
            site,
            first.run_id,
            second.run_id,
            canceled,
            str(before["meetingStatus"]),
            str(before["title"]),
            witnessed,
        )
        site.close()


def _changed(site: Site, database: Path | None = None) -> dict[str, ChangedHearing]:
    engine = site.engine() if database is None else _engine_of(site, database)
    report = build_report(engine, 7, datetime.now(UTC))
    return {h.event_id: h for h in report.changed_hearings}


def _engine_of(site: Site, database: Path) -> Engine:
    engine = open_database(f"sqlite:///{database}")
    site.engines.append(engine)
    return engine


def _copy_without(updates: TwoUpdates, table: Any, name: str) -> Path:
    copy = copy_database(updates.site.database, updates.site.tmp_path / name)
    engine = _engine_of(updates.site, copy)
    with engine.begin() as connection:
        connection.execute(delete(table))
    return copy


def _story(changed: dict[str, ChangedHearing]) -> dict[str, tuple[Any, ...]]:
    """What the report says of each meeting, apart from when it noticed."""
    return {e: (h.change, h.run_id, h.changes, h.title, h.committees) for e, h in changed.items()}


def test_before_is_the_meeting_before_its_first_change_and_after_its_last(
    updates: TwoUpdates,
) -> None:
    changed = _changed(updates.site)
    canceled = changed[updates.canceled]
    assert (canceled.change, canceled.run_id) == ("updated", updates.second_update)
    assert canceled.changes == [
        FieldChange("status", updates.old_status, "Canceled"),
        FieldChange("title", updates.old_title, updates.old_title + " (revised)"),
    ]
    (witnesses,) = changed[updates.witnessed].changes
    delta = witness_delta(witnesses)
    assert delta.added == [
        {"name": "Dr. Ada Quill", "organization": "Institute of Tests", "position": None}
    ]
    assert delta.removed == [] and delta.changed == []
    # The import added the rest, and nothing changed them since.
    others = [h for e, h in changed.items() if e not in (updates.canceled, updates.witnessed)]
    assert others and all(h.change == "added" and h.changes == [] for h in others)


def test_pruned_checkpoints_change_nothing(updates: TwoUpdates) -> None:
    pruned = _copy_without(updates, schema.batch_checkpoints, "pruned.db")
    assert _story(_changed(updates.site, pruned)) == _story(_changed(updates.site))


def test_a_database_from_before_the_archive_reads_the_before_images(updates: TwoUpdates) -> None:
    unarchived = _copy_without(updates, schema.payload_archive, "unarchived.db")
    assert _story(_changed(updates.site, unarchived)) == _story(_changed(updates.site))
