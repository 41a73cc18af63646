"""The bundled Congress imported once per session (per xdist worker) and backend, by the same
`Harness.run("import")` a test would call, and copied into each test marked
`@pytest.mark.imported`: its database starts as exactly what that import writes, for the price of
a file copy (SQLite) or a template clone (PostgreSQL) instead of an import. A module whose tests
start from another import (both Congresses, through the CLI) passes its own `importer`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from hearings.replica import Corpus, ReplicaServer
from tests.pg_server import PostgresServer
from tests.sync.harness import Harness


def _import(folder: Path, database_url: str, corpus: Corpus) -> None:
    with ReplicaServer(corpus.copy()) as replica:
        harness = Harness(tmp_path=folder, database_url=database_url, replica=replica)
        metrics = harness.run("import")
        harness.close()
    assert metrics.success, metrics.errors


@dataclass
class ImportedTemplates:
    """One imported database per backend, made on first use; never written to afterwards."""

    corpus: Corpus
    folder: Path
    #: Makes the import in (folder, database URL) from the corpus; `Harness.run("import")`.
    importer: Callable[[Path, str, Corpus], None] = _import
    _sqlite: Path | None = None
    _postgres: dict[int, str] = field(default_factory=dict)  # server port -> template name

    def fill(self, database_url: str, server: PostgresServer | None = None) -> None:
        """Make the (empty, unopened) database at `database_url` a copy of the import."""
        database = make_url(database_url).database
        assert database, database_url
        if server is None:
            with sqlite3.connect(self._sqlite_template()) as origin:
                with sqlite3.connect(database) as copy:
                    origin.backup(copy)
                copy.close()
            origin.close()
            return
        template = self._postgres_template(server)
        # Same name, new contents: the test's own fixture still drops it afterwards.
        server.drop_database(database)
        server.admin(f'CREATE DATABASE "{database}" TEMPLATE "{template}" STRATEGY FILE_COPY')

    def _sqlite_template(self) -> Path:
        if self._sqlite is None:
            folder = self.folder / "sqlite"
            folder.mkdir(parents=True)
            path = folder / "hearings.db"
            self.importer(folder, f"sqlite:///{path}", self.corpus)
            self._sqlite = path
        return self._sqlite

    def _postgres_template(self, server: PostgresServer) -> str:
        if server.port not in self._postgres:
            name = server.create_database()
            self.importer(self.folder / "postgresql", server.url(name), self.corpus)
            self._postgres[server.port] = name
        return self._postgres[server.port]
