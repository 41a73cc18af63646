"""`--congress`: one Congress (119), a range (115-119), a list (117,119) or `all`, read by the one
parser in `hearings.congresses` for every command that takes it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import typer

from hearings.congresses import (
    FIRST_MEETINGS_CONGRESS,
    CongressSelection,
    CongressSelectionError,
    current_congress,
    ordinal,
    parse_congresses,
)
from hearings.errors import HearingsError, UsageError

if TYPE_CHECKING:  # the sync package is heavy, and `--help` needs none of it
    from hearings.sync.options import SyncOptions

NOTHING_HELD = (
    "The database holds no Congress yet, so there is nothing to update: "
    "run `hearings import --congress N` first."
)


def congress_selection(text: str | CongressSelection) -> CongressSelection:
    """Typer's parser for `--congress`: a bad spelling is a usage error (exit 2), one sentence."""
    if isinstance(text, CongressSelection):
        return text
    try:
        return parse_congresses(text)
    except CongressSelectionError as exc:
        raise typer.BadParameter(str(exc)) from None


_METAVAR = "N|A-B|A,B|all"

ImportCongresses = Annotated[
    CongressSelection,
    typer.Option(
        "--congress",
        parser=congress_selection,
        metavar=_METAVAR,
        help="Congresses to import: 119, a range 115-119, a list 117,119, or all (113 to now).",
    ),
]
UpdateCongresses = Annotated[
    CongressSelection | None,
    typer.Option(
        "--congress",
        parser=congress_selection,
        metavar=_METAVAR,
        help="Congresses to update: 119, 115-119, 117,119 or all (default: every one held).",
    ),
]
FilterCongresses = Annotated[
    CongressSelection | None,
    typer.Option(
        "--congress",
        parser=congress_selection,
        metavar=_METAVAR,
        help="Only these Congresses: 119, 115-119, 117,119 or all (default: all).",
    ),
]
ReconcileCongresses = Annotated[
    CongressSelection | None,
    typer.Option(
        "--congress",
        parser=congress_selection,
        metavar=_METAVAR,
        help="With --reconcile, only these Congresses: 119, 115-119, 117,119 or all (default: "
        "every one stored). The checks always read the whole database.",
    ),
]


def congresses_to_import(selection: CongressSelection) -> tuple[int, ...]:
    """The Congresses an import covers; `all` is every Congress whose meetings the API has.
    A Congress that has not begun is refused: its import would succeed with nothing, and every
    later update would cover it as one the database holds. The next one is allowed, since its
    first meetings may be listed before it sits."""
    sitting = current_congress()
    chosen = selection.resolve(range(FIRST_MEETINGS_CONGRESS, sitting + 1))
    too_new = [number for number in chosen if number > sitting + 1]
    if too_new:
        raise UsageError(
            f"The {ordinal(too_new[0])} Congress has not begun: the {ordinal(sitting)} is sitting, "
            f"so --congress goes up to {sitting + 1}."
        )
    return chosen


def congresses_to_update(
    selection: CongressSelection | None, held: Iterable[int]
) -> tuple[int, ...]:
    """The Congresses an update covers; `all` (the default) is every Congress the database holds.
    Raises one sentence when that is none."""
    chosen = (selection or CongressSelection(None)).resolve(held)
    if not chosen:
        raise HearingsError(NOTHING_HELD)
    return chosen


def cover(options: SyncOptions, congresses: tuple[int, ...]) -> SyncOptions:
    """`options` covering `congresses` (the newest stands for them where one is needed)."""
    options.congresses = congresses
    options.congress = max(congresses)
    return options
