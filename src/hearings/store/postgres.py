"""What only PostgreSQL needs: connection details for its client programs (pg_dump, pg_restore),
sequence repair after rows are copied in with their ids, and text order that matches SQLite's.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, event, func, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.sql.elements import ColumnElement

# libpq's own names for the URL query parameters it understands (sslmode, connect_timeout...)
# pass through unchanged; SQLAlchemy-only options would make pg_dump fail, so they are dropped.
_NOT_FOR_LIBPQ = frozenset({"client_encoding_errors", "async_fallback", "prepare_threshold"})


@dataclass(frozen=True)
class ClientConnection:
    """How a PostgreSQL client program reaches the database: a conninfo string without the
    password (it is visible in the process list) and an environment that carries the password."""

    conninfo: str
    env: dict[str, str]


# A server that accepts the connection but never answers (hung, stopped, or behind a proxy whose
# backend is gone) made every command and every web request wait for ever: libpq sets no limit.
CONNECT_TIMEOUT_SECONDS = 10
CONNECT_TIMEOUT_SENTENCE = (
    "the server accepted the connection but did not answer before the connection timeout "
    f"({CONNECT_TIMEOUT_SECONDS} s, or DATABASE_URL's ?connect_timeout=)"
)


# A server whose host or network went away during a command (a reboot, a VPN or NAT that
# dropped the connection) left the command waiting for an answer for the kernel's default of two
# hours before its first probe. TCP keepalives find it gone in about a minute and a half: a
# minute idle, then three probes ten seconds apart. libpq's own names, as a URL may give them.
KEEPALIVES: dict[str, object] = {
    "keepalives": 1,
    "keepalives_idle": 60,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}


def connect_limits(url: URL) -> dict[str, object]:
    """How long a connection may take, unless the URL (`?connect_timeout=`) or libpq's
    environment (`PGCONNECT_TIMEOUT`) says, and the keepalives the URL does not set."""
    limits = {key: value for key, value in KEEPALIVES.items() if key not in url.query}
    if "connect_timeout" not in url.query and not os.environ.get("PGCONNECT_TIMEOUT"):
        limits["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    return limits


def configure_postgres(engine: Engine) -> None:
    """Every connection works in UTC: timestamps are stored as naive UTC, and PostgreSQL would
    otherwise convert any aware value (or `now()`) with the server's local time zone."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.commit()


# The first table or sequence of the current schema, among `names`, that the session's role
# cannot write: INSERT, UPDATE and DELETE on a table, USAGE (nextval) on a sequence.
_UNWRITABLE = text(
    """
    SELECT c.relname FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relname = ANY(:names) AND (
        (c.relkind IN ('r', 'p') AND NOT (has_table_privilege(c.oid, 'INSERT')
            AND has_table_privilege(c.oid, 'UPDATE') AND has_table_privilege(c.oid, 'DELETE')))
        OR (c.relkind = 'S' AND NOT has_sequence_privilege(c.oid, 'USAGE')))
    ORDER BY c.relname LIMIT 1
    """
)


def unwritable_relation(connection: Connection, tables: Iterable[Table]) -> str | None:
    """The first of `tables` (or of their serial sequences) that the role connected cannot
    write, or None: a role granted SELECT alone would fail only at its first write."""
    chosen = list(tables)
    names = [table.name for table in chosen]
    names += [
        f"{table.name}_{table.autoincrement_column.name}_seq"
        for table in chosen
        if table.autoincrement_column is not None
    ]
    found = connection.execute(_UNWRITABLE, {"names": names}).scalar()
    return str(found) if found is not None else None


def is_postgres(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "postgresql"


def client_connection(database_url: str) -> ClientConnection:
    """The conninfo and environment for pg_dump, pg_restore and psql, from a SQLAlchemy URL."""
    url = make_url(database_url)
    params: dict[str, Any] = {}
    if url.host:
        params["host"] = url.host
    if url.port:
        params["port"] = url.port
    if url.username:
        params["user"] = url.username
    if url.database:
        params["dbname"] = url.database
    for key, value in url.query.items():
        if key in _NOT_FOR_LIBPQ or key == "password":
            continue
        # A repeated parameter (`?host=a&host=b`) is a libpq list: comma-separated.
        params[key] = ",".join(value) if isinstance(value, tuple) else value
    params.update(connect_limits(url))
    env = dict(os.environ)
    # libpq also reads `?password=`; like the user information's, it goes by environment.
    password = url.password if url.password is not None else url.query.get("password")
    if isinstance(password, tuple):
        password = password[-1]
    if password is not None:
        env["PGPASSWORD"] = str(password)
    return ClientConnection(conninfo=_conninfo(params), env=env)


def _conninfo(params: dict[str, Any]) -> str:
    parts = []
    for key, value in params.items():
        escaped = str(value).replace("\\", "\\\\").replace("'", "\\'")
        parts.append(f"{key}='{escaped}'")
    return " ".join(parts)


def find_client_program(name: str) -> str | None:
    """The full path of `pg_dump`, `pg_restore` or `psql` on the PATH, or None."""
    return shutil.which(name)


def reset_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """Point each serial column's sequence past the largest id, after rows were inserted with
    their ids (a copy): otherwise the next insert would reuse id 1."""
    for table in tables:
        column = table.autoincrement_column
        if column is not None:
            # setval is strict: a column without a sequence gives NULL, not an error.
            largest = select(func.max(column)).scalar_subquery()
            connection.execute(
                select(
                    func.setval(
                        func.pg_get_serial_sequence(table.name, column.name),
                        func.coalesce(largest, 0) + 1,
                        False,
                    )
                )
            )


def in_binary_order(column: ColumnElement[Any], dialect_name: str) -> ColumnElement[Any]:
    """`column` for ORDER BY in code-point order, as SQLite's default BINARY collation sorts.

    PostgreSQL sorts text by the database's collation (`en_US`, ICU...), which ignores hyphens
    and folds case; "C" gives the same order as SQLite, so output is the same on both."""
    if dialect_name == "postgresql":
        return column.collate("C")
    return column
