"""Errors at the command line are one sentence and an exit code, never a traceback: a bug
(the traceback goes to the log file, or nowhere when no log can be written), an invalid
CONGRESS_API_BASE_URL (exit 2: no request, no backup), a PostgreSQL password in `serve`'s
banner, a PostgreSQL server that only accepts reads, a damaged database file, a database that
is not there (never created by a command that only needs it), a PostgreSQL URL without the
`postgres` extra, and a '%' in the database URL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.cli.test_serve_behind_a_proxy import start_serve
from tests.pg_server import PostgresServer
from tests.store.conftest import Site, imported_database, one_sentence, site

__all__ = ["imported_database", "site"]  # the fixtures, shared with tests/store


def _plant_a_bug(site: Site) -> dict[str, str]:
    """The environment of a process whose `hearings report` fails as a bug does: a module that
    Python imports at start-up (`sitecustomize`, from PYTHONPATH) replaces the report's builder
    with one that raises. (Text in a number column used to be the bug here; it is one sentence
    now, `failure_sentences.value_at_fault`.)"""
    folder = site.folder / "planted"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(
        "import hearings.reports.report as report\n\n\n"
        "def build_report(*args, **kwargs):\n"
        "    raise RuntimeError('a planted bug')\n\n\n"
        "report.build_report = build_report\n"
    )
    return {"PYTHONPATH": str(folder)}


def test_a_bug_prints_one_line_and_keeps_the_traceback_in_the_log(site: Site) -> None:
    # A process of its own: where a traceback goes is decided by the process's hooks and handlers.
    result = site.cli("report", own_process=True, **_plant_a_bug(site))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Internal error: RuntimeError: a planted bug")
    logs = list((site.folder / "logs").glob("*.log"))
    assert len(logs) == 1 and f"the full traceback is in {logs[0]}" in lines[0]
    assert "Traceback (most recent call last)" in logs[0].read_text()


def test_a_bug_without_a_writable_log_still_prints_no_traceback(site: Site) -> None:
    blocked = site.folder / "not-a-folder"
    blocked.write_text("a file where the log folder should be")
    result = site.cli("report", own_process=True, LOG_DIR=str(blocked), **_plant_a_bug(site))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no log file could be written" in lines[0]


@pytest.mark.parametrize(
    "base_url",
    ["not a url", "ftp://api.congress.gov/v3", "http://", "localhost:8080/v3", "https://a b/v3"],
)
@pytest.mark.parametrize("command", [("update", "--congress", "119"), ("verify", "--reconcile")])
def test_an_invalid_api_base_url_is_a_configuration_error(
    site: Site, base_url: str, command: tuple[str, ...]
) -> None:
    result = site.cli(*command, CONGRESS_API_BASE_URL=base_url)
    assert result.returncode == 2
    sentence = one_sentence(result.stderr)
    assert "CONGRESS_API_BASE_URL" in sentence and "is not an http(s) URL" in sentence
    assert not site.backups.exists(), "no backup for a run that cannot start"
    logs = site.folder / "logs"
    assert not logs.exists() or "retry" not in " ".join(p.read_text() for p in logs.iterdir())


@pytest.mark.postgres
def test_serve_never_prints_the_postgresql_password(postgres_url: str, tmp_path: Path) -> None:
    password = make_url(postgres_url).password
    assert password
    site = Site(tmp_path, tmp_path / "unused.db", extra_env={"DATABASE_URL": postgres_url})
    assert site.cli("init").returncode == 0
    # On a port of its own (start_serve tries another if the one found free was taken since):
    # all it prints on stderr until uvicorn listens and after it is stopped, and on stdout.
    with (tmp_path / "stdout").open("w+b") as stdout:
        server, _, said = start_serve(site, stdout=stdout)
        server.terminate()
        _, rest = server.communicate(timeout=30)
        stdout.seek(0)
        output = (said + rest + stdout.read()).decode()
    assert "Serving postgresql+psycopg://" in output and "***" in output
    assert password not in output


@pytest.mark.postgres
def test_a_read_only_postgresql_server_refuses_writes_but_serves_reads(
    postgres_url: str, tmp_path: Path
) -> None:
    site = Site(tmp_path, tmp_path / "unused.db", extra_env={"DATABASE_URL": postgres_url})
    assert site.cli("init").returncode == 0
    name = make_url(postgres_url).database
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    engine.dispose()
    try:
        result = site.cli("update", "--congress", "119")
        assert result.returncode == 1
        assert "only accepts reads" in one_sentence(result.stderr)
        assert not site.backups.exists()
        assert site.cli("status").returncode == 0
    finally:
        # From another database: this one now refuses the ALTER too.
        maintenance = make_url(postgres_url).set(database="postgres")
        engine = create_engine(maintenance, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(
                text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
            )
        engine.dispose()


@pytest.mark.parametrize("args", [["status"], ["export", "committees"]])
def test_a_full_disk_under_standard_output_is_a_sentence_not_a_bug(
    site: Site, args: list[str]
) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "hearings", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=site.folder,
            env=site.env(),
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: Cannot write the output: No space left on device."


def test_a_deleted_working_folder_is_a_sentence_not_a_bug(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    # The shell's folder vanishes under it: every relative path (database, logs) is unreachable.
    script = f"cd {gone} && rmdir {gone} && {sys.executable} -m hearings demo"
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "working folder no longer exists" in one_sentence(result.stderr)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["export", "hearings", "--congress", "1-999"], "Congress 999 is out of range"),
        (["update", "--congress", "118..119"], "names no Congress"),
        (["import", "--congress", "119", "--batch-size", "0"], "--batch-size"),
        (["import"], "Missing option '--congress'"),
        (["no-such-command"], "No such command"),
        (["report", "--format", "xml"], "'--format': 'xml' is not one of 'text', 'markdown'"),
        # Typer reads numbers through pydantic: its wording, replaced by what is accepted.
        (["quarantine", "accept", "abc"], "'ID': expected a whole number, got 'abc'"),
        (["serve", "--port", "99999"], "'--port': expected at most 65,535, got '99999'"),
        (["replica", "--fault-rate", "-1"], "'--fault-rate': expected at least 0, got '-1'"),
    ],
)
def test_a_usage_error_is_one_sentence_with_where_to_read_more(
    args: list[str], says: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hearings", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    sentence = one_sentence(result.stderr)
    assert says in sentence and sentence.endswith("--help`.")
    assert not (tmp_path / "hearings.db").exists()


# Bytes that are not UTF-8 in an argument, as Python hands them over: a lone surrogate. Each of
# these was an internal error where the text was first encoded (an SQL parameter, a host name).
NOT_UTF8 = "\udcff"


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["history", NOT_UTF8], "'event_id'"),
        (["serve", "--host", NOT_UTF8], "'--host'"),
        (["replica", "--host", NOT_UTF8, "--port", "0"], "'--host'"),
    ],
)
def test_a_text_argument_that_is_not_utf8_is_a_usage_error(
    site: Site, args: list[str], name: str
) -> None:
    result = site.cli(*args)
    assert result.returncode == 2
    sentence = one_sentence(result.stderr)
    assert sentence.startswith(
        f"Error: Invalid value for {name}: it holds bytes that are not UTF-8 text; give it "
        "again in UTF-8. See `"
    )
    assert sentence.endswith(f"hearings {args[0]} --help`.")


def test_a_database_url_argument_that_is_not_utf8_is_a_usage_error(site: Site) -> None:
    target = f"sqlite:///{site.folder}/copy{NOT_UTF8}.db"
    result = site.cli("migrate-db", "--from", site.url, "--to", target)
    assert result.returncode == 2
    assert one_sentence(result.stderr) == (
        "Error: --to holds bytes that are not UTF-8 text; give it again in UTF-8."
    )
    assert not [p for p in site.folder.iterdir() if p.name.startswith("copy")]


# ---- a damaged database, a database that is not there, a driver that is not installed ----------


def _overwrite_root_page(database: Path, name: str) -> None:
    """Damage one table or index as a failing disk would: its root page becomes 0xFF bytes."""
    connection = sqlite3.connect(database)
    root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,))
    page = int(root.fetchone()[0])
    size = int(connection.execute("PRAGMA page_size").fetchone()[0])
    connection.close()
    with database.open("r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(b"\xff" * size)


def _garble_mid_file(database: Path) -> None:
    """Write garbage over a run of pages mid-file, where SQLite's integrity check then lists many
    problems (over most runs it stops at the first, with "database disk image is malformed")."""
    original = database.read_bytes()
    garbage = b"GARBAGEGARBAGE" * 2000
    for offset in range(len(original) // 10, len(original) - len(garbage), 4096):
        database.write_bytes(original[:offset] + garbage + original[offset + len(garbage) :])
        if len(_integrity_check_lines(database)) > 10:
            return
    raise AssertionError(f"no run of pages in {database} makes a long integrity check")


def _integrity_check_lines(database: Path) -> list[str]:
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro&immutable=1", uri=True)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return []
    return [line for row in rows for line in str(row[0]).splitlines()]


@pytest.mark.parametrize(
    "args",
    [
        ["rebuild"],
        ["update", "--congress", "119"],
        ["backup", "create"],
        ["backup", "restore", "garbled.db"],
        ["verify"],
    ],
)
def test_a_long_integrity_check_is_one_line_naming_the_first_problem(
    site: Site, args: list[str]
) -> None:
    garbled = site.folder / "garbled.db" if "restore" in args else site.database
    if garbled != site.database:
        shutil.copyfile(site.database, garbled)
    _garble_mid_file(garbled)
    first = next(line for line in _integrity_check_lines(garbled) if not line.startswith("***"))
    result = site.cli(*args)
    assert result.returncode == 1
    # Nothing else: `update` logs its start only once the backup has found no damage.
    sentence = one_sentence(result.stderr)
    assert "***" not in sentence
    if args[0] != "backup" and "integrity check" not in sentence:
        # Where the damage lies decides whether opening the database (before any integrity
        # check) already fails: that is its own one sentence.
        assert "is corrupt or unreadable (database disk image is malformed)" in sentence
        return
    assert f"is corrupt (SQLite's integrity check: {first}; and at least " in sentence
    assert "more problems)" in sentence


def _corrupt_sentence(database: Path) -> str:
    return (
        f"Error: The database {database.resolve()} is corrupt or unreadable (database disk image "
        "is malformed); restore it with `hearings backup restore PATH`."
    )


def _run_count(database: Path) -> int:
    connection = sqlite3.connect(f"file:{database}?mode=ro&immutable=1", uri=True)
    try:
        return int(connection.execute("SELECT COUNT(*) FROM update_logs").fetchone()[0])
    finally:
        connection.close()


def test_an_update_of_a_damaged_database_says_so_before_anything_is_changed(site: Site) -> None:
    runs = _run_count(site.database)
    _overwrite_root_page(site.database, "witness_appearances")
    result = site.cli("update")
    assert result.returncode == 1
    assert one_sentence(result.stderr) == (
        f"Error: The backup copy of {site.database} is corrupt (database disk image is "
        "malformed), so the database itself is most likely damaged: no backup was kept and "
        "nothing was changed; `hearings verify` checks it, and `hearings backup restore PATH` "
        "puts an earlier backup back."
    )
    assert not site.backups.exists() or not any(site.backups.iterdir())
    # Not even the refused run is logged: a damaged database is not written to.
    assert _run_count(site.database) == runs


def test_an_update_of_a_database_holding_a_congress_as_text_names_it_first(site: Site) -> None:
    # Which Congresses an update covers is read from the meetings before anything else:
    # `int('many')` was an internal error there.
    runs = _run_count(site.database)
    connection = sqlite3.connect(site.database)
    connection.execute("UPDATE hearings SET congress = 'many' WHERE event_id = '115446'")
    connection.commit()
    connection.close()
    result = site.cli("update")
    assert result.returncode == 1
    assert one_sentence(result.stderr).startswith(
        "Error: A value stored in the database cannot be read (hearings.congress of 115446: "
        "'many' (not a number)); `hearings verify` names each such value"
    )
    assert not site.backups.exists() or not any(site.backups.iterdir())
    assert _run_count(site.database) == runs


@pytest.mark.parametrize(
    ("table", "args"),
    [
        ("witness_appearances", ["export", "hearings"]),
        ("witness_appearances", ["export", "appearances"]),
        ("witness_appearances", ["export", "witnesses", "--output", "witnesses.jsonl"]),
        ("payload_archive", ["history", "115446"]),
        ("payload_archive", ["history", "115446", "--json"]),
        # The schema's version is read before any command's own work: `init` has no handling of
        # its own, so this is the sentence every command gets from the top level.
        ("alembic_version", ["init"]),
        ("alembic_version", ["export", "committees"]),
    ],
)
def test_a_damaged_database_is_the_corrupt_file_sentence(
    site: Site, table: str, args: list[str]
) -> None:
    _overwrite_root_page(site.database, table)
    result = site.cli(*args)
    assert result.returncode == 1
    assert one_sentence(result.stderr) == _corrupt_sentence(site.database)
    assert "Internal error" not in result.stderr and "Traceback" not in result.stderr
    assert not (site.folder / "witnesses.jsonl").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["update"],
        ["update", "--congress", "119"],
        ["status"],
        ["history", "115446"],
        ["export", "hearings"],
        ["report"],
        ["verify"],
        ["serve", "--port", "1"],
    ],
)
def test_a_command_that_needs_the_database_never_creates_it(
    tmp_path: Path, args: list[str]
) -> None:
    site = Site(tmp_path, tmp_path / "hearings.db")
    result = site.cli(*args)
    assert result.returncode == 1
    assert one_sentence(result.stderr) == (
        f"Error: There is no database at {site.database}; create it with "
        "`hearings import --congress N` (or try `hearings demo`)."
    )
    assert not site.database.exists()
    assert not site.backups.exists()


@pytest.mark.parametrize(
    "args",
    [["status"], ["verify"], ["export", "hearings"], ["update"], ["backup", "create"]],
)
def test_a_database_path_that_is_a_fifo_is_one_sentence_not_a_hang(
    tmp_path: Path, args: list[str]
) -> None:
    # Opened for reading, a named pipe waits for a writer: every command hung for good.
    site = Site(tmp_path, tmp_path / "hearings.db")
    os.mkfifo(site.database)
    result = site.cli(*args)
    assert result.returncode == 1
    assert one_sentence(result.stderr) == (
        f"Error: The database path {site.database} is a named pipe (fifo), not a database "
        "file; point DATABASE_URL at a database file."
    )
    assert stat.S_ISFIFO(site.database.lstat().st_mode)
    assert not site.backups.exists()


_HALF_A_TRANSACTION = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("PRAGMA journal_mode=DELETE")
connection.execute("PRAGMA cache_size=1")  # the changed pages spill into the file
connection.execute("BEGIN")
connection.execute("UPDATE hearings SET title = 'half-written ' || title")
print("written", flush=True)
time.sleep(60)
"""


