"""`hearings ARGS` run for a test: in this process by default, or as a process of its own where the
process is what the test is about (a kill, a signal, a lock between processes, a mount).

In this process a run costs no interpreter start-up and no imports (about a second of CPU each),
and it is the same code: `hearings.cli.main` with the environment, working folder, argv and
standard streams a process would have. What a run changes in the interpreter is put back
afterwards, and what would reach a fresh process's stderr still does: warnings and records of
loggers without handlers (Python's last resort), which pytest otherwise keeps to itself.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

#: Environment variables that kill the process that reads them: never in this one.
_PROCESS_ONLY = ("HEARINGS_FAILPOINT",)


def run_hearings(
    args: Sequence[str], *, env: Mapping[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """`hearings ARGS` in this process, with exactly `env` as its environment and `cwd` as its
    working folder; returns what a finished process would."""
    from hearings.cli import main

    for name in _PROCESS_ONLY:
        if env.get(name):
            raise ValueError(f"{name} kills the process it runs in: use a process of its own")
    out, err = io.StringIO(), io.StringIO()
    with (
        _process_state(env, cwd, ["hearings", *args]),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        _fresh_warnings(err),
        _fresh_root_logger(),
    ):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return subprocess.CompletedProcess(["hearings", *args], code, out.getvalue(), err.getvalue())


def run_hearings_process(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    prefix: Sequence[str] = (),
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """`python -m hearings ARGS` as a process of its own (after `prefix`, a wrapper command)."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "hearings", *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_stopped_in_own_session(
    args: Sequence[str], *, env: Mapping[str, str], cwd: Path
) -> tuple[int, str, bool]:
    """`python -m hearings ARGS` in a session of its own, which a failpoint in `env` stops: its
    exit code, its stderr, and whether a process of its group (a worker, pg_dump, pg_restore)
    was still there 15 s after it ended (then killed)."""
    command = subprocess.Popen(
        [sys.executable, "-m", "hearings", *args],
        env=dict(env),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A shell's background job (CI's, say) ignores SIGINT, and Python keeps that: undo it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        _, stderr = command.communicate(timeout=120)
    finally:
        if command.poll() is None:
            os.killpg(command.pid, signal.SIGKILL)
            command.wait()
    deadline = time.monotonic() + 15  # a loaded machine can be slow to end a process
    while _group_alive(command.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _group_alive(command.pid)
    if left:
        os.killpg(command.pid, signal.SIGKILL)
    return command.returncode, stderr, left


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@contextlib.contextmanager
def _process_state(env: Mapping[str, str], cwd: Path, argv: list[str]) -> Iterator[None]:
    saved_env, saved_cwd, saved_argv = dict(os.environ), Path.cwd(), sys.argv
    saved_hooks = threading.excepthook, sys.unraisablehook  # `main` installs its own
    logger = logging.getLogger("hearings")
    saved_logger = list(logger.handlers), logger.level, logger.propagate
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.argv = argv
    try:
        yield
    finally:
        for handler in logger.handlers:
            if handler not in saved_logger[0]:
                handler.close()  # the run's log file
        logger.handlers[:], logger.level, logger.propagate = saved_logger
        threading.excepthook, sys.unraisablehook = saved_hooks
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


@contextlib.contextmanager
def _fresh_warnings(stream: io.StringIO) -> Iterator[None]:
    """Python's default warning filters, and what they let through written to `stream`."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        warnings.simplefilter("ignore", ResourceWarning)
        warnings.simplefilter("ignore", ImportWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
        try:
            yield
        finally:
            for caught_warning in caught:
                stream.write(
                    warnings.formatwarning(
                        caught_warning.message,
                        caught_warning.category,
                        caught_warning.filename,
                        caught_warning.lineno,
                        caught_warning.line,
                    )
                )


@contextlib.contextmanager
def _fresh_root_logger() -> Iterator[None]:
    """A root logger as a new process has it: no handlers (pytest's capture is set aside), so
    a record no handler takes reaches stderr through Python's last resort, as it would."""
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    root.handlers[:] = []
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
