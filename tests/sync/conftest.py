from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hearings.replica import Corpus, ReplicaServer
from tests.sync.harness import Harness
from tests.sync.imported_template import ImportedTemplates


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "imported: the test's `harness` starts from the bundled Congress already imported "
        "(a copy of one `harness.run('import')` per session and backend)",
    )


@pytest.fixture(scope="session")
def pristine_corpus() -> Corpus:
    return Corpus.load()


@pytest.fixture(scope="session")
def imported_templates(
    pristine_corpus: Corpus, tmp_path_factory: pytest.TempPathFactory
) -> ImportedTemplates:
    return ImportedTemplates(pristine_corpus, tmp_path_factory.mktemp("imported-template"))


@pytest.fixture
def sync_replica(pristine_corpus: Corpus) -> Iterator[ReplicaServer]:
    with ReplicaServer(pristine_corpus.copy()) as server:
        yield server


@pytest.fixture
def harness(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    database_url: str,
    sync_replica: ReplicaServer,
) -> Iterator[Harness]:
    if request.node.get_closest_marker("imported") is not None:
        templates: ImportedTemplates = request.getfixturevalue("imported_templates")
        on_postgres = database_url.startswith("postgresql")
        templates.fill(
            database_url, request.getfixturevalue("postgres_server") if on_postgres else None
        )
    h = Harness(tmp_path=tmp_path, database_url=database_url, replica=sync_replica)
    yield h
    h.close()