def test_a_hot_journal_left_by_a_killed_writer_is_rolled_back_not_refused(site: Site) -> None:
    # A writer killed mid-transaction in rollback-journal mode leaves a hot -journal, which
    # SQLite rolls back on the first ordinary open; the read-only look before every command
    # could not, and refused the database ("attempt to write a readonly database") with the
    # advice to restore a backup, losing what was committed since.
    writer = subprocess.Popen(
        [sys.executable, "-c", _HALF_A_TRANSACTION, str(site.database)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "written"
    writer.kill()
    writer.wait()
    journal = site.database.with_name("hearings.db-journal")
    assert journal.stat().st_size > 0

    result = site.cli("status", "--json")

    assert result.returncode == 0, result.stderr
    connection = sqlite3.connect(site.database)
    half = connection.execute("SELECT count(*) FROM hearings WHERE title LIKE 'half-written %'")
    assert half.fetchone() == (0,)
    connection.close()
    assert not journal.exists() or journal.stat().st_size == 0


@pytest.mark.parametrize(
    "args", [["status"], ["update"], ["backup", "create"], ["serve", "--port", "1"]]
)
def test_a_database_path_that_is_a_symlink_loop_is_one_sentence(
    tmp_path: Path, args: list[str]
) -> None:
    # Following the link raised Python's RuntimeError('Symlink loop …'): an internal error.
    site = Site(tmp_path, tmp_path / "hearings.db")
    site.database.symlink_to(site.database)
    result = site.cli(*args)
    assert result.returncode == 1
    assert one_sentence(result.stderr) == (
        f"Error: The database path {site.database} is a symbolic link that leads back to itself "
        "(a loop); point DATABASE_URL at a database file."
    )
    assert site.database.is_symlink()


@pytest.mark.parametrize(
    "args", [["status"], ["export", "hearings"], ["serve", "--port", "1"], ["update"]]
)
def test_an_empty_database_file_is_refused_and_left_empty(tmp_path: Path, args: list[str]) -> None:
    site = Site(tmp_path, tmp_path / "hearings.db")
    site.database.touch()
    result = site.cli(*args)
    assert result.returncode == 1
    assert one_sentence(result.stderr) == (
        f"Error: The database file {site.database} is empty; fill it with "
        "`hearings import --congress N` (or try `hearings demo`)."
    )
    assert site.database.stat().st_size == 0
    assert not site.backups.exists()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://hearings:s3cret-pw@127.0.0.1:1/db",
        "postgresql://hearings:s3cret-pw@127.0.0.1:1/db",
    ],
)
def test_a_postgresql_url_without_the_postgres_extra_says_to_install_it(
    tmp_path: Path, url: str
) -> None:
    # The interpreter of this process without psycopg, as a plain `pip install hearings` has it.
    without = tmp_path / "without-psycopg"
    without.mkdir()
    (without / "sitecustomize.py").write_text("import sys\nsys.modules['psycopg'] = None\n")
    site = Site(tmp_path, tmp_path / "unused.db", extra_env={"DATABASE_URL": url})
    result = site.cli("status", own_process=True, PYTHONPATH=str(without))
    assert result.returncode == 2
    assert one_sentence(result.stderr) == (
        "Error: DATABASE_URL names a PostgreSQL database, but its driver (psycopg) is not "
        "installed: install it with `pip install 'hearings[postgres]'`."
    )
    assert "s3cret-pw" not in result.stderr + result.stdout


