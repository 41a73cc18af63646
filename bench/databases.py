"""Scaled corpora and the imported databases the sections start from, built once per size and
cached under bench/out/db/.

A database of N meetings is built by the real import (`run_sync(..., command="import")`: list,
fetch, parse, validate, apply in batches) from `Corpus.scaled(N)`, answered in-process by
`CorpusClient` instead of over HTTP. The bodies are the replica's own, so the result is the database
an HTTP import of the same corpus builds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import hearings
from bench.corpus_client import CorpusClient
from bench.harness import OUT, run_worker
from hearings.config import Settings
from hearings.replica import Corpus
from hearings.store.opening import alembic_config, open_database

CONGRESS = 119
API_KEY = "bench-key"
# Bump when the way a cached database is built changes.
BUILD_VERSION = 2


@cache
def sample_corpus() -> Corpus:
    return Corpus.load()


def scaled_corpus(n_meetings: int) -> Corpus:
    return sample_corpus().scaled(n_meetings)


@cache
def newest_sample_update() -> datetime:
    newest = max(r.updated for r in sample_corpus().iter_records("meeting"))
    return datetime.fromtimestamp(newest, UTC)


def import_moment() -> datetime:
    """When the cached imports ran: an hour after the newest record in the corpus."""
    return newest_sample_update() + timedelta(hours=1)


def update_moment() -> datetime:
    """When the daily update runs: the next day."""
    return newest_sample_update() + timedelta(days=1)


def at(moment: datetime) -> Callable[[], datetime]:
    """A clock stopped at `moment` (worked out before a measurement starts, not inside it)."""
    return lambda: moment


def settings_for(
    database: Path, base_url: str = "http://corpus.invalid/v3", **extra: Any
) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{database}",
        "congress_api_base_url": base_url,
        "congress_api_key": API_KEY,
        "backup_dir": database.parent / "backups",
        "log_dir": database.parent / "logs",
    }
    values.update(extra)
    return Settings(**values)


def remove_database(path: Path) -> None:
    for candidate in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", ".lock"))):
        candidate.unlink(missing_ok=True)


def copy_database(source: Path, target: Path) -> Path:
    """A private copy of a cached database (closed, WAL folded in) for one trial to change."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_database(target)
    shutil.copyfile(source, target)
    return target


def _schema_head() -> str:
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    config = alembic_config(create_engine("sqlite://"))
    return str(ScriptDirectory.from_config(config).get_current_head())


def _source_digest() -> str:
    """A digest of the code that decides what an import writes: a cached database is rebuilt
    when it changes."""
    digest = hashlib.sha256()
    package = Path(hearings.__file__).parent
    for folder in ("store", "sync", "congress_api", "replica"):
        for path in sorted((package / folder).rglob("*.py")):
            digest.update(path.read_bytes())
    for name in (
        "witness_names.py",
        "name_text.py",
        "name_vocabulary.py",
        "witness_documents.py",
        "citations.py",
    ):
        digest.update((package / name).read_bytes())
    return digest.hexdigest()[:16]


def imported_database(n_meetings: int, *, rebuild: bool = False) -> Path:
    """The cached database of an imported Congress of `n_meetings` (built on first use)."""
    folder = OUT / "db"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"congress-{n_meetings}"
    path = folder / f"{name}.db"
    stamp_path = folder / f"{name}.json"
    wanted = {
        "meetings": n_meetings,
        "schema": _schema_head(),
        "build_version": BUILD_VERSION,
        "source": _source_digest(),
    }
    if not rebuild and path.exists() and stamp_path.exists():
        stamp = json.loads(stamp_path.read_text())
        # BENCH_REUSE_DATABASES=1 keeps a database built by other code (while developing).
        compared = [
            k for k in wanted if k != "source" or not os.environ.get("BENCH_REUSE_DATABASES")
        ]
        if all(stamp.get(k) == wanted[k] for k in compared):
            return path
    remove_database(path)
    built = run_worker("bench.databases:build", {"path": str(path), "n_meetings": n_meetings})
    stamp_path.write_text(json.dumps({**wanted, **built}, indent=2))
    return path


def build(path: str, n_meetings: int) -> dict[str, Any]:
    """(Worker) import `n_meetings` into a new database at `path`."""
    from hearings.sync.pipeline import SyncOptions
    from hearings.sync.runner import RunEnvironment, run_sync

    database = Path(path)
    remove_database(database)
    settings = settings_for(database)
    engine = open_database(settings.database_url)
    client = CorpusClient(scaled_corpus(n_meetings))
    environment = RunEnvironment(
        settings=settings, engine=engine, client=client, clock=at(import_moment())
    )
    started = time.perf_counter()
    metrics = run_sync(environment, SyncOptions(congress=CONGRESS, concurrency=4), command="import")
    seconds = time.perf_counter() - started
    if not metrics.success or metrics.hearings_added != n_meetings:
        raise RuntimeError(f"building {path} failed: {metrics.errors or metrics.as_dict()}")
    engine.dispose()
    return {"import_seconds": seconds}
