"""`--output` of export and report: a file written whole or not at all, `-` for standard output,
and a path that cannot be written refused in one sentence, leaving nothing behind; a pipe or a
descriptor written as it is, and a symbolic link's target written whole, the link kept."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from tests.store.conftest import Site, fingerprint, imported_database, one_sentence, site

__all__ = ["imported_database", "site"]  # the fixtures, shared with tests/store

COMMANDS = {"export": ("export", "hearings"), "report": ("report", "--format", "markdown")}


def _out_folder(site: Site) -> Path:
    folder = site.folder / "out"
    folder.mkdir()
    (folder / "kept.txt").write_text("someone else's file")
    return folder


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_folder_as_output_is_refused_before_anything_is_written(site: Site, command: str) -> None:
    folder = _out_folder(site)
    before = fingerprint(site.folder / "out")
    result = site.cli(*COMMANDS[command], "--output", str(folder))
    assert result.returncode == 2
    sentence = one_sentence(result.stderr)
    assert sentence == f"Error: --output {folder} is a folder; give the name of a file to write."
    assert fingerprint(folder) == before
    assert not folder.with_name("out.partial").exists()


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("option", ["--output", "-o"])
def test_an_empty_output_is_refused_as_empty_not_as_the_current_folder(
    site: Site, command: str, option: str
) -> None:
    # An empty path reads as ".": the sentence said "--output . is a folder", which was not given.
    before = fingerprint(site.folder)
    result = site.cli(*COMMANDS[command], option, "")
    assert result.returncode == 2
    assert one_sentence(result.stderr) == (
        "Error: --output is empty; give the name of a file to write (or - for standard output)."
    )
    assert result.stdout == ""
    assert fingerprint(site.folder) == before


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_missing_or_unwritable_folder_is_one_sentence_and_leaves_nothing(
    site: Site, command: str
) -> None:
    folder = _out_folder(site)
    before = fingerprint(folder)
    missing = folder / "no-such-folder" / "hearings.jsonl"
    result = site.cli(*COMMANDS[command], "--output", str(missing))
    assert result.returncode == 2
    assert one_sentence(result.stderr) == (
        f"Error: --output {missing}: the folder {missing.parent} does not exist."
    )
    not_a_folder = folder / "kept.txt" / "hearings.jsonl"
    result = site.cli(*COMMANDS[command], "--output", str(not_a_folder))
    assert result.returncode == 2
    assert one_sentence(result.stderr) == (
        f"Error: --output {not_a_folder}: {folder / 'kept.txt'} is not a folder."
    )
    assert fingerprint(folder) == before
    # sysfs takes no new files, even from root: the write itself fails, after the checks.
    unwritable = Path("/sys/hearings.jsonl")
    result = site.cli(*COMMANDS[command], "--output", str(unwritable))
    assert result.returncode == 1
    assert one_sentence(result.stderr) == f"Error: Cannot write {unwritable}: Permission denied."
    assert not unwritable.exists() and not Path("/sys/hearings.jsonl.partial").exists()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_database_or_a_file_beside_it_as_output_is_refused(site: Site, command: str) -> None:
    # The written file would replace the database: a typo away from losing it.
    before = fingerprint(site.database.parent)
    site.database.with_name("other-name.db").hardlink_to(site.database)
    for path in (
        site.database,
        site.database.parent / ".." / site.database.parent.name / site.database.name,
        site.database.with_name(site.database.name + "-wal"),
        site.database.with_name("other-name.db"),
    ):
        result = site.cli(*COMMANDS[command], "--output", str(path))
        assert result.returncode == 2
        assert one_sentence(result.stderr) == (
            f"Error: --output {path} is the database itself (or a file SQLite keeps beside "
            "it); give the name of another file."
        )
    site.database.with_name("other-name.db").unlink()
    assert fingerprint(site.database.parent) == before


def test_an_export_that_fails_leaves_no_partial_file(site: Site) -> None:
    folder = _out_folder(site)
    before = fingerprint(folder)
    result = site.cli("export", "members", "--congress", "118", "--output", str(folder / "m"))
    assert result.returncode == 2
    assert "not stored by Congress" in one_sentence(result.stderr)
    assert fingerprint(folder) == before


def test_a_dash_means_standard_output(site: Site) -> None:
    printed = site.cli("export", "committees")
    dashed = site.cli("export", "committees", "--output", "-")
    assert dashed.returncode == 0, dashed.stderr
    assert dashed.stdout == printed.stdout and dashed.stdout.count("\n") > 10
    report = site.cli("report", "--format", "markdown", "-o", "-")
    assert report.returncode == 0, report.stderr
    assert report.stdout.startswith("# ")
    assert not (site.folder / "-").exists()
    assert "standard output" in site.cli("export", "--help").stdout


def _without_time(report: str) -> dict[str, object]:
    shown = json.loads(report)
    del shown["generated_at"], shown["period"]
    return dict(shown)


def test_report_json_is_the_same_as_format_json(site: Site) -> None:
    as_format = site.cli("report", "--format", "json")
    as_flag = site.cli("report", "--json")
    assert as_flag.returncode == 0, as_flag.stderr
    assert _without_time(as_flag.stdout) == _without_time(as_format.stdout)
    assert _without_time(as_flag.stdout)["report_version"] == 1
    clash = site.cli("report", "--json", "--format", "markdown")
    assert clash.returncode == 2
    assert one_sentence(clash.stderr) == (
        "Error: --json and --format markdown disagree; give one of them."
    )


def _read_in_background(opener: Callable[[], IO[bytes]]) -> Callable[[], bytes]:
    """Read what a pipe receives, on a thread (a FIFO's writer waits for its reader)."""
    received: list[bytes] = []

    def read() -> None:
        with opener() as pipe:
            received.append(pipe.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    def result() -> bytes:
        reader.join(timeout=60)
        return received[0]

    return result


def test_a_named_pipe_as_output_gets_the_text_and_stays_a_pipe(site: Site) -> None:
    # It was replaced by a regular file: the reader got nothing (and, as root, --output
    # /dev/null put a regular file in /dev/null's place).
    fifo = site.folder / "hearings.fifo"
    os.mkfifo(fifo)
    received = _read_in_background(lambda: fifo.open("rb"))
    result = site.cli("export", "hearings", "--output", str(fifo))
    assert result.returncode == 0, result.stderr
    lines = received().decode("utf-8").splitlines()
    assert len(lines) == 160 and json.loads(lines[0])["event_id"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert not fifo.with_name("hearings.fifo.partial").exists()


def test_a_descriptor_as_output_is_written_as_process_substitution_needs(site: Site) -> None:
    # `--output >(gzip > hearings.jsonl.gz)` names /dev/fd/63, a pipe: it was "Cannot write
    # /dev/fd/63: No such file or directory."
    read_end, write_end = os.pipe()
    received = _read_in_background(lambda: os.fdopen(read_end, "rb"))
    try:
        result = site.cli("report", "--format", "markdown", "--output", f"/dev/fd/{write_end}")
    finally:
        os.close(write_end)
    assert result.returncode == 0, result.stderr
    assert received().decode("utf-8").startswith("# ")


def test_a_symbolic_link_as_output_writes_its_target_and_stays_a_link(site: Site) -> None:
    folder = _out_folder(site)
    target = folder / "kept.txt"
    link = site.folder / "latest.jsonl"
    link.symlink_to(target)
    result = site.cli("export", "committees", "--output", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_text().count("\n") > 10 and '"system_code"' in target.read_text()
    assert sorted(p.name for p in folder.iterdir()) == ["kept.txt"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_name_the_file_system_refuses_is_a_usage_error_and_leaves_nothing(
    site: Site, command: str
) -> None:
    # The README's table: a refused argument exits 2. A name too long and a link loop were
    # exit 1 (the first as "Cannot use the path", the loop as an internal error).
    folder = _out_folder(site)
    (folder / "loop").symlink_to("loop")
    before = fingerprint(folder)
    too_long = folder / ("x" * 300)
    result = site.cli(*COMMANDS[command], "--output", str(too_long))
    assert result.returncode == 2
    sentence = one_sentence(result.stderr)
    assert sentence.startswith(f"Error: --output '{folder}")
    assert sentence.endswith(
        f"({len(str(too_long)):,} characters): its name is too long for the file system; "
        "give a shorter one."
    )
    for looping in (folder / "loop", folder / "loop" / "hearings.jsonl"):
        result = site.cli(*COMMANDS[command], "--output", str(looping))
        assert result.returncode == 2
        assert one_sentence(result.stderr) == (
            f"Error: --output {looping}: it is a symbolic link that leads back to itself "
            "(a loop); point it elsewhere."
        )
    assert fingerprint(folder) == before


def test_a_name_at_the_file_system_limit_is_written(site: Site) -> None:
    # Its `.partial` companion, eight bytes longer, was too long: "Cannot write …: File name
    # too long." for a name the file system takes.
    folder = _out_folder(site)
    longest = folder / ("é" * 127)  # 254 bytes in UTF-8, the limit being 255
    result = site.cli("export", "committees", "--output", str(longest))
    assert result.returncode == 0, result.stderr
    assert longest.read_text(encoding="utf-8").count("\n") > 10
    assert sorted(p.name for p in folder.iterdir()) == sorted(["kept.txt", longest.name])
