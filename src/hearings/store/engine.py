"""Opening a database: engine creation, SQLite pragmas, the file check (`store.sqlite_check`)
before anything is written, and migrations."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from hearings.config import unparsable_database_url
from hearings.config_values import shown_database_url
from hearings.errors import (
    ConfigurationError,
    DatabaseReadOnly,
    DatabaseUnreadable,
    error_text,
)
from hearings.store.postgres import (
    CONNECT_TIMEOUT_SENTENCE,
    configure_postgres,
    connect_limits,
    unwritable_relation,
)
from hearings.store.read_only import quiet_file, sqlite_read_only
from hearings.store.schema import metadata
from hearings.store.schema_version import (
    MIGRATIONS_DIR,
    SchemaVersion,
    engine_schema_version,
    sqlite_schema_version,
)
from hearings.store.sqlite_check import check_sqlite_file

# The execution option that makes an engine's or a connection's SQLite transactions IMMEDIATE.
_BEGIN_IMMEDIATE = "hearings_begin_immediate"
Bind = TypeVar("Bind", Engine, Connection)

if TYPE_CHECKING:
    from alembic.config import Config


def writing(bind: Bind) -> Bind:
    """`bind` for transactions that write. On SQLite they begin IMMEDIATE, taking the write lock
    first and waiting for it (busy_timeout). A deferred transaction that reads before it writes
    cannot wait: SQLite refuses its first write at once ("database is locked") whenever another
    connection holds the write lock, even briefly, as one closing does to checkpoint the WAL.
    A connection is changed in place; an engine is copied."""
    return bind.execution_options(**{_BEGIN_IMMEDIATE: True})


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url if isinstance(engine_or_url, str) else str(engine_or_url.url)
    return url.startswith("sqlite")


def sqlite_file(database_url: str) -> Path | None:
    """The file behind a `sqlite:///` URL, or None for memory databases and other backends. A
    symbolic link is followed: a restore or rebuild then replaces the file and keeps the link,
    and a user of the link and one of the file share one writer lock. A URI filename
    (`sqlite:///file:/path.db?mode=rw&uri=true`, as `open_database` makes for an existing file)
    names the file after `file:`, so its lock is the one every command takes."""
    if not is_sqlite(database_url):
        return None
    url = make_url(database_url)
    database = url.database
    if database and url.query.get("uri") == "true" and database.startswith("file:"):
        database = database.removeprefix("file:")
        if database.startswith("//"):  # file://localhost/path.db, file:///path.db
            authority, slash, rest = database[2:].partition("/")
            database = slash + rest if authority in ("", "localhost") else database
    if not database or database == ":memory:":
        return None
    path = Path(database)
    if not path.is_symlink():
        return path
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError for a loop
        raise DatabaseUnreadable(
            f"The database path {path} is a symbolic link that leads back to itself (a loop); "
            "point DATABASE_URL at a database file."
        ) from None


def create_db_engine(database_url: str) -> Engine:
    """An engine with the settings every command relies on: foreign keys, WAL, transactions."""
    unreadable = unparsable_database_url(database_url, "DATABASE_URL")
    if unreadable:
        raise ConfigurationError(f"{unreadable}.")
    url = make_url(database_url)
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
        try:
            engine = create_engine(url, pool_pre_ping=True, connect_args=connect_limits(url))
        except ModuleNotFoundError as exc:
            raise _missing_driver(url.drivername, exc) from None
        configure_postgres(engine)
        return engine
    raise ConfigurationError(
        f"DATABASE_URL uses {url.get_backend_name()!r}; hearings supports sqlite and postgresql."
    )


def _missing_driver(drivername: str, exc: ModuleNotFoundError) -> ConfigurationError:
    """The sentence for a PostgreSQL URL whose driver is not installed."""
    if (exc.name or "").partition(".")[0] == "psycopg":
        return ConfigurationError(
            "DATABASE_URL names a PostgreSQL database, but its driver (psycopg) is not installed: "
            "install it with `pip install 'hearings[postgres]'`."
        )
    return ConfigurationError(
        f"DATABASE_URL uses the driver {drivername!r}, which is not installed ({exc.name}); "
        "use postgresql+psycopg:// after `pip install 'hearings[postgres]'`."
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
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_BEGIN_IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # alembic is imported only by a command that migrates

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # The option is interpolated (ConfigParser): a '%' in the URL (a percent-encoded password,
    # a file name) must be doubled to reach alembic as given.
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def database_label(engine_or_url: Engine | str, *, absolute: bool = False) -> str:
    """How messages name a database: the file of a SQLite database (`absolute`: resolved), else
    the URL without its password."""
    url = engine_or_url if isinstance(engine_or_url, str) else _plain_url(engine_or_url)
    path = sqlite_file(url)
    if path is not None:
        return str(path.resolve() if absolute else path)
    return shown_database_url(url)


def _plain_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def schema_version(engine: Engine) -> SchemaVersion:
    """The engine's schema version; a newer, unknown or foreign schema is refused in one
    sentence (UnknownSchema) before anything is written."""
    return engine_schema_version(engine, database_label(engine))


def needs_migration(engine: Engine) -> bool:
    return schema_version(engine).needs_migration


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there already); a schema this
    version does not know is refused, untouched."""
    if not needs_migration(engine):
        return
    from alembic import command

    config = alembic_config(engine)
    with writing(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(
    database_url: str,
    *,
    migrate_schema: bool = True,
    allow_read_only: bool = False,
    create_missing: bool = True,
) -> Engine:
    """Open (and create or migrate) the database every command works on.

    Checked first, before anything is written: the file is a sound SQLite database, its schema
    is one this version knows, and it can be written. With `allow_read_only` a database that
    cannot be written is opened for reading instead (when its schema is current). Without
    `create_missing` a SQLite file must exist, and a connection made after it was deleted fails
    instead of creating an empty database in its place."""
    path = sqlite_file(database_url)
    if path is not None:
        if not create_missing:
            if not path.exists():
                raise DatabaseUnreadable(f"There is no database at {path}.")
            database_url = _existing_file_url(path)
        return _open_sqlite(database_url, path, migrate_schema, allow_read_only)
    engine = create_db_engine(database_url)
    try:
        version = schema_version(engine)
        if not allow_read_only:
            _refuse_read_only_server(engine)
        if migrate_schema and version.needs_migration:
            migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseUnreadable(f"Cannot open the database: {_first_line(exc)}.") from None
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseUnreadable(f"The database cannot be used: {_first_line(exc)}.") from None
    except BaseException:
        engine.dispose()
        raise
    return engine


def _open_sqlite(
    database_url: str, path: Path, migrate_schema: bool, allow_read_only: bool
) -> Engine:
    check_sqlite_file(path)
    read_only = sqlite_read_only(path)
    version = (
        sqlite_schema_version(
            path, immutable=bool(read_only and read_only.immutable) or quiet_file(path)
        )
        if path.exists()
        else None
    )
    if read_only is not None:
        if not allow_read_only or version is None:
            raise DatabaseReadOnly(read_only.reason)
        if migrate_schema and version.needs_migration:
            reason = read_only.reason[:1].lower() + read_only.reason[1:]
            raise DatabaseReadOnly(
                f"The database {path} must first be migrated to this version's schema "
                f"(`hearings init`), but {reason}"
            )
        engine = create_db_engine(_read_only_url(path, immutable=read_only.immutable))
    else:
        engine = create_db_engine(database_url)
    try:
        if read_only is None and migrate_schema and (version is None or version.needs_migration):
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
    except BaseException:
        engine.dispose()
        raise
    return engine


def _existing_file_url(path: Path) -> str:
    target = quote(str(path.resolve()))
    return f"sqlite:///file:{target}?mode=rw&uri=true"


def _read_only_url(path: Path, *, immutable: bool) -> str:
    target = quote(str(path.resolve()))
    return f"sqlite:///file:{target}?mode=ro{'&immutable=1' if immutable else ''}&uri=true"


def _refuse_read_only_server(engine: Engine) -> None:
    """A PostgreSQL session that cannot write: a standby, default_transaction_read_only, or a
    role without INSERT, UPDATE and DELETE on the tables (granted SELECT alone)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        setting = connection.exec_driver_sql("SHOW transaction_read_only").scalar()
        unwritable = unwritable_relation(connection, metadata.sorted_tables)
        role = connection.exec_driver_sql("SELECT current_user").scalar()
    if str(setting).lower() == "on":
        raise DatabaseReadOnly(
            f"The database {database_label(engine)} only accepts reads (transaction_read_only "
            "is on: a standby, or a read-only role); point DATABASE_URL at the primary server."
        )
    if unwritable is not None:
        raise DatabaseReadOnly(
            f"The role {role} cannot write to the database {database_label(engine)} (it lacks "
            f"the right to change {unwritable}); grant it INSERT, UPDATE and DELETE on the "
            "tables and USAGE on the sequences, or use the role that owns them."
        )


def check_database(database_url: str) -> None:
    """Raise the one-sentence error for a database this version cannot use (unreadable, newer
    or unknown schema), writing nothing and migrating nothing."""
    open_database(database_url, migrate_schema=False, allow_read_only=True).dispose()


def _first_line(exc: DBAPIError) -> str:
    line = error_text(exc).splitlines()[0].rstrip(".")
    return CONNECT_TIMEOUT_SENTENCE if line == "connection timeout expired" else line
