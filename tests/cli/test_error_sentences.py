"""Errors at the command line are one sentence and an exit code, never a traceback: a bug
(the traceback goes to the log file, or nowhere when no log can be written), an invalid
CONGRESS_API_BASE_URL (exit 2: no request, no backup), a PostgreSQL password in `serve`'s
banner, and a PostgreSQL server that only accepts reads."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.store.conftest import Site, imported_database, one_sentence, site

__all__ = ["imported_database", "site"]  # the fixtures, shared with tests/store


def _garble_a_run(site: Site) -> None:
    # A value no version of hearings writes: reading it is a bug in the reader, not the user's.
    connection = sqlite3.connect(site.database)
    connection.execute("UPDATE update_logs SET start_time = 'not a time'")
    connection.commit()
    connection.close()


def test_a_bug_prints_one_line_and_keeps_the_traceback_in_the_log(site: Site) -> None:
    _garble_a_run(site)
    # A process of its own: where a traceback goes is decided by the process's hooks and handlers.
    result = site.cli("status", own_process=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Internal error: ")
    logs = list((site.folder / "logs").glob("*.log"))
    assert len(logs) == 1 and f"the full traceback is in {logs[0]}" in lines[0]
    assert "Traceback (most recent call last)" in logs[0].read_text()


def test_a_bug_without_a_writable_log_still_prints_no_traceback(site: Site) -> None:
    _garble_a_run(site)
    blocked = site.folder / "not-a-folder"
    blocked.write_text("a file where the log folder should be")
    result = site.cli("status", own_process=True, LOG_DIR=str(blocked))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no log file could be written" in lines[0]


@pytest.mark.parametrize(
    "base_url",
    ["not a url", "ftp://api.congress.gov/v3", "http://", "localhost:8080/v3", "https://a b/v3"],
)
@pytest.mark.parametrize("command", [("update", "--congress", "119"), ("verify", "--reconcile")])
def test_an_invalid_api_base_url_is_a_configuration_error(
    site: Site, base_url: str, command: tuple[str, ...]
) -> None:
    result = site.cli(*command, CONGRESS_API_BASE_URL=base_url)
    assert result.returncode == 2
    sentence = one_sentence(result.stderr)
    assert "CONGRESS_API_BASE_URL" in sentence and "is not an http(s) URL" in sentence
    assert not site.backups.exists(), "no backup for a run that cannot start"
    logs = site.folder / "logs"
    assert not logs.exists() or "retry" not in " ".join(p.read_text() for p in logs.iterdir())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.postgres
def test_serve_never_prints_the_postgresql_password(postgres_url: str, tmp_path: Path) -> None:
    password = make_url(postgres_url).password
    assert password
    site = Site(tmp_path, tmp_path / "unused.db", extra_env={"DATABASE_URL": postgres_url})
    assert site.cli("init").returncode == 0
    server = subprocess.Popen(
        [sys.executable, "-m", "hearings", "serve", "--port", str(_free_port())],
        env=site.env(),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = server.stdout.readline() if server.stdout else ""
            seen.append(line)
            if "Uvicorn running" in line or not line:
                break
    finally:
        server.terminate()
        rest, _ = server.communicate(timeout=30)
    output = "".join(seen) + rest
    assert "Serving postgresql+psycopg://" in output and "***" in output
    assert password not in output


@pytest.mark.postgres
def test_a_read_only_postgresql_server_refuses_writes_but_serves_reads(
    postgres_url: str, tmp_path: Path
) -> None:
    site = Site(tmp_path, tmp_path / "unused.db", extra_env={"DATABASE_URL": postgres_url})
    assert site.cli("init").returncode == 0
    name = make_url(postgres_url).database
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    engine.dispose()
    try:
        result = site.cli("update", "--congress", "119")
        assert result.returncode == 1
        assert "only accepts reads" in one_sentence(result.stderr)
        assert not site.backups.exists()
        assert site.cli("status").returncode == 0
    finally:
        # From another database: this one now refuses the ALTER too.
        maintenance = make_url(postgres_url).set(database="postgres")
        engine = create_engine(maintenance, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(
                text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
            )
        engine.dispose()


def test_a_deleted_working_folder_is_a_sentence_not_a_bug(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    # The shell's folder vanishes under it: every relative path (database, logs) is unreachable.
    script = f"cd {gone} && rmdir {gone} && {sys.executable} -m hearings demo"
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "working folder no longer exists" in one_sentence(result.stderr)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["export", "hearings", "--congress", "1-999"], "Congress 999 is out of range"),
        (["update", "--congress", "118..119"], "names no Congress"),
        (["import", "--congress", "119", "--batch-size", "0"], "--batch-size"),
        (["import"], "Missing option '--congress'"),
        (["no-such-command"], "No such command"),
    ],
)
def test_a_usage_error_is_one_sentence_with_where_to_read_more(
    args: list[str], says: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hearings", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    sentence = one_sentence(result.stderr)
    assert says in sentence and sentence.endswith("--help`.")
    assert not (tmp_path / "hearings.db").exists()