def test_a_percent_sign_in_the_database_file_name_reaches_the_migrations_as_given(
    tmp_path: Path,
) -> None:
    site = Site(tmp_path, tmp_path / "50% done.db")
    made = site.cli("init")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == f"Database ready: {site.database}"
    assert site.cli("status").returncode == 0


@pytest.mark.postgres
def test_a_percent_encoded_postgresql_password_works_and_is_never_printed(
    postgres_server: PostgresServer, postgres_url: str, tmp_path: Path
) -> None:
    password = "p@ss%w0rd:/x"
    name = make_url(postgres_url).database
    postgres_server.admin(f"CREATE ROLE pct_user LOGIN PASSWORD '{password}'")
    try:
        postgres_server.admin(f'ALTER DATABASE "{name}" OWNER TO pct_user')
        url = make_url(postgres_url).set(username="pct_user", password=password)
        typed = url.render_as_string(hide_password=False)  # the password percent-encoded
        assert quote(password, safe="") in typed
        site = Site(tmp_path, tmp_path / "unused.db", extra_env={"DATABASE_URL": typed})
        for args in (["init"], ["status"], ["export", "hearings"]):
            result = site.cli(*args)
            assert result.returncode == 0, result.stderr
            output = result.stdout + result.stderr
            assert password not in output and quote(password, safe="") not in output
    finally:
        postgres_server.drop_database(name)  # owned by the role, which can go only afterwards
        postgres_server.admin("DROP ROLE pct_user")


