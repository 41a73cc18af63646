"""A hearings database imported once per session by the real `hearings demo` (the bundled
replica, no network), copied into each test's folder; the real CLI run on it."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.cli_runs import run_hearings, run_hearings_process

API_KEY = "store-test-key-31c9e7"


@dataclass
class Site:
    """A folder with a database, its backups and logs, and the CLI pointed at them."""

    folder: Path
    database: Path
    api_base_url: str = "http://127.0.0.1:9/v3"  # nothing listens: no command may reach it
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"sqlite:///{self.database}"

    @property
    def backups(self) -> Path:
        return self.folder / "backups"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CONGRESS_", "DATABASE_"))}
        env.update(
            DATABASE_URL=self.url,
            CONGRESS_API_KEY=API_KEY,
            CONGRESS_API_BASE_URL=self.api_base_url,
            BACKUP_DIR=str(self.backups),
            LOG_DIR=str(self.folder / "logs"),
            API_MAX_RETRIES="0",
            PYTHONUNBUFFERED="1",
            COLUMNS="200",
        )
        env.update(self.extra_env)
        env.update(extra)
        return env

    def cli(
        self,
        *args: str,
        own_process: bool = False,
        prefix: tuple[str, ...] = (),
        timeout: float = 120,
        **extra: str,
    ) -> subprocess.CompletedProcess[str]:
        """`hearings ARGS` in this process; in a process of its own (with `timeout`) where the
        process is what is tested, and always behind a `prefix` (a command wrapping it)."""
        if own_process or prefix:
            return run_hearings_process(
                args, env=self.env(**extra), cwd=self.folder, prefix=prefix, timeout=timeout
            )
        return run_hearings(args, env=self.env(**extra), cwd=self.folder)


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under `folder` (names and contents), to prove nothing was written."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def one_sentence(stderr: str) -> str:
    """The error a command printed: exactly one `Error:` line and no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: "), stderr
    return lines[0]


@pytest.fixture(scope="session")
def imported_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("imported")
    site = Site(folder, folder / "hearings.db")
    made = site.cli("demo", timeout=300)
    assert made.returncode == 0, made.stderr
    connection = sqlite3.connect(site.database)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return site.database


@pytest.fixture
def site(tmp_path: Path, imported_database: Path) -> Site:
    """A private copy of the imported database: `tmp_path/data/hearings.db`."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(imported_database, data / "hearings.db")
    return Site(tmp_path, data / "hearings.db")
