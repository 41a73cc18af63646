"""A PostgreSQL role that may only read (SELECT granted, nothing else) is, for the commands that
write, a database that cannot be written: they refuse it in one sentence before any backup or
request, as they refuse a read-only server. The commands that read work as usual."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from hearings.replica import ReplicaServer
from tests.pg_server import PostgresServer
from tests.store.conftest import Site, one_sentence

READER = "select_only_reader"
READER_PASSWORD = "Rd5xSecretWord"


@pytest.fixture
def select_only_site(
    postgres_server: PostgresServer, postgres_url: str, replica: ReplicaServer, tmp_path: Path
) -> Iterator[Site]:
    """A database its owner imported the bundled Congress into, and a Site that reaches it as a
    role granted SELECT on its tables and nothing more."""
    owner = Site(
        tmp_path / "owner",
        tmp_path / "unused.db",
        api_base_url=replica.base_url,
        extra_env={"DATABASE_URL": postgres_url},
    )
    owner.folder.mkdir()
    assert owner.cli("import", "--congress", "119", "--no-backup").returncode == 0
    name = make_url(postgres_url).database
    postgres_server.admin(f"CREATE ROLE {READER} LOGIN PASSWORD '{READER_PASSWORD}'")
    try:
        _grant_select(postgres_server, str(name))
        where = f"127.0.0.1:{postgres_server.port}/{name}"
        reader_url = f"postgresql+psycopg://{READER}:{READER_PASSWORD}@{where}"
        folder = tmp_path / "reader"
        folder.mkdir()
        yield Site(
            folder,
            folder / "unused.db",
            api_base_url=replica.base_url,
            extra_env={"DATABASE_URL": reader_url},
        )
    finally:
        postgres_server.drop_database(str(name))
        postgres_server.admin(f"DROP ROLE {READER}")


def _grant_select(server: PostgresServer, database: str) -> None:
    import psycopg

    with psycopg.connect(
        host=str(server.socket_dir),
        port=server.port,
        user="postgres",
        dbname=database,
        autocommit=True,
    ) as connection:
        connection.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER}")  # type: ignore[arg-type]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "command",
    [
        ["update", "--no-backup"],
        ["update"],
        ["import", "--congress", "119", "--no-backup", "--no-batch"],
        ["rebuild"],
    ],
)
def test_a_select_only_role_is_refused_by_commands_that_write(
    select_only_site: Site, command: list[str]
) -> None:
    result = select_only_site.cli(*command)
    assert result.returncode == 1, result.stdout + result.stderr
    sentence = one_sentence(result.stderr)
    assert "cannot write" in sentence and READER in sentence, sentence
    assert READER_PASSWORD not in result.stdout + result.stderr
    assert not select_only_site.backups.exists() or not any(select_only_site.backups.iterdir())


@pytest.mark.postgres
def test_a_select_only_role_still_reads(select_only_site: Site) -> None:
    for command in (["status"], ["verify"], ["export", "hearings"]):
        result = select_only_site.cli(*command)
        assert result.returncode == 0, (command, result.stderr)
