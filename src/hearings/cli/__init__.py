"""The `hearings` command line. Each command is a thin call into a library function; the
modules beside this one register their commands on `app`."""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
from collections.abc import Sequence
from typing import Any, NoReturn

import click
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

try:  # typer 0.29 and later raise usage errors from a vendored copy of click
    from typer._click.exceptions import UsageError as _TyperUsageError
except ImportError:  # pragma: no cover - older typer uses click's own
    _TyperUsageError = click.exceptions.UsageError  # type: ignore[misc,assignment]

from hearings.cli import stop_signals
from hearings.cli.failure_sentences import (
    damaged_database,
    database_gone,
    full_disk,
    refusal_as_json,
    stop_sentence,
    unusable_path,
)
from hearings.cli.help_layout import CommandsInUseOrder
from hearings.cli.standard_streams import (
    discard_pending_output,
    flush_standard_output,
    prepare_standard_output,
)
from hearings.errors import HearingsError, validation_problem
from hearings.store.value_errors import unreadable_value

app = typer.Typer(
    cls=CommandsInUseOrder,
    rich_markup_mode="markdown",
    name="hearings",
    help="Build and keep current a local database of U.S. congressional committee hearings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)
log = logging.getLogger("hearings")


# The module that registers each command. A run imports only its command's module: imports are
# most of a short command's time, and the other commands' (the sync pipeline, the web app, the
# replica, the copier) cost about a second more. Help, and a name not here, import them all.
COMMAND_MODULES = {
    "demo": "data_commands",
    "import": "data_commands",
    "update": "data_commands",
    "init": "data_commands",
    "status": "status_command",
    "serve": "web_command",
    "export": "export_command",
    "report": "monitor_commands",
    "verify": "monitor_commands",
    "history": "history_command",
    "backup": "backup_commands",
    "quarantine": "quarantine_command",
    "rebuild": "rebuild_command",
    "replica": "replica_command",
    "migrate-db": "admin_commands",
}


@app.callback()
def _group() -> None:
    # A callback keeps `hearings` a group of commands even when one command is registered
    # (typer runs a lone command without its name otherwise).
    pass


def _register_commands(args: Sequence[str] = ()) -> None:
    """Register the command the arguments name, or every command when they name none."""
    named = COMMAND_MODULES.get(args[0]) if args else None
    for module in [named] if named else sorted(set(COMMAND_MODULES.values())):
        importlib.import_module(f"hearings.cli.{module}")


# The click command typer builds from `app`, with how many commands and groups it was built from.
# Building it converts every registered command's signature (about 30 ms once all are imported);
# a process that runs several commands, as the test suite does, builds it again only when one is
# added. (Commands are only ever added: each module registers its own as it is imported.)
_built: tuple[tuple[int, int], Any] | None = None


def _click_command() -> Any:
    global _built
    registered = len(app.registered_commands), len(app.registered_groups)
    if _built is None or _built[0] != registered:
        _built = (registered, typer.main.get_command(app))
    return _built[1]


# The shell's exit code for a process stopped by SIGINT (128 + 2).
INTERRUPTED = 130


def _interrupted(args: Sequence[str]) -> NoReturn:
    if stop_signals.terminated():
        sentence = stop_sentence(args, stop_signals.STOPPED)
        err_console.print(sentence, highlight=False, soft_wrap=True)
        stop_signals.die_by_sigterm()
    err_console.print(stop_sentence(args, "Interrupted"), highlight=False, soft_wrap=True)
    sys.exit(INTERRUPTED)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors become one sentence and an exit code, never a traceback."""
    # Errors in worker threads and in finalizers are bugs too: into the log, not on the console.
    threading.excepthook = _thread_bug
    sys.unraisablehook = _unraisable_bug
    from hearings.logs import route_library_records

    route_library_records(None)  # until a command opens its log file, if it does
    prepare_standard_output()
    if not _working_folder_exists():
        err_console.print(
            "[bold red]Error:[/] The working folder no longer exists (it was deleted or moved): "
            "change to a folder that exists and run the command again.",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)
    with stop_signals.sigterm_stops_like_ctrl_c():
        try:
            _run(argv)
        finally:
            discard_pending_output()  # after a sentence: the exit status stays the command's
            # A command that handles the stop itself (serve, replica) returns: it still ends by
            # the signal, as it did before SIGTERM was caught.
            if stop_signals.terminated():
                stop_signals.die_by_sigterm()


def _run(argv: list[str] | None) -> None:
    args = sys.argv[1:] if argv is None else argv
    try:
        _register_commands(args)
        # Outside standalone mode, click returns a command's `typer.Exit` code instead of exiting.
        code = _click_command()(args=argv, standalone_mode=False)
        flush_standard_output()  # a full disk fails here, as a sentence, not at exit
        if code == INTERRUPTED:  # typer turns Ctrl-C into this exit code before we see it
            _interrupted(args)
        if isinstance(code, int) and code:
            sys.exit(code)
    except HearingsError as exc:
        # Escaped: the sentence quotes what the user gave, which may look like rich markup.
        err_console.print(
            f"[bold red]Error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        if not exc.json_written:
            refusal_as_json(args, str(exc), exc.exit_code)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("Aborted.")
        sys.exit(130)
    except KeyboardInterrupt:
        _interrupted(args)
    except SystemExit:
        raise
    except BrokenPipeError:
        # The reader went away (`| head`) as the output was flushed: exit 1 quietly, as typer
        # does when it happens while the command writes.
        discard_pending_output()
        sys.exit(1)
    except Exception as exc:  # a bug: full traceback to the log, one sentence to the user
        # Newer typer raises its own vendored copy of click's usage errors.
        if isinstance(exc, click.exceptions.UsageError | _TyperUsageError):
            _usage_error(exc, args)
        if isinstance(exc, click.exceptions.ClickException | typer.TyperException) and hasattr(
            exc, "show"
        ):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        damaged = (
            damaged_database(exc)
            or unreadable_value(exc)
            or full_disk(exc)
            or unusable_path(exc)
            or database_gone(exc, args)
        )
        if damaged is not None:
            err_console.print(
                f"[bold red]Error:[/] {escape(str(damaged))}", highlight=False, soft_wrap=True
            )
            refusal_as_json(args, str(damaged), damaged.exit_code)
            sys.exit(damaged.exit_code)
        where = _log_bug(exc)
        err_console.print(
            f"[bold red]Internal error:[/] {type(exc).__name__}: {escape(_one_line(exc))}. "
            f"This is a bug; {escape(where)}.",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)


def _usage_error(exc: Any, args: Sequence[str] = ()) -> NoReturn:
    """A usage error in one sentence, with where to read more, instead of click's three lines."""
    # Typer reads values through pydantic, whose wording ("Input should be a valid integer,
    # unable to parse string as an integer", "Value error, ...") means little to a user.
    cause = exc.__cause__
    if isinstance(cause, ValidationError) and cause.errors() and hasattr(exc, "message"):
        exc.message = validation_problem(cause.errors()[0])
    sentence = exc.format_message().rstrip().replace(": Value error, ", ": ")
    if not sentence.endswith((".", "?", "!")):
        sentence += "."
    where = exc.ctx.command_path if exc.ctx is not None else "hearings"
    err_console.print(
        f"[bold red]Error:[/] {escape(sentence)} See `{escape(where)} --help`.",
        highlight=False,
        soft_wrap=True,
    )
    refusal_as_json(args, f"{sentence} See `{where} --help`.", exc.exit_code)
    sys.exit(exc.exit_code)


def _working_folder_exists() -> bool:
    # Relative paths (the default database, LOG_DIR, .env) all resolve against it.
    try:
        os.getcwd()
    except FileNotFoundError:
        return False
    return True


def _thread_bug(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or isinstance(args.exc_value, SystemExit):
        return
    where = _log_bug(args.exc_value)
    err_console.print(
        f"[bold red]Internal error[/] in a background thread: {type(args.exc_value).__name__}: "
        f"{escape(_one_line(args.exc_value))}. This is a bug; {escape(where)}.",
        highlight=False,
        soft_wrap=True,
    )


def _unraisable_bug(unraisable: sys.UnraisableHookArgs) -> None:
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        # Not a bug: a stop, which logged "unexpected error: KeyboardInterrupt" beside the
        # sentence and was lost.
        stop_signals.resend_swallowed_stop()
        return
    # Not as Python tears its modules down: the command has finished and said how, and the log
    # can no longer be opened there (imports fail), so trying printed a traceback of our own.
    if unraisable.exc_value is not None and not sys.is_finalizing():
        _log_bug(unraisable.exc_value)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:199] + "…"


def _log_bug(exc: BaseException) -> str:
    """Write the traceback to the log file, never to the console, and say where it went.

    A command that set up logging has a file handler already; otherwise (a failure before
    that, or a command that does not log) the daily log under LOG_DIR is opened now. Without
    any handler Python would print the traceback to stderr."""
    files = _log_files()
    if not files:
        _open_log_file()
        files = _log_files()
    # Console handlers print sentences only; the traceback goes to the files.
    log.error("unexpected error: %s", type(exc).__name__, exc_info=exc)
    if files:
        return f"the full traceback is in {files[0]}"
    return "no log file could be written (check LOG_DIR), so the traceback is not kept"


def _log_files() -> list[str]:
    return [h.baseFilename for h in log.handlers if isinstance(h, logging.FileHandler)]


def _open_log_file() -> None:
    from hearings.config import load_settings
    from hearings.logs import configure_logging

    try:
        log_dir = load_settings().log_dir
    except Exception:  # the settings themselves may be what is broken
        log_dir = None
    if log_dir is not None:
        configure_logging(log_dir, "INFO", quiet=True)
    # Whatever happened above, never fall back to Python's last-resort handler on stderr.
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())
