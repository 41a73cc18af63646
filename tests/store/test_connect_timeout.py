"""A PostgreSQL server that accepts connections but never answers (hung, stopped, or a proxy whose
backend is gone) is given up on after a connection timeout, in one sentence: libpq sets no limit
of its own, so every command, pg_dump and every web request waited for ever. A connection whose
server went away later is found gone by TCP keepalives, which libpq leaves to the kernel's
two hours."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hearings.store import postgres
from hearings.store.engine import create_db_engine
from hearings.store.postgres import client_connection
from tests.cli_runs import run_hearings


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port on loopback whose listener takes connections into its backlog and never speaks."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield int(listener.getsockname()[1])
    finally:
        listener.close()


def test_a_server_that_never_answers_is_given_up_on_in_one_sentence(
    silent_server: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "CONNECT_TIMEOUT_SECONDS", 1)
    url = f"postgresql+psycopg://hearings:s3cret-pw@127.0.0.1:{silent_server}/hearings"
    started = time.monotonic()
    result = run_hearings(
        ["status"], env={"DATABASE_URL": url, "HOME": str(tmp_path)}, cwd=tmp_path
    )
    assert time.monotonic() - started < 30
    assert result.returncode == 1
    assert "did not answer before the connection timeout" in result.stderr
    assert "Traceback" not in result.stderr and "s3cret-pw" not in result.stderr


def test_a_timeout_in_the_url_is_the_one_used() -> None:
    with_own = "postgresql+psycopg://u@db.example.org/h?connect_timeout=45"
    assert "connect_timeout='45'" in client_connection(with_own).conninfo
    assert "connect_timeout" not in postgres.connect_limits(postgres.make_url(with_own))


def test_pg_dump_and_pg_restore_get_the_timeout_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    conninfo = client_connection("postgresql+psycopg://u@db.example.org/h").conninfo
    assert f"connect_timeout='{postgres.CONNECT_TIMEOUT_SECONDS}'" in conninfo
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "60")
    conninfo = client_connection("postgresql+psycopg://u@db.example.org/h").conninfo
    assert "connect_timeout" not in conninfo


def test_connections_probe_a_server_that_went_away_unless_the_url_says_otherwise(
    postgres_url: str,
) -> None:
    """The settings libpq itself reports for a real connection, and for pg_dump's."""
    for url, idle in ((postgres_url, "60"), (f"{postgres_url}?keepalives_idle=5", "5")):
        engine = create_db_engine(url)
        try:
            with engine.connect() as connection:
                raw = connection.connection.dbapi_connection
                assert raw is not None
                used = raw.info.get_parameters()  # type: ignore[attr-defined]
        finally:
            engine.dispose()
        assert used["keepalives"] == "1" and used["keepalives_idle"] == idle
        assert used["keepalives_interval"] == "10" and used["keepalives_count"] == "3"
        assert f"keepalives_idle='{idle}'" in client_connection(url).conninfo
