from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hearings.replica import Corpus, ReplicaServer
from tests.sync.harness import Harness


@pytest.fixture(scope="session")
def pristine_corpus() -> Corpus:
    return Corpus.load()


@pytest.fixture
def sync_replica(pristine_corpus: Corpus) -> Iterator[ReplicaServer]:
    with ReplicaServer(pristine_corpus.copy()) as server:
        yield server


@pytest.fixture
def harness(tmp_path: Path, database_url: str, sync_replica: ReplicaServer) -> Iterator[Harness]:
    h = Harness(tmp_path=tmp_path, database_url=database_url, replica=sync_replica)
    yield h
    h.close()
