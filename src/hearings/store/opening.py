"""Opening the database a command works on: the file check (`store.sqlite_check`), the schema
version and the right to write, all before anything is written; then migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from hearings.errors import DatabaseReadOnly, DatabaseUnreadable, error_text
from hearings.store.engine import create_db_engine, database_label, sqlite_file, writing
from hearings.store.postgres import CONNECT_TIMEOUT_SENTENCE, unwritable_relation
from hearings.store.read_only import quiet_file, sqlite_read_only
from hearings.store.schema import metadata
from hearings.store.schema_version import (
    MIGRATIONS_DIR,
    SchemaVersion,
    engine_schema_version,
    sqlite_schema_version,
)
from hearings.store.sqlite_check import check_sqlite_file

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # alembic is imported only by a command that migrates

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # The option is interpolated (ConfigParser): a '%' in the URL (a percent-encoded password,
    # a file name) must be doubled to reach alembic as given.
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


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
    with _given_up_on_failure(engine):
        version = schema_version(engine)
        if not allow_read_only:
            _refuse_read_only_server(engine)
        if migrate_schema and version.needs_migration:
            migrate(engine)
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
    with _given_up_on_failure(engine):
        if read_only is None and migrate_schema and (version is None or version.needs_migration):
            migrate(engine)
        else:
            with engine.connect():
                pass
    return engine


@contextmanager
def _given_up_on_failure(engine: Engine) -> Iterator[None]:
    """Dispose of `engine` if opening it fails, and say why in one sentence when the database
    refused it."""
    try:
        yield
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseUnreadable(f"Cannot open the database: {_first_line(exc)}.") from None
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseUnreadable(f"The database cannot be used: {_first_line(exc)}.") from None
    except BaseException:
        engine.dispose()
        raise


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
