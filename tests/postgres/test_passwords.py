"""The PostgreSQL password is never shown, however DATABASE_URL carries it: in the user
information (`user:pass@`), as libpq's `password` query parameter (`?password=`), or typed with
an '@' the user forgot to percent-encode. Nor does it reach a command line (`ps` shows those)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.pg_server import PostgresServer
from tests.store.conftest import Site, one_sentence

PASSWORD = "Qp7xSecretWord"
ROLE = "query_password_user"


@pytest.fixture
def query_password_url(postgres_server: PostgresServer, postgres_url: str) -> Iterator[str]:
    """A URL for an empty database that gives its password as `?password=`, libpq's spelling."""
    name = make_url(postgres_url).database
    postgres_server.admin(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'")
    try:
        postgres_server.admin(f'ALTER DATABASE "{name}" OWNER TO {ROLE}')
        port = postgres_server.port
        yield f"postgresql+psycopg://{ROLE}@127.0.0.1:{port}/{name}?password={PASSWORD}"
    finally:
        postgres_server.drop_database(str(name))  # owned by the role, which can go only after
        postgres_server.admin(f"DROP ROLE {ROLE}")


@pytest.mark.postgres
def test_a_password_given_as_a_query_parameter_is_never_printed(
    query_password_url: str, tmp_path: Path
) -> None:
    site = Site(tmp_path, tmp_path / "unused.db", extra_env={"DATABASE_URL": query_password_url})
    for args in (
        ["init"],
        ["status"],
        ["status", "--json"],
        ["verify"],
        ["report"],
        ["backup", "create"],
        ["migrate-db", "--from", query_password_url, "--to", f"sqlite:///{tmp_path / 'copy.db'}"],
    ):
        result = site.cli(*args)
        assert result.returncode == 0, (args, result.stderr)
        output = result.stdout + result.stderr
        assert PASSWORD not in output, args
    logs = "".join(p.read_text() for p in (tmp_path / "logs").glob("*.log"))
    assert PASSWORD not in logs


@pytest.mark.postgres
def test_pg_dump_gets_a_query_parameter_password_by_environment_not_on_its_command_line(
    query_password_url: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    # A pg_dump first on the PATH that writes down its arguments, then runs the real one.
    shims = tmp_path / "shims"
    shims.mkdir()
    argv_log = tmp_path / "pg_dump_argv"
    shim = shims / "pg_dump"
    shim.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" >> {argv_log}\n'
        f'exec {postgres_server.bin_dir / "pg_dump"} "$@"\n'
    )
    shim.chmod(0o755)
    site = Site(tmp_path, tmp_path / "unused.db", extra_env={"DATABASE_URL": query_password_url})
    assert site.cli("init").returncode == 0
    result = site.cli("backup", "create", PATH=f"{shims}{os.pathsep}{os.environ['PATH']}")
    assert result.returncode == 0, result.stderr
    arguments = argv_log.read_text()
    assert "--dbname=" in arguments
    assert PASSWORD not in arguments


@pytest.mark.parametrize("command", ["status", "init", "migrate-db"])
def test_an_at_sign_left_unencoded_in_the_password_is_refused_without_showing_it(
    tmp_path: Path, command: str
) -> None:
    # `pass@wordTail` is read as password `pass` and host `wordTail@127.0.0.1`: the host would
    # be looked up, and the error naming it would show the end of the password.
    typed = "postgresql+psycopg://u:pass@wordTail@127.0.0.1:5432/hearings"
    site = Site(tmp_path, tmp_path / "unused.db")
    if command == "migrate-db":
        result = site.cli(command, "--from", typed, "--to", f"sqlite:///{tmp_path / 'copy.db'}")
    else:
        result = site.cli(command, DATABASE_URL=typed)
    assert result.returncode == 2, result.stderr
    sentence = one_sentence(result.stderr)
    assert "wordTail" not in sentence and ":pass" not in sentence
    assert "%40" in sentence
