"""How `hearings --help` reads: commands in the order a new user reaches for them, no `<bool>`
label on flags, which take no value, and option names never cut short at 80 columns."""

from __future__ import annotations

from typing import Any

import typer.rich_utils
from rich.console import RenderableType
from rich.table import Table
from typer.core import TyperGroup

#: The order of `hearings --help`: try it, build, keep current, look, share, check, administer.
#: A command not named here follows them.
COMMAND_ORDER = (
    "demo",
    "import",
    "update",
    "status",
    "serve",
    "export",
    "report",
    "history",
    "verify",
    "backup",
    "quarantine",
    "rebuild",
    "replica",
    "init",
    "migrate-db",
)


class CommandsInUseOrder(TyperGroup):
    """The `hearings` group: its commands listed in `COMMAND_ORDER`."""

    def list_commands(self, ctx: Any) -> list[str]:
        rank = {name: position for position, name in enumerate(COMMAND_ORDER)}
        return sorted(super().list_commands(ctx), key=lambda name: rank.get(name, len(rank)))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _unlabel_flags(command, ctx)
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _unlabel_flags(self, ctx)
        super().format_help(ctx, formatter)


def _unlabel_flags(command: Any, ctx: Any) -> None:
    """Typer labels every option with its type; for a flag (`--json`, `--help`) that `<bool>`
    reads as if it took a value. An empty metavar leaves the type column blank."""
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False):
            param.metavar = ""
    for subcommand in getattr(command, "commands", {}).values():  # `backup list` and the like
        _unlabel_flags(subcommand, ctx)


class OptionsTable(Table):
    """Typer's options table, whose option names (`--simulate-failures`) stay whole.

    Typer declares no columns, so rich squeezes every one alike when the terminal is narrow and
    cuts the names (`--simulate-failur…`). Here only the type and help columns wrap."""

    def add_row(self, *renderables: RenderableType | None, **kwargs: Any) -> None:
        if not self.columns and len(renderables) > 2:
            for _ in renderables[:-2]:
                self.add_column(no_wrap=True)
            self.add_column(overflow="fold")
            self.add_column()
        super().add_row(*renderables, **kwargs)


# Typer builds the options table from this module's `Table`; the commands table declares its
# columns, so it is unchanged.
typer.rich_utils.Table = OptionsTable  # type: ignore[misc]
