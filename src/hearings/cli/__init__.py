"""The `hearings` command line. Each command is a thin call into a library function; the
modules beside this one register their commands on `app`."""

from __future__ import annotations

import logging
import sys

import typer
from rich.console import Console

from hearings.cli.help_layout import CommandsInUseOrder
from hearings.errors import HearingsError

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


def _register_commands() -> None:
    # Imported for their side effect of adding commands to `app`.
    from hearings.cli import (  # noqa: F401
        admin_commands,
        data_commands,
        monitor_commands,
        replica_command,
        web_command,
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors become one sentence and an exit code, never a traceback."""
    _register_commands()
    try:
        # Outside standalone mode, click returns a command's `typer.Exit` code instead of exiting.
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except HearingsError as exc:
        err_console.print(f"[bold red]Error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("Aborted.")
        sys.exit(130)
    except KeyboardInterrupt:
        err_console.print("Interrupted; committed work is kept and the next run continues.")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # a bug: full traceback to the log, one sentence to the user
        import click

        # Newer typer raises its own vendored copy of click's usage errors.
        if isinstance(exc, click.exceptions.ClickException | typer.TyperException) and hasattr(
            exc, "show"
        ):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        log.exception("unexpected error")
        err_console.print(
            f"[bold red]Internal error:[/] {type(exc).__name__}: {exc}. "
            "This is a bug; the full traceback is in the log file.",
            highlight=False,
        )
        sys.exit(1)
