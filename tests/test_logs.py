"""Other libraries' log records (SQLAlchemy's) reach the log file, never the console: a Ctrl-C
that lands inside a connection's close made SQLAlchemy log "Exception closing connection" with
its traceback, which Python's last-resort handler printed on stderr beside "Interrupted; …"."""

from __future__ import annotations

import gc
import logging
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hearings.logs import configure_logging, route_library_records

# In a process of its own: pytest's log capture puts a handler on the root logger, which would
# take the record that, in a command, went to the last-resort handler. The connection's close
# receives a real SIGINT, as Ctrl-C does when it lands while SQLite checkpoints on close.
_SCRIPT = textwrap.dedent(
    """
    import os, signal, sqlite3, sys
    from pathlib import Path
    from sqlalchemy import create_engine, text
    from hearings.logs import configure_logging

    class ClosedByCtrlC(sqlite3.Connection):
        def close(self):
            os.kill(os.getpid(), signal.SIGINT)
            super().close()

    log_dir = Path(sys.argv[2]) if sys.argv[2] else None
    configure_logging(log_dir, quiet=True)
    engine = create_engine(f"sqlite:///{sys.argv[1]}", connect_args={"factory": ClosedByCtrlC})
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    try:
        engine.dispose()
    except KeyboardInterrupt:
        print("interrupted")
    """
)


@pytest.mark.parametrize("with_log_file", [True, False], ids=["log-file", "no-log-file"])
def test_ctrl_c_inside_a_connections_close_prints_no_traceback(
    tmp_path: Path, with_log_file: bool
) -> None:
    log_dir = tmp_path / "logs"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _SCRIPT,
            str(tmp_path / "hearings.db"),
            str(log_dir) if with_log_file else "",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        # A shell's background job (CI's, say) ignores SIGINT, and Python keeps that: undo it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert done.stdout == "interrupted\n"  # the close really was interrupted
    assert done.stderr == ""
    if with_log_file:
        (logged,) = log_dir.iterdir()
        text = logged.read_text()
        assert "Exception closing connection" in text
        assert "KeyboardInterrupt" in text  # the traceback is kept where tracebacks go


def test_setting_up_the_log_frees_no_handler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A freed handler runs logging's weakref callback, which takes logging's lock wherever the
    main thread is; a Ctrl-C landing in it was swallowed and left the lock held, and the run's
    threads then waited on it for good (one Ctrl-C of a sweep over `hearings update` on
    PostgreSQL, landing as the command set up its log, hung it)."""
    freed: list[object] = []
    monkeypatch.setattr(logging, "_removeHandlerRef", freed.append)
    route_library_records(None)  # as every command starts
    configure_logging(tmp_path / "logs", "INFO", quiet=True)
    configure_logging(tmp_path / "logs", "INFO")
    gc.collect()
    assert freed == []