@pytest.mark.parametrize("target", ["missing", "itself"])
def test_a_backup_dir_that_links_to_nothing_says_so(site: Site, target: str) -> None:
    """mkdir said "File exists" of a dangling link or a loop: true of the link, and no help."""
    link = site.folder / "bk"
    link.symlink_to(site.folder / "gone" if target == "missing" else link)
    result = site.cli("backup", "create", BACKUP_DIR=str(link))
    assert result.returncode == 1
    assert one_sentence(result.stderr) == (
        f"Error: BACKUP_DIR {link} is a symbolic link to nothing (its target is missing, or it "
        "leads back to itself): point it at a folder."
    )


@pytest.mark.parametrize("args", [["backup", "create"], ["backup", "list"], ["update"]])
def test_a_backup_dir_that_is_a_file_is_one_sentence_saying_so(site: Site, args: list[str]) -> None:
    afile = site.folder / "afile"
    afile.write_text("not a folder\n")
    before = site.database.read_bytes()
    result = site.cli(*args, BACKUP_DIR=str(afile))
    assert result.returncode == 1
    assert one_sentence(result.stderr) == (
        f"Error: BACKUP_DIR {afile} is a file, not a folder: set BACKUP_DIR to a folder."
    )
    assert afile.read_text() == "not a folder\n"
    if args[0] == "backup":
        assert site.database.read_bytes() == before
        return
    # The update that could not start is in the run log, as failed with that sentence; the
    # backup commands are not runs.
    connection = sqlite3.connect(site.database)
    last = connection.execute(
        "SELECT command, success, exit_code FROM update_logs ORDER BY run_id DESC LIMIT 1"
    ).fetchone()
    connection.close()
    assert last == ("update", 0, 1)


