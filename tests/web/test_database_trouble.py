"""The web app when its database is in trouble, over real HTTP: a PostgreSQL server stopped and
started again, a SQLite file deleted, truncated or overwritten while the app runs. Every route
that needs the database answers 503 in one sentence with Retry-After (a page for people, JSON for
the API and the feeds), the log says so once per outage without a traceback, and the app answers
again by itself once the database is back."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from hearings.config import Settings
from hearings.store.opening import open_database
from hearings.web.app import create_app
from tests.pg_server import PostgresServer
from tests.web.live import live_server

PAGES = ["/hearings", "/committees", "/witnesses", "/calendar", "/changes", "/hearings.csv"]
PROGRAMS = ["/api/hearings", "/api/update-status", "/api/witnesses", "/feeds/hearings.atom"]
# No promise of a time the app does not know: it answers again as soon as the database does.
UNAVAILABLE = (
    "The database is not answering at the moment (it may be restarting or being restored); "
    "this site answers again as soon as it does, so please try again in a few seconds."
)


def settings_for(url: str, folder: Path) -> Settings:
    return Settings(database_url=url, backup_dir=folder / "backups", log_dir=folder / "logs")


def assert_unavailable(base: str) -> None:
    for path in PAGES:
        answer = httpx.get(base + path, timeout=30)
        assert answer.status_code == 503, path
        assert answer.headers["retry-after"] == "5"
        assert answer.headers["content-type"].startswith("text/html")
        assert UNAVAILABLE in answer.text
    for path in PROGRAMS:
        answer = httpx.get(base + path, timeout=30)
        assert answer.status_code == 503, path
        assert answer.headers["retry-after"] == "5"
        assert answer.json() == {"error": {"status": 503, "message": UNAVAILABLE}}


def assert_answering(base: str) -> None:
    for path in PAGES + PROGRAMS:
        assert httpx.get(base + path, timeout=30).status_code == 200, path


def outage_lines(records: list[logging.LogRecord]) -> list[str]:
    assert not [r for r in records if r.exc_info], "a traceback was logged"
    return [r.getMessage() for r in records if r.name.startswith("hearings")]


# ---- SQLite ---------------------------------------------------------------------------------


@pytest.fixture
def sqlite_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`hearings serve`'s app over a SQLite file of its own (migrated, no rows), live."""
    path = tmp_path / "hearings.db"
    open_database(f"sqlite:///{path}").dispose()
    app = create_app(settings_for(f"sqlite:///{path}", tmp_path))
    with live_server(app) as base:
        yield base, path
    app.state.engine.dispose()


def _delete(path: Path) -> None:
    path.unlink()


def _truncate(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 3)


def _overwrite_header(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.write(b"not a database!!")


@pytest.mark.parametrize("damage", [_delete, _truncate, _overwrite_header])
def test_a_sqlite_file_gone_or_damaged_is_a_503_until_it_is_put_back(
    sqlite_site: tuple[str, Path],
    damage: Callable[[Path], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    base, path = sqlite_site
    saved = path.with_name("saved.db")
    shutil.copyfile(path, saved)
    damage(path)
    with caplog.at_level(logging.WARNING):
        assert_unavailable(base)
        assert_unavailable(base)
        shutil.copyfile(saved, path)
        assert_answering(base)
    unavailable, answering = outage_lines(caplog.records)
    assert unavailable.startswith(f"The database {path} is unavailable: ")
    assert answering.startswith(f"The database {path} answers again after ")
    assert f"; {2 * len(PAGES + PROGRAMS)} requests got 503 meanwhile." in answering


def test_a_deleted_sqlite_file_is_not_made_again_empty(sqlite_site: tuple[str, Path]) -> None:
    base, path = sqlite_site
    path.unlink()
    assert httpx.get(f"{base}/api/hearings", timeout=30).status_code == 503
    # An empty database in its place would look like a site with no hearings, and a restore
    # or an import would then meet a file nobody made.
    assert not path.exists()


# ---- PostgreSQL -----------------------------------------------------------------------------


def _stop(server: PostgresServer) -> None:
    server.run("pg_ctl", "-D", str(server.data_dir), "-m", "immediate", "-w", "stop")


def _start_again(server: PostgresServer) -> None:
    # Not running, `restart` starts it with the options it last ran with (postmaster.opts).
    log = str(server.root / "server.log")
    server.run("pg_ctl", "-D", str(server.data_dir), "-l", log, "-w", "-t", "60", "restart")


@pytest.mark.postgres
def test_a_postgresql_server_down_is_a_503_and_the_app_recovers_when_it_is_back(
    own_postgres: PostgresServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = own_postgres.url(own_postgres.create_database())
    open_database(url).dispose()
    app = create_app(settings_for(url, tmp_path))
    with live_server(app) as base, caplog.at_level(logging.WARNING):
        assert_answering(base)
        _stop(own_postgres)
        assert_unavailable(base)
        assert_unavailable(base)
        _start_again(own_postgres)
        assert_answering(base)
    app.state.engine.dispose()
    unavailable, answering = outage_lines(caplog.records)
    shown = f"postgresql+psycopg://postgres:***@127.0.0.1:{own_postgres.port}/"
    assert unavailable.startswith(f"The database {shown}")
    assert "is unavailable: connection failed" in unavailable
    assert answering.startswith(f"The database {shown}")
    assert " answers again after " in answering
    assert own_postgres.password not in caplog.text
