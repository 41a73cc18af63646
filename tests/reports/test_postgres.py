"""Report, verify, status and the new exports on PostgreSQL: the same findings and the same bytes
as on SQLite."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from hearings.replica import ReplicaServer
from hearings.reports.export import export_to_string
from hearings.reports.report import build_report
from hearings.reports.status import gather_status
from hearings.reports.verify import verify_database
from hearings.store.copy import copy_database
from hearings.store.opening import open_database
from tests.sync.harness import Harness

pytestmark = pytest.mark.postgres


@pytest.fixture
def on_postgres(tmp_path: Path, postgres_url: str, replica: ReplicaServer) -> Iterator[Harness]:
    harness = Harness(tmp_path=tmp_path, database_url=postgres_url, replica=replica)
    yield harness
    harness.close()


def test_monitoring_on_postgresql(on_postgres: Harness, imported_db: Path) -> None:
    metrics = on_postgres.run("import")
    assert metrics.success
    engine = on_postgres.engine()
    url = on_postgres.database_url

    result = verify_database(engine, url)
    assert result.problems == [] and "integrity" not in result.checks
    assert {w.check for w in result.warnings} == {"orphans", "stubs"}

    report = build_report(engine, 7, datetime.now(UTC))
    assert [(r.run_id, r.command, r.outcome) for r in report.runs] == [
        (metrics.run_id, "import", "succeeded")
    ]
    assert len(report.changed_hearings) == metrics.hearings_added

    status = gather_status(on_postgres.settings(), engine)
    assert status.counts["meetings"] == metrics.hearings_added
    assert status.size_bytes and "postgresql" in status.database and "@" in status.database

    sqlite = open_database(f"sqlite:///{imported_db}", migrate_schema=False)
    try:
        for entity in ("members", "appearances"):
            for fmt in ("jsonl", "csv"):
                assert export_to_string(engine, entity, fmt=fmt) == export_to_string(
                    sqlite, entity, fmt=fmt
                ), (entity, fmt)
    finally:
        sqlite.dispose()

    with engine.begin() as connection:
        witness_id, name, organization = connection.execute(
            text(
                "SELECT witness_id, normalized_name, organization_key FROM witnesses"
                " ORDER BY witness_id LIMIT 1"
            )
        ).one()
        connection.execute(
            text(
                "INSERT INTO witnesses (witness_id, normalized_name, organization_key,"
                " display_name, first_seen_at) VALUES ('twin-1', :name, :org, 'Twin', now())"
            ),
            {"name": name.upper() + " ", "org": organization.upper()},
        )
    found = verify_database(engine, url)
    assert [(p.check, sorted(p.ids)) for p in found.problems] == [
        ("orphans", ["twin-1"]),
        ("duplicates", sorted([witness_id, "twin-1"])),
    ]


def test_new_witnesses_come_in_the_same_order_on_both_backends(
    imported_db: Path, postgres_url: str, tmp_path: Path
) -> None:
    # PostgreSQL's collation sorts "Matthew Colvin" before "Matt Nosanchuk" (it ignores the
    # space); SQLite's code-point order puts "Matt " first. The report must not depend on it.
    # Witnesses first seen at one moment are ordered by name: the import spreads its witnesses
    # over however many seconds it took, so the copy gives them all the same moment.
    now = datetime.now(UTC)
    database = tmp_path / "hearings.db"
    shutil.copyfile(imported_db, database)
    with sqlite3.connect(database) as connection:
        connection.execute(
            "UPDATE witnesses SET first_seen_at = ?",
            ((now - timedelta(days=1)).replace(tzinfo=None).isoformat(" ", "microseconds"),),
        )
    connection.close()
    copy_database(f"sqlite:///{database}", postgres_url)
    reports = {}
    for url in (f"sqlite:///{database}", postgres_url):
        engine = open_database(url, migrate_schema=False)
        try:
            reports[url] = build_report(engine, 7, now).new_witnesses
        finally:
            engine.dispose()
    sqlite_order, postgres_order = reports.values()
    names = [w.name for w in sqlite_order]
    assert names.index("Matt Nosanchuk") < names.index("Matthew Colvin")
    assert postgres_order == sqlite_order
