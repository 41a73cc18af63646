"""Opening a database: engine creation, SQLite pragmas, corruption checks and migrations."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from hearings.errors import ConfigurationError, DatabaseUnreadable
from hearings.store.postgres import configure_postgres

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url if isinstance(engine_or_url, str) else str(engine_or_url.url)
    return url.startswith("sqlite")


def sqlite_file(database_url: str) -> Path | None:
    """The file behind a `sqlite:///` URL, or None for memory databases and other backends."""
    if not is_sqlite(database_url):
        return None
    database = make_url(database_url).database
    if not database or database == ":memory:":
        return None
    return Path(database)


def create_db_engine(database_url: str) -> Engine:
    """An engine with the settings every command relies on: foreign keys, WAL, transactions."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise ConfigurationError(
            f"DATABASE_URL {database_url!r} is not a database URL; "
            "use sqlite:///path/to/hearings.db or postgresql+psycopg://user@host/dbname."
        ) from None
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            poolclass=NullPool,
        )
        _configure_sqlite(engine)
        return engine
    if url.get_backend_name() == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        engine = create_engine(url, pool_pre_ping=True)
        configure_postgres(engine)
        return engine
    raise ConfigurationError(
        f"DATABASE_URL uses {url.get_backend_name()!r}; hearings supports sqlite and postgresql."
    )


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN until the first write, which would let a
    # batch's reads and writes see different snapshots; take over BEGIN ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        mode = cursor.execute("PRAGMA journal_mode").fetchone()
        if mode and str(mode[0]).lower() not in ("wal", "memory"):
            # Busy means another process is creating the file; it sets WAL itself.
            with contextlib.suppress(sqlite3.OperationalError):
                cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against process crashes (kill -9) in WAL mode; only an OS crash can
        # lose the last commits, never consistency.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: object) -> None:
        connection.exec_driver_sql("BEGIN")  # type: ignore[attr-defined]


def check_sqlite_file(path: Path) -> None:
    """Fail with one sentence when the file exists but is not a readable SQLite database."""
    if not path.exists():
        if path.parent and not path.parent.exists():
            raise DatabaseUnreadable(f"The folder for the database {path} does not exist.")
        return
    if path.is_dir():
        raise DatabaseUnreadable(f"The database path {path} is a folder, not a file.")
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise DatabaseUnreadable(
            f"The database file {path} cannot be read: {exc.strerror}."
        ) from None
    if header and header != b"SQLite format 3\x00":
        raise DatabaseUnreadable(
            f"The file {path} is not a SQLite database (or it is corrupt); "
            "restore it with `hearings backup restore PATH` or point DATABASE_URL elsewhere."
        )
    try:
        connection = sqlite3.connect(path, timeout=30)
        try:
            # Reading the schema is enough to recognise a damaged file; a full quick_check
            # would cost seconds on a large database at every command.
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            problem = None
        finally:
            connection.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return  # another process is writing: the file is a live database, not a corrupt one
        raise DatabaseUnreadable(
            f"The database file {path} cannot be opened ({exc}); "
            "restore it with `hearings backup restore PATH`."
        ) from None
    except sqlite3.DatabaseError as exc:
        raise DatabaseUnreadable(
            f"The database file {path} is corrupt ({exc}); "
            "restore it with `hearings backup restore PATH`."
        ) from None
    if problem and problem[0] != "ok":
        raise DatabaseUnreadable(
            f"The database file {path} is corrupt ({problem[0]}); "
            "restore it with `hearings backup restore PATH`."
        )


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def needs_migration(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current != head


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there already)."""
    if not needs_migration(engine):
        return
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(database_url: str, *, migrate_schema: bool = True) -> Engine:
    """Open (and create or migrate) the database every command works on."""
    path = sqlite_file(database_url)
    if path is not None:
        check_sqlite_file(path)
    engine = create_db_engine(database_url)
    try:
        if migrate_schema:
            migrate(engine)
        else:
            with engine.connect():
                pass
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseUnreadable(f"Cannot open the database: {_first_line(exc)}.") from None
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseUnreadable(f"The database cannot be used: {_first_line(exc)}.") from None
    return engine


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig).splitlines()[0].rstrip(".") if exc.orig else str(exc).splitlines()[0]
