"""A site for the untrusted-input tests: a SQLite file copied from one imported database, a replica
serving a corpus (with overrides), and `hearings` run through its real CLI in this process.

It reads the database with plain `sqlite3`, so a check never depends on the code under test.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hearings.replica import Corpus, ReplicaServer
from tests.cli_runs import run_hearings, run_hearings_process

API_KEY = "test-key-untrusted-5e1b"
#: `update_logs.metrics` key counting list entries that could not name their record.
REJECTED_METRIC = "list_entries_rejected"

#: Where each entity's stored row lives: table and key column.
STORED: dict[str, tuple[str, str]] = {
    "meeting": ("hearings", "event_id"),
    "printed_hearing": ("printed_hearings", "jacket_number"),
    "committee": ("committees", "system_code"),
    "member": ("members", "bioguide_id"),
}
#: A meeting's child rows, all keyed by event_id.
MEETING_CHILDREN = (
    "hearing_committees",
    "witness_appearances",
    "witness_documents",
    "meeting_documents",
    "videos",
    "hearing_bills",
    "hearing_transcripts",
)
#: Values the store needs: an item without them must not erase a stored one.
REQUIRED = {"committee": ("name",), "member": ("name",), "printed_hearing": ("title",)}


def api_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy through SQLite's backup API (WAL content included)."""
    origin, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        origin.close()
        copy.close()
    return target


@dataclass
class CliRun:
    code: int
    out: str
    err: str


_SETTINGS_PREFIXES = ("CONGRESS_", "DATABASE_", "API_", "NOTIFY_", "BACKUP_", "LOG_")


@dataclass
class Site:
    """`database_url` defaults to `folder/hearings.db`; a PostgreSQL URL works too."""

    folder: Path
    replica: ReplicaServer
    database_url: str = ""

    def __post_init__(self) -> None:
        self.database_url = self.database_url or f"sqlite:///{self.database}"

    @property
    def corpus(self) -> Corpus:
        return self.replica.corpus

    @property
    def database(self) -> Path:
        return self.folder / "hearings.db"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "CONGRESS_API_BASE_URL": self.replica.base_url,
            "CONGRESS_API_KEY": API_KEY,
            "DATABASE_URL": self.database_url,
            "BACKUP_DIR": str(self.folder / "backups"),
            "LOG_DIR": str(self.folder / "logs"),
            "API_MAX_RETRIES": "2",
            **extra,
        }

    def hearings(self, *args: str, **extra_env: str) -> CliRun:
        """`hearings ARGS` in this process; stdout and stderr captured."""
        result = run_hearings(args, env=self._process_env(**extra_env), cwd=self.folder)
        return CliRun(result.returncode, result.stdout, result.stderr)

    def hearings_process(self, *args: str, **extra_env: str) -> CliRun:
        """`python -m hearings ARGS` as a process of its own, as cron runs it."""
        result = run_hearings_process(args, env=self._process_env(**extra_env), cwd=self.folder)
        return CliRun(result.returncode, result.stdout, result.stderr)

    def _process_env(self, **extra_env: str) -> dict[str, str]:
        # This process's environment without settings of its own (so no stray one is read).
        env = {k: v for k, v in os.environ.items() if not k.startswith(_SETTINGS_PREFIXES)}
        return {**env, **self.env(**extra_env)}

    def update(self) -> CliRun:
        return self.hearings("update", "--congress", "119", "--lookback-days", "7")

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in (self.folder / "logs").glob("*.log"))

    # ---- reading the database -----------------------------------------------------------

    @property
    def on_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def query(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        """Rows as dicts, read past the code under test: sqlite3, or psycopg for PostgreSQL."""
        if self.on_sqlite:
            connection = sqlite3.connect(self.database)
            connection.row_factory = sqlite3.Row
            try:
                return [dict(r) for r in connection.execute(sql, params)]
            finally:
                connection.close()
        import psycopg
        from psycopg.rows import dict_row
        from sqlalchemy.engine import make_url

        url = make_url(self.database_url)
        with psycopg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            dbname=url.database,
            row_factory=dict_row,
        ) as connection:
            return list(connection.execute(sql.replace("?", "%s"), params))  # type: ignore[arg-type]

    def stored(self, entity: str, ident: str | int) -> dict[str, list[tuple[Any, ...]]]:
        """Every stored row of one record (a meeting's child rows included)."""
        table, key = STORED[entity]
        value: Any = int(ident) if entity == "printed_hearing" else str(ident)
        tables = [(table, key), *((c, "event_id") for c in MEETING_CHILDREN)]
        found = {}
        for name, column in tables if entity == "meeting" else tables[:1]:
            sql = f"SELECT * FROM {name} WHERE {column} = ? ORDER BY 1, 2"  # noqa: S608
            found[name] = [tuple(r.values()) for r in self.query(sql, value)]
        return found

    def row(self, entity: str, ident: str | int) -> dict[str, Any] | None:
        table, key = STORED[entity]
        value: Any = int(ident) if entity == "printed_hearing" else str(ident)
        rows = self.query(f"SELECT * FROM {table} WHERE {key} = ?", value)  # noqa: S608
        return rows[0] if rows else None

    def quarantine(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Open quarantine entries by (entity, identifier in lower case)."""
        rows = self.query("SELECT * FROM import_errors WHERE NOT resolved")
        return {(r["entity"], str(r["identifier"]).lower()): r for r in rows}

    def last_run(self) -> dict[str, Any]:
        return self.query("SELECT * FROM update_logs ORDER BY run_id DESC LIMIT 1")[0]

    def last_metrics(self) -> dict[str, Any]:
        metrics = self.last_run()["metrics"]
        loaded = json.loads(metrics) if isinstance(metrics, str) else metrics or {}
        return loaded if isinstance(loaded, dict) else {}

    def rejected_entries(self) -> int:
        return int(self.last_metrics().get(REJECTED_METRIC) or 0)

    # ---- what holds after every run, whatever the input ---------------------------------

    def assert_sound(self, run: CliRun) -> None:
        """No traceback on the console, a consistent file, and no high-water mark past the
        run's own start."""
        assert "Traceback" not in run.err, run.err[-3000:]
        assert "Internal error" not in run.err, run.err[-3000:]
        if self.on_sqlite:  # PostgreSQL checks every foreign key as it writes
            assert [tuple(r.values()) for r in self.query("PRAGMA integrity_check")] == [("ok",)]
            assert self.query("PRAGMA foreign_key_check") == []
        # A second's slack: marks may be stored at whole seconds.
        started = _when(self.last_run()["start_time"]) + timedelta(seconds=1)
        for mark in self.query("SELECT * FROM sync_state WHERE high_water_mark IS NOT NULL"):
            assert _when(mark["high_water_mark"]) <= started, dict(mark)


def _when(value: str | datetime) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=None)


def sentence(reason: str) -> bool:
    """A reason a user can read: one line, not a traceback, not the payload itself."""
    return (
        bool(reason.strip())
        and "\n" not in reason.strip()
        and len(reason) < 1000
        and ("Traceback" not in reason)
    )


def stamp_for(now: datetime) -> str:
    """An `updateDate` inside today's update window."""
    return api_time(now - timedelta(hours=2))
