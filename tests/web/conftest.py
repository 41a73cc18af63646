"""Fixtures for the web app: the bundled corpus imported once, by the real importer from the real
replica, into a SQLite file that every test of the session reads."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from hearings.config import Settings
from hearings.congress_api.client import CongressClient
from hearings.replica import Corpus, ReplicaServer
from hearings.store import schema
from hearings.store.opening import open_database
from hearings.sync.backups import backup_database, create_backup
from hearings.sync.pipeline import SyncOptions
from hearings.sync.runlog import RunMetrics
from hearings.sync.runner import RunEnvironment, run_sync
from hearings.web.app import create_app
from tests.pg_server import PostgresServer

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

ADMIN_TOKEN = "s3cret-admin-token"
# A Wednesday in the corpus's busiest month: "this week" is June 9-15, 2025.
FIXED_NOW = datetime(2025, 6, 11, 16, 0, tzinfo=UTC)
QUARANTINED_ID = "999001"


@dataclass(frozen=True)
class WebDatabase:
    url: str
    path: Path
    folder: Path
    # PostgreSQL: the imported database, kept unopened so `scratch` can clone it.
    template: str | None = None

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": self.url,
            "backup_dir": self.folder / "backups",
            "log_dir": self.folder / "logs",
            "admin_token": ADMIN_TOKEN,
        }
        values.update(overrides)
        return Settings(**values)


def import_corpus(database: WebDatabase, corpus: Corpus) -> None:
    """Import the corpus with the real pipeline from the real replica, then add a quarantined
    record for the admin to show."""
    with ReplicaServer(corpus.copy()) as replica:
        settings = database.settings(
            congress_api_base_url=replica.base_url,
            congress_api_key="web-tests",
            api_max_retries=2,
            api_concurrency=4,
        )
        engine = open_database(database.url)
        with CongressClient.from_settings(settings) as client:
            metrics = run_sync(
                RunEnvironment(settings=settings, engine=engine, client=client),
                SyncOptions(congress=119, batch_enabled=True, batch_size=50, concurrency=4),
                command="import",
            )
    assert metrics.success, metrics.errors
    now = datetime(2025, 6, 12, 9, 0)
    with engine.begin() as connection:
        connection.execute(
            insert(schema.import_errors).values(
                entity="meeting",
                identifier=QUARANTINED_ID,
                stage="parse",
                reason="date: 'next Tuesday' is not a date",
                raw_payload="{}",
                locator={"congress": 119, "chamber": "house"},
                first_seen_at=now,
                last_seen_at=now,
                attempts=3,
                resolved=False,
            )
        )
    engine.dispose()


@pytest.fixture(scope="session")
def imported_web_databases() -> dict[str, WebDatabase]:
    """The imported corpus on each backend, made once per session (per xdist worker) on first
    use. Not a session fixture with the backends as params: pytest keeps one param's value at a
    time, and every web file runs both, so each file imported the corpus anew on each backend
    (about 180 worker-seconds a run)."""
    return {}


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def web_database(
    request: pytest.FixtureRequest,
    imported_web_databases: dict[str, WebDatabase],
    tmp_path_factory: pytest.TempPathFactory,
    packaged_corpus: Corpus,
) -> WebDatabase:
    """The imported corpus on each backend in turn: every web test runs on SQLite and on
    PostgreSQL. Read it, never write to it (`scratch` is a copy to write to)."""
    backend: str = request.param
    if backend not in imported_web_databases:
        imported_web_databases[backend] = _import_web_database(
            request, backend, tmp_path_factory, packaged_corpus
        )
    return imported_web_databases[backend]


def _import_web_database(
    request: pytest.FixtureRequest,
    backend: str,
    tmp_path_factory: pytest.TempPathFactory,
    packaged_corpus: Corpus,
) -> WebDatabase:
    folder = tmp_path_factory.mktemp("web")
    if backend == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        template = server.create_database()
        imported = WebDatabase(url=server.url(template), path=folder / "unused", folder=folder)
        import_corpus(imported, packaged_corpus)
        backup_database(imported.settings(), now=datetime(2025, 6, 12, 9, 30, tzinfo=UTC))
        live = server.clone_database(template)
        return WebDatabase(server.url(live), folder / "unused", folder, template=template)
    path = folder / "hearings.db"
    database = WebDatabase(url=f"sqlite:///{path}", path=path, folder=folder)
    import_corpus(database, packaged_corpus)
    create_backup(path, folder / "backups", now=datetime(2025, 6, 12, 9, 30, tzinfo=UTC))
    return database


# Enough meetings for a realistic week (the corpus's busiest weeks hold about 70) and for lists
# that run to many pages.
LARGE_MEETINGS = 1000


@pytest.fixture(scope="session")
def large_database(
    tmp_path_factory: pytest.TempPathFactory, packaged_corpus: Corpus
) -> WebDatabase:
    """The corpus scaled to a thousand meetings, imported once per session (SQLite): the
    browser's layout checks run on pages of realistic length."""
    folder = tmp_path_factory.mktemp("web-large")
    path = folder / "hearings.db"
    database = WebDatabase(url=f"sqlite:///{path}", path=path, folder=folder)
    import_corpus(database, packaged_corpus.scaled(LARGE_MEETINGS))
    return database


