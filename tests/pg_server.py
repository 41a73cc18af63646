"""A real PostgreSQL server for the tests, started from the server binaries (initdb, pg_ctl).

One cluster per test session (per xdist worker), in a fresh folder, listening on a free loopback
port with its unix socket beside the data. Each test gets its own empty database, created from
`template1` and dropped afterwards, so tests never see each other's rows.

PostgreSQL refuses to run as root: as root, every server binary runs through
`runuser -u postgres`, and the folder is handed to that user. The cluster sorts text like a
typical production server (English, case-folded, punctuation ignored, as glibc's en_US does),
which differs from SQLite's byte order, so tests catch output whose order depends on it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SUPERUSER = "postgres"
_SERVER_SETTINGS = {
    # Durability is not what the tests measure; these make every commit cheap.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "log_min_messages": "warning",
    # Not UTC, like many servers: stored times must not depend on the server's zone.
    "timezone": "America/New_York",
}


def find_bin_dir() -> Path | None:
    """The newest installed server binaries: $PG_BIN_DIR, Debian's layout, or the PATH."""
    configured = os.environ.get("PG_BIN_DIR")
    if configured:
        return Path(configured)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """A running cluster; `url(name)` is a SQLAlchemy URL for one of its databases."""

    bin_dir: Path
    root: Path
    port: int
    password: str = field(default_factory=lambda: secrets.token_hex(8))
    as_root: bool = field(default_factory=lambda: os.geteuid() == 0)
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _migrated_template: str | None = None

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def url(self, database: str) -> str:
        # Over TCP with a password, like a real deployment: backups must pass it by environment.
        return f"postgresql+psycopg://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, cwd=self.root, timeout=120, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )
        return result

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        password_file = self.root / "password"
        password_file.write_text(self.password + "\n")
        if self.as_root:
            shutil.chown(self.root, SUPERUSER, SUPERUSER)
            for path in (self.socket_dir, password_file):
                shutil.chown(path, SUPERUSER, SUPERUSER)
        self.run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={password_file}",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            *self._icu_options(),
            "--no-sync",
            "--no-instructions",
        )
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-p {self.port}",
                f"-k {self.socket_dir}",
                *(f"-c {name}={value}" for name, value in _SERVER_SETTINGS.items()),
            ]
        )
        self.run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def _icu_options(self) -> list[str]:
        probe = subprocess.run(
            [str(self.bin_dir / "initdb"), "--help"], capture_output=True, text=True, check=False
        )
        if "--locale-provider" in probe.stdout:
            return ["--locale-provider=icu", "--icu-locale=en-US-u-ka-shifted"]
        return []

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                self.run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def admin(self, sql: str) -> None:
        """Run one statement as the superuser, outside any transaction."""
        import psycopg

        with psycopg.connect(
            host=str(self.socket_dir),
            port=self.port,
            user=SUPERUSER,
            dbname="postgres",
            autocommit=True,
        ) as connection:
            connection.execute(sql)  # type: ignore[arg-type]

    def create_database(self) -> str:
        name = f"hearings_{os.getpid()}_{next(self._names)}"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE template1')
        return name

    def clone_database(self, template: str) -> str:
        """A new database holding a copy of `template` (which must have no open connections):
        a file copy, much faster than importing again."""
        name = f"hearings_{os.getpid()}_{next(self._names)}"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return name

    def migrated_database(self) -> str:
        """A new database already at the schema's head: a copy of one migrated once per
        session. Migrating each test's database cost 0.4-0.9 s, hundreds of times a run;
        migrating an empty database is tested on `postgres_url`'s (tests/postgres)."""
        if self._migrated_template is None:
            from hearings.store.opening import open_database

            name = self.create_database()
            open_database(self.url(name)).dispose()
            self._migrated_template = name
        return self.clone_database(self._migrated_template)

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server() -> PostgresServer:
    bin_dir = find_bin_dir()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        message = (
            "PostgreSQL server binaries (initdb, pg_ctl) are not installed; "
            "`apt-get install postgresql` or set PG_BIN_DIR"
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    # The port is found free, then the server binds it a second later: another process (another
    # xdist worker's server or client) can take it in between. Then another port is tried.
    for attempt in range(1, 4):
        # As root, the folder must be reachable by the postgres user: pytest's own temporary
        # folders are private to root, so the cluster lives in a folder of its own under /tmp.
        root = Path(tempfile.mkdtemp(prefix="hearings-pg-"))
        server = PostgresServer(bin_dir=bin_dir, root=root, port=_free_port())
        try:
            server.start()
        except Exception:
            log = root / "server.log"
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            server.stop()
            if "Address already in use" in detail and attempt < 3:
                continue
            raise RuntimeError(f"the test PostgreSQL server did not start:\n{detail}") from None
        return server
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL cluster (one per xdist worker). Its own client programs come
    first on the PATH, so every backup uses a pg_dump that matches the server."""
    server = start_server()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PATH", f"{server.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
            yield server
    finally:
        server.stop()


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A cluster of the test's own, for a test that stops it (the session's serves others)."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A SQLAlchemy URL for an empty database of its own, dropped after the test."""
    name = postgres_server.create_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def migrated_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A SQLAlchemy URL for a database of its own with the schema and no rows, as any run
    after the first finds it; dropped after the test."""
    name = postgres_server.migrated_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)
