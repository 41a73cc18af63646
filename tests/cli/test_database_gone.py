"""A PostgreSQL server stopped in the middle of an import is one sentence saying what is kept,
not an "Internal error … This is a bug" line after SQL statements dumped with their parameters
(the release of the writer lock on the dead connection failed too, and its error was shown)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from hearings.replica import Corpus, ReplicaServer
from hearings.store import schema
from tests.pg_server import PostgresServer
from tests.sync.harness import slow_from_the_first_meeting

pytestmark = pytest.mark.postgres


def _committed_batches(url: str) -> int:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            checkpoints = schema.batch_checkpoints
            return int(
                connection.execute(
                    select(func.count()).where(checkpoints.c.status == "committed")
                ).scalar_one()
            )
    except Exception:  # the schema is not there yet
        return 0
    finally:
        engine.dispose()


def test_a_server_stopped_mid_import_is_one_sentence(
    own_postgres: PostgresServer, packaged_corpus: Corpus, tmp_path: Path
) -> None:
    url = own_postgres.url(own_postgres.create_database())
    with ReplicaServer(packaged_corpus.copy()) as replica:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CONGRESS_", "DATABASE_"))}
        env.update(
            DATABASE_URL=url,
            CONGRESS_API_BASE_URL=replica.base_url,
            CONGRESS_API_KEY="DEMO_KEY",
            BACKUP_DIR=str(tmp_path / "backups"),
            LOG_DIR=str(tmp_path / "logs"),
            API_MAX_RETRIES="0",
            API_CONCURRENCY="2",
            PYTHONUNBUFFERED="1",
            PATH=f"{own_postgres.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "hearings", "import", "--congress", "119"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        slow_from_the_first_meeting(replica, 20)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not _committed_batches(url):
            time.sleep(0.2)
        assert process.poll() is None, "the import ended before the server could be stopped"
        # The rest of the import took a few seconds, and stopping the server can take as long on
        # a loaded machine: five times slower, the import is surely running when the server goes
        # (and its next batch, 50 meetings, still needs the database within 3 s).
        replica.faults.latency_ms = 100
        own_postgres.run("pg_ctl", "-D", str(own_postgres.data_dir), "-m", "fast", "-w", "stop")
        _, stderr = process.communicate(timeout=120)

    assert process.returncode == 1
    assert "Internal error" not in stderr and "Traceback" not in stderr, stderr
    assert "[SQL:" not in stderr and "[parameters:" not in stderr, stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("Error: The database stopped answering ("), stderr
    assert last.endswith("); committed work is kept and the next run continues."), stderr
