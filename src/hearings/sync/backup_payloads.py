"""Whether a backup's payload archive reads back, told as one clause: a SQLite file's, or a
pg_dump archive's (read offline through `pg_restore`). SQLite's integrity check reads a file's
structure, not the values it holds, and pg_restore's listing only the archive's table of
contents, so a backup whose archived payload was damaged passed both; restored, it lost that
version for history, the changes pages and a rebuild, and only a later `hearings verify` said
so, once the database it replaced was set aside."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import quote

from hearings.store.archive import DamagedPayload, unpack, version_name

# Versions the clause names at most; the count covers the rest.
_NAMED = 3


def damaged_payloads(path: Path) -> str | None:
    """Why the payload archive of the SQLite file at `path` is no good, as a clause ("its
    payload archive holds 1 version that cannot be read back (damaged), …: meeting 115446
    (archive version 12)"); None when every payload reads back, or the file predates the
    archive. Never writes to the file."""
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=30)
        # Names as stored, whatever their bytes: the sentence quotes them, nothing else does.
        connection.text_factory = lambda raw: raw.decode("utf-8", "replace")
        try:
            if not _has_archive(connection):
                return None  # an older version's backup: the first command migrates it
            damaged = _damaged_versions(connection)
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return f"its payload archive cannot be read ({exc})"
    return _clause(damaged)


def damaged_dump_payloads(pg_restore: str, archive: Path) -> str | None:
    """The same for a pg_dump archive: its `payload_archive` rows as pg_restore writes them
    (COPY's text form, where a bytea is `\\x` and hex digits), read as they stream."""
    command = [pg_restore, "--data-only", "--table=payload_archive", "--file=-", str(archive)]
    damaged = []
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, errors="replace"
    ) as dump:
        assert dump.stdout is not None
        columns: list[str] | None = None
        for line in dump.stdout:
            line = line.rstrip("\n")
            if columns is None:
                found = _COPY_HEADER.match(line)
                columns = found[1].split(", ") if found else None
                continue
            if line == "\\.":
                break
            row = dict(zip(columns, line.split("\t"), strict=False))
            payload = row.get("payload", "")
            blob = bytes.fromhex(payload[3:]) if _HEX.fullmatch(payload) else b""
            try:
                unpack(blob)
            except DamagedPayload:
                name = version_name(row.get("entity", "?"), row.get("identifier", "?"))
                damaged.append(f"{name} (archive version {row.get('version_id', '?')})")
        dump.stdout.close()
    return _clause(damaged)


_COPY_HEADER = re.compile(r"^COPY \S*payload_archive \((.*)\) FROM stdin;$")
_HEX = re.compile(r"\\\\x(?:[0-9a-f]{2})*")


def _clause(damaged: list[str]) -> str | None:
    if not damaged:
        return None
    more = len(damaged) - _NAMED
    named = ", ".join(damaged[:_NAMED]) + (f" and {more} more" if more > 0 else "")
    versions = f"{len(damaged):,} version{'' if len(damaged) == 1 else 's'}"
    return (
        f"its payload archive holds {versions} that cannot be read back (damaged), which "
        f"history and a rebuild would lose: {named}"
    )


def _has_archive(connection: sqlite3.Connection) -> bool:
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'payload_archive'"
    ).fetchone()
    return found is not None


def _damaged_versions(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT version_id, entity, identifier, CAST(payload AS BLOB) FROM payload_archive "
        "ORDER BY version_id"
    )
    damaged = []
    for version_id, entity, identifier, payload in rows:
        try:
            unpack(payload)
        except DamagedPayload:
            damaged.append(version_name(str(entity), str(identifier), version_id))
    return damaged
