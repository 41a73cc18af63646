"""The writer lock names its holder by the command's words alone, and reads a lock file written
by an earlier version (the pid alone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearings.errors import UpdateAlreadyRunning
from hearings.store.opening import open_database
from hearings.store.writer_lock import holder_label, writer_lock


def test_a_holder_is_named_by_its_command_words_never_its_arguments() -> None:
    assert holder_label(["hearings", "update", "--congress", "119"]) == "hearings update"
    assert holder_label(["hearings", "backup", "restore", "/b/x.db"]) == "hearings backup restore"
    assert holder_label(["hearings", "quarantine", "accept", "12"]) == "hearings quarantine accept"
    # A URL after the command can hold a password: it is never recorded.
    secret = "postgresql://me:s3cret@db/hearings"
    assert holder_label(["hearings", "migrate-db", "--to", secret]) == "hearings migrate-db"
    assert holder_label(["/usr/bin/hearings"]) == "hearings"


@pytest.mark.parametrize(
    ("recorded", "named"),
    [
        ("4242", "(pid 4242)"),  # a lock file of a version before this one
        ("4242\thearings update\t2026-12-04T20:57:03Z\n", "(hearings update, pid 4242, since "),
        ("4242\thearings update\tnot a time\n", "(hearings update, pid 4242)"),
        ("garbage", "(an import, update, rebuild, backup restore or quarantine review)"),
    ],
)
def test_a_refusal_reads_what_the_holder_recorded(
    tmp_path: Path, recorded: str, named: str
) -> None:
    database = tmp_path / "hearings.db"
    url = f"sqlite:///{database}"
    engine = open_database(url)
    lock = tmp_path / "hearings.db.lock"
    try:
        with writer_lock(engine, url):
            lock.write_text(recorded)  # as the holder of that version wrote it
            # flock is per open file: a second open of the same file is refused, as another
            # process's would be.
            with pytest.raises(UpdateAlreadyRunning) as refused, writer_lock(engine, url):
                pass
    finally:
        engine.dispose()
    assert named in str(refused.value)
