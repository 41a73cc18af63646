"""Fixtures for the monitoring tests: the real replica, the real importer, real SQLite files.

`imported_db` is one import of the bundled corpus per test session, copied into each test that
wants a database of its own; `Site` runs imports, updates and CLI commands against a replica.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from hearings.cli import main
from hearings.config import Settings
from hearings.congress_api.client import CongressClient
from hearings.replica import Corpus, ReplicaServer
from hearings.store.opening import open_database
from hearings.sync.pipeline import SyncOptions
from hearings.sync.runlog import RunMetrics
from hearings.sync.runner import RunEnvironment, run_sync
from tests.sync.harness import Harness
from tests.sync.imported_template import ImportedTemplates

API_KEY = "test-key"


def api_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy through SQLite's backup API (WAL content included)."""
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()
    return target


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@dataclass
class Site:
    """A database file, a replica serving a corpus, and the settings that join them."""

    tmp_path: Path
    replica: ReplicaServer
    database: Path
    engines: list[Engine] = field(default_factory=list)

    @property
    def corpus(self) -> Corpus:
        return self.replica.corpus

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"

    def env(self) -> dict[str, str]:
        return {
            "CONGRESS_API_BASE_URL": self.replica.base_url,
            "CONGRESS_API_KEY": API_KEY,
            "DATABASE_URL": self.database_url,
            "BACKUP_DIR": str(self.tmp_path / "backups"),
            "LOG_DIR": str(self.tmp_path / "logs"),
            "API_MAX_RETRIES": "1",
        }

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": self.database_url,
            "congress_api_base_url": self.replica.base_url,
            "congress_api_key": API_KEY,
            "backup_dir": self.tmp_path / "backups",
            "log_dir": self.tmp_path / "logs",
            "api_max_retries": 1,
            "api_concurrency": 4,
        }
        values.update(overrides)
        return Settings(**values)

    def engine(self) -> Engine:
        engine = open_database(self.database_url)
        self.engines.append(engine)
        return engine

    def client(self) -> CongressClient:
        return CongressClient.from_settings(self.settings(), backoff_base=0.01, backoff_max=0.02)

    def run(self, command: str = "update", *, notify: Any = None) -> RunMetrics:
        options = SyncOptions(congress=119, batch_size=50, concurrency=4)
        with self.client() as client:
            env = RunEnvironment(
                settings=self.settings(), engine=self.engine(), client=client, notify=notify
            )
            return run_sync(env, options, command=command)

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()


def run_cli(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    *args: str,
) -> CliResult:
    """`hearings ARGS` in this process, with `env` as the only configuration."""
    with monkeypatch.context() as patch:
        patch.delenv("NOTIFY_WEBHOOK_URL", raising=False)
        for key, value in env.items():
            patch.setenv(key, value)
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


@pytest.fixture(scope="session")
def imported_db(tmp_path_factory: pytest.TempPathFactory, packaged_corpus: Corpus) -> Path:
    """The bundled corpus imported once by the real importer: a template, never written to."""
    folder = tmp_path_factory.mktemp("imported")
    with ReplicaServer(packaged_corpus.copy()) as replica:
        site = Site(folder, replica, folder / "hearings.db")
        metrics = site.run("import")
        site.close()
    assert metrics.success and metrics.hearings_added > 100
    return site.database


@pytest.fixture
def site(
    tmp_path: Path,
    replica: ReplicaServer,
    imported_db: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Site]:
    """A copy of the imported database, and the shared `replica` serving the same corpus."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    made = Site(tmp_path, replica, copy_database(imported_db, tmp_path / "hearings.db"))
    yield made
    made.close()


# The history tests': each module's own import, copied into each test.
@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> ImportedTemplates:
    """`harness.run("import")` of the bundled Congress, made once per module and backend."""
    return ImportedTemplates(Corpus.load(), tmp_path_factory.mktemp("history-imported"))


@pytest.fixture
def harness(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    database_url: str,
    imported: ImportedTemplates,
) -> Iterator[Harness]:
    """A database of its own that starts as a copy of the import, and a replica of its own
    whose upstream the test edits."""
    on_postgres = database_url.startswith("postgresql")
    imported.fill(database_url, request.getfixturevalue("postgres_server") if on_postgres else None)
    with ReplicaServer(Corpus.load()) as replica:
        made = Harness(tmp_path=tmp_path, database_url=database_url, replica=replica)
        yield made
        made.close()
