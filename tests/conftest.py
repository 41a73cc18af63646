"""Fixtures shared by every test folder: the offline replica of the Congress.gov API and a client
pointed at it. The packaged corpus is read once per session; each test gets its own copy, so
edits (`replica.corpus.put_meeting(...)`) and faults never leak between tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from hearings.congress_api.client import CongressClient
from hearings.replica import DEFAULT_CORPUS_DIR, Corpus, Faults, ReplicaServer

# No deadline per example, and no health check on how slowly examples are made: what the tests
# check is what the code returns, and on a loaded machine (CI's is shared, two cores, two workers)
# one pause of a quarter of a second fails a pure function's test ("Unreliable test timings").
_UNTIMED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("untimed", _UNTIMED)
# In CI the generated examples are the same every run, so a red build always means a change, and
# a developer's runs keep exploring new ones (HYPOTHESIS_PROFILE=ci reproduces CI's).
settings.register_profile("ci", _UNTIMED, derandomize=True, print_blob=True)
if os.environ.get("CI") or os.environ.get("HYPOTHESIS_PROFILE") == "ci":
    settings.load_profile("ci")
else:
    settings.load_profile("untimed")

#: The key `replica_client` sends; tests grep logs and messages for it.
REPLICA_TEST_KEY = "test-key-4d1f9c2b7e"


@pytest.fixture(scope="session")
def imported_119(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled Congress as `hearings import --congress 119` writes it, through the CLI and
    the replica, once per session (per worker): copy it, never write to it."""
    from tests.sync.site import Site

    folder = tmp_path_factory.mktemp("imported-119")
    with ReplicaServer(Corpus.load()) as replica:
        run = Site(folder, replica).hearings("import", "--congress", "119")
    assert run.code == 0, run.err
    return folder / "hearings.db"


@pytest.fixture(scope="session")
def packaged_corpus() -> Corpus:
    """The bundled 119th-Congress corpus, loaded once. Do not edit it: copy it."""
    return Corpus.load(DEFAULT_CORPUS_DIR)


@pytest.fixture
def replica_corpus(packaged_corpus: Corpus) -> Corpus:
    """A private copy of the packaged corpus (cheap: records are shared and immutable)."""
    return packaged_corpus.copy()


@pytest.fixture
def replica(replica_corpus: Corpus) -> Iterator[ReplicaServer]:
    """A started replica on a free loopback port. Its faults answer 429s with `Retry-After: 0`
    and stall `timeout` faults for 1 s, so retry tests stay fast."""
    faults = Faults(retry_after=0, timeout_seconds=1.0)
    with ReplicaServer(replica_corpus, faults=faults) as server:
        yield server


@pytest.fixture
def replica_api_key() -> str:
    """The key `replica_client` sends."""
    return REPLICA_TEST_KEY


@pytest.fixture
def replica_client(replica: ReplicaServer, replica_api_key: str) -> Iterator[CongressClient]:
    """A client for `replica` with tiny backoffs and 3 retries."""
    client = CongressClient(
        replica.base_url,
        replica_api_key,
        concurrency=4,
        timeout=5.0,
        max_retries=3,
        backoff_base=0.001,
        backoff_max=0.01,
    )
    with client:
        yield client


# ---- databases: SQLite and a real PostgreSQL server -------------------------------------
# `postgres_server` (one cluster per session and xdist worker) and `postgres_url` (an empty
# database per test) live in tests/pg_server.py; importing them here shares them with every folder.

from tests.pg_server import (  # noqa: E402, F401
    migrated_postgres_url,
    own_postgres,
    postgres_server,
    postgres_url,
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no rows on each backend in turn: `tmp_path/hearings.db` (not there yet),
    then a database of its own on the session's PostgreSQL server, already migrated (the
    migration of an empty one is tested in tests/postgres)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hearings.db'}"
    return str(request.getfixturevalue("migrated_postgres_url"))