@pytest.mark.parametrize(
    ("args", "setting", "says"),
    [
        (["backup", "list"], "BACKUP_DIR", "a symbolic link that leads back to itself (a loop)"),
        (["status"], "BACKUP_DIR", "a symbolic link that leads back to itself (a loop)"),
        (["status"], "DATABASE_URL", "its name is too long for the file system"),
        (["backup", "create"], "BACKUP_DIR", "its name is too long for the file system"),
        (["backup", "restore", "a" * 300], None, "its name is too long for the file system"),
    ],
)
def test_a_path_the_file_system_refuses_by_its_name_is_one_sentence(
    site: Site, args: list[str], setting: str | None, says: str
) -> None:
    # Each was an internal error (OSError: File name too long, or Too many levels of symbolic
    # links) with its traceback in the log.
    (site.folder / "loop").symlink_to("loop")
    long_name = site.folder / ("a" * 300)
    value = {
        "BACKUP_DIR": str(site.folder / "loop") if "loop" in says else str(long_name),
        "DATABASE_URL": f"sqlite:///{long_name}.db",
    }
    before = site.database.read_bytes()
    result = site.cli(*args, **({setting: value[setting]} if setting else {}))
    assert result.returncode == 1
    sentence = one_sentence(result.stderr)
    assert sentence.startswith("Error: Cannot use the path '") and says in sentence
    assert len(sentence) < 250
    assert site.database.read_bytes() == before


def test_the_demo_names_the_congresses_it_holds(tmp_path: Path) -> None:
    result = Site(tmp_path, tmp_path / "hearings.db").cli("demo", "--congress", "117")
    assert result.returncode == 2
    assert one_sentence(result.stderr) == (
        "Error: The bundled corpus holds Congresses 118-119 only."
    )
    assert not (tmp_path / "hearings.db").exists()
