"""The day's log file for a command that changes the database: a run, a rebuild, a restore, a
review. Logging never stops such a command, but one whose log cannot be written says so, even
when quiet: a LOG_DIR that is a file dropped the log without a word."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text

from hearings.cli.environment import err_console
from hearings.config import Settings
from hearings.logs import configure_logging
from hearings.reports.screen_text import printable


def open_day_log(
    settings: Settings, *, unlogged: str, console: Console | None = None, quiet: bool = True
) -> Path | None:
    """Log to the day's file (and to `console` unless `quiet`); when the file cannot be written,
    warn on standard error, ending with `unlogged`, what that costs this command."""
    path = configure_logging(settings.log_dir, settings.log_level, console=console, quiet=quiet)
    if path is None:
        err_console.print(
            unlogged_warning(settings.log_dir, unlogged), highlight=False, soft_wrap=True
        )
    return path


def unlogged_warning(log_dir: Path, unlogged: str) -> Text:
    """The line for a command whose daily log file cannot be opened, saying why."""
    if log_dir.exists() and not log_dir.is_dir():
        why = "it is a file, not a folder"
    else:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            why = "its log file cannot be opened"
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
    return Text(
        f"Warning: no log file can be written in LOG_DIR {printable(str(log_dir))} ({why}); "
        f"{unlogged}."
    )
