"""The answers the app keeps for some seconds (the banner, the filter choices, /api/stats) are
dropped as soon as the SQLite file is written or swapped: a page after an update, a restore or a
rebuild shows what it did, not what was there up to 30 seconds before."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from hearings.web.answer_cache import TimedCache
from tests.cli_runs import run_hearings
from tests.web.conftest import Scratch


def _canceled(stats: dict[str, object]) -> int:
    by_status = stats["by_status"]
    assert isinstance(by_status, dict)
    return int(by_status.get("Canceled", 0))


def test_stats_follow_a_write_and_a_restore_at_once(scratch: Scratch, tmp_path: Path) -> None:
    if scratch.engine.dialect.name != "sqlite":
        return  # PostgreSQL has no cheap sign of a write: its answers are kept by time alone
    database = scratch.database.path
    client = scratch.client()
    before = _canceled(client.get("/api/stats").json())
    kept = tmp_path / "before.db"
    with sqlite3.connect(database) as source, sqlite3.connect(kept) as copy:
        source.backup(copy)

    # Another process writes (an update would): the next request counts it.
    with sqlite3.connect(database) as writer:
        writer.execute(
            "UPDATE hearings SET status = 'Canceled' WHERE event_id = "
            "(SELECT min(event_id) FROM hearings WHERE status != 'Canceled')"
        )
    assert _canceled(client.get("/api/stats").json()) == before + 1

    restored = run_hearings(
        ["backup", "restore", str(kept)],
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "DATABASE_URL": scratch.url,
            "BACKUP_DIR": str(tmp_path / "backups"),
        },
        cwd=tmp_path,
    )
    assert restored.returncode == 0, restored.stderr
    assert _canceled(client.get("/api/stats").json()) == before


def test_answers_are_kept_while_the_generation_stays() -> None:
    now = [0.0]
    generation = [1]
    computed: list[int] = []
    cache = TimedCache(seconds=30, clock=lambda: now[0], generation=lambda: generation[0])

    def compute() -> int:
        computed.append(len(computed))
        return computed[-1]

    assert [cache.get("k", compute) for _ in range(3)] == [0, 0, 0]
    now[0] = 29.0
    assert cache.get("k", compute) == 0
    generation[0] = 2
    assert cache.get("k", compute) == 1  # another file, or written to: computed again
    now[0] = 60.0
    assert cache.get("k", compute) == 2  # and time alone still ends an answer
