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
def select_only_sites(
    postgres_server: PostgresServer, postgres_url: str, replica: ReplicaServer, tmp_path: Path
) -> Iterator[tuple[Site, Site]]:
    """A database its owner imported the bundled Congress into: the owner's Site, and a Site
    that reaches it as a role granted SELECT on its tables and nothing more."""
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
        _grant(postgres_server, str(name), "TABLES")
        where = f"127.0.0.1:{postgres_server.port}/{name}"
        reader_url = f"postgresql+psycopg://{READER}:{READER_PASSWORD}@{where}"
        folder = tmp_path / "reader"
        folder.mkdir()
        yield (
            owner,
            Site(
                folder,
                folder / "unused.db",
                api_base_url=replica.base_url,
                extra_env={"DATABASE_URL": reader_url},
            ),
        )
    finally:
        postgres_server.drop_database(str(name))
        postgres_server.admin(f"DROP ROLE {READER}")


@pytest.fixture
def select_only_site(select_only_sites: tuple[Site, Site]) -> Site:
    return select_only_sites[1]


def _grant(server: PostgresServer, database: str, objects: str) -> None:
    import psycopg

    with psycopg.connect(
        host=str(server.socket_dir),
        port=server.port,
        user="postgres",
        dbname=database,
        autocommit=True,
    ) as connection:
        connection.execute(f"GRANT SELECT ON ALL {objects} IN SCHEMA public TO {READER}")  # type: ignore[arg-type]


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


@pytest.mark.postgres
def test_a_select_only_role_still_reads_after_the_owner_restores_a_backup(
    select_only_sites: tuple[Site, Site],
) -> None:
    """A restore makes every table again: the rights other roles held on them are given back
    (they were lost, and a read-only `serve` answered 503 until someone granted them again)."""
    owner, reader = select_only_sites
    before = reader.cli("export", "hearings")
    assert before.returncode == 0, before.stderr
    made = owner.cli("backup", "create")
    assert made.returncode == 0, made.stderr
    archive = next(owner.backups.iterdir())

    restored = owner.cli("backup", "restore", str(archive))

    assert restored.returncode == 0, restored.stderr
    after = reader.cli("export", "hearings")
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout
    # Still only reading: the restore gave back what was granted, nothing more.
    refused = reader.cli("update", "--no-backup")
    assert refused.returncode == 1 and "cannot write" in one_sentence(refused.stderr)


@pytest.mark.postgres
def test_a_backup_by_a_role_without_the_sequences_names_the_grant(
    postgres_server: PostgresServer, select_only_site: Site
) -> None:
    """pg_dump reads the sequences too: granted SELECT on the tables alone, the role's backup
    fails in one sentence that names the grant; with it, the backup is made."""
    refused = select_only_site.cli("backup", "create")
    assert refused.returncode == 1
    sentence = one_sentence(refused.stderr)
    assert sentence.startswith("Error: pg_dump failed, so no backup was made: "), sentence
    assert "permission denied for sequence" in sentence
    assert sentence.endswith(
        "; a role that only reads needs SELECT on the sequences as well as the tables "
        "(GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO the role)."
    ), sentence
    name = make_url(select_only_site.env()["DATABASE_URL"]).database
    _grant(postgres_server, str(name), "SEQUENCES")
    made = select_only_site.cli("backup", "create")
    assert made.returncode == 0, made.stderr
    assert len(list(select_only_site.backups.iterdir())) == 1
