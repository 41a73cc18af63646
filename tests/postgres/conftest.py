"""Fixtures for the PostgreSQL tests: harnesses on each backend over the shared replica."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hearings.replica import ReplicaServer
from tests.sync.harness import Harness


def make_harness(folder: Path, database_url: str, replica: ReplicaServer) -> Harness:
    folder.mkdir(parents=True, exist_ok=True)
    return Harness(tmp_path=folder, database_url=database_url, replica=replica)


@pytest.fixture
def on_postgres(
    tmp_path: Path, migrated_postgres_url: str, replica: ReplicaServer
) -> Iterator[Harness]:
    harness = make_harness(tmp_path / "postgresql", migrated_postgres_url, replica)
    yield harness
    harness.close()


@pytest.fixture
def on_sqlite(tmp_path: Path, replica: ReplicaServer) -> Iterator[Harness]:
    folder = tmp_path / "sqlite"
    harness = make_harness(folder, f"sqlite:///{folder / 'hearings.db'}", replica)
    yield harness
    harness.close()