# Per module, as they were in effect when `web_database` was per session: a file's login
# cookies and app state never reach the next file.
@pytest.fixture(scope="module")
def engine(web_database: WebDatabase) -> Iterator[Engine]:
    engine = open_database(web_database.url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def app(web_database: WebDatabase, engine: Engine) -> FastAPI:
    return create_app(engine, settings=web_database.settings(), clock=lambda: FIXED_NOW)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class Scratch:
    """A private copy of the imported database, for tests that change data."""

    url: str
    engine: Engine
    database: WebDatabase

    def client(self, **settings: Any) -> TestClient:
        app = create_app(
            self.engine, settings=self.database.settings(**settings), clock=lambda: FIXED_NOW
        )
        return TestClient(app, raise_server_exceptions=False)

    def update_holding(self, upstream: Corpus) -> RunMetrics:
        """`hearings update` of the 119th Congress from a replica serving `upstream`, with
        SUSPICIOUS_CHANGES=hold: a version that degrades a meeting is held for review."""
        with ReplicaServer(upstream) as replica:
            settings = self.database.settings(
                congress_api_base_url=replica.base_url, congress_api_key="web-tests"
            )
            with CongressClient.from_settings(settings) as api:
                return run_sync(
                    RunEnvironment(settings=settings, engine=self.engine, client=api),
                    SyncOptions(congress=119, concurrency=4, suspicious_changes="hold"),
                    command="update",
                )


@pytest.fixture
def scratch(
    request: pytest.FixtureRequest, web_database: WebDatabase, tmp_path: Path
) -> Iterator[Scratch]:
    if web_database.template is not None:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        name = server.clone_database(web_database.template)
        url = server.url(name)
        engine = open_database(url)
        yield Scratch(url, engine, WebDatabase(url, tmp_path / "unused", web_database.folder))
        engine.dispose()
        server.drop_database(name)
        return
    path = tmp_path / "scratch.db"
    source = sqlite3.connect(web_database.path)
    target = sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    url = f"sqlite:///{path}"
    engine = open_database(url)
    yield Scratch(url, engine, WebDatabase(url, path, web_database.folder))
    engine.dispose()


@pytest.fixture
def make_client(web_database: WebDatabase, engine: Engine) -> Callable[..., TestClient]:
    """A client of an app with other settings or another clock."""

    def build(clock: datetime = FIXED_NOW, **settings: Any) -> TestClient:
        app = create_app(engine, settings=web_database.settings(**settings), clock=lambda: clock)
        return TestClient(app, raise_server_exceptions=False)

    return build


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    """Chromium with a profile of its own, for one test (test_browser.py shares one per module)."""
    from tests.web.browser_support import chromium  # Playwright only where a test drives it

    with chromium(tmp_path / "profile") as context:
        yield context
