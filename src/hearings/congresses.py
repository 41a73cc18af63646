"""Which Congresses a command covers: `119`, a range `115-119`, a list `117,119`, or `all`.

One parser for the CLI's `--congress`, the web's `congress` filter and the API's, so every door
accepts the same spellings and refuses the rest with the same sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from hearings.errors import quoted

FIRST_CONGRESS = 1
# Far beyond any Congress there will be for a while (the 119th sits 2025–2027), and small enough
# that a typo like `1190` is caught rather than listed.
LAST_CONGRESS = 200
# The first Congress whose committee meetings the API covers (the 114th has most; the 113th some).
FIRST_MEETINGS_CONGRESS = 113
# A range wider than this is a typo, not a request ("1-19999").
MAX_SPAN = LAST_CONGRESS

# ASCII digits only (`\d` would take "０119"), and a hyphen or the en dash pages display.
_PART = re.compile(r"^\s*([0-9]{1,4})\s*(?:[-–]\s*([0-9]{1,4})\s*)?$")


class CongressSelectionError(ValueError):
    """`--congress` (or a `congress` filter) that names no Congress we can read."""


@dataclass(frozen=True)
class CongressSelection:
    """Congresses named by number, or every Congress (`numbers is None`)."""

    numbers: tuple[int, ...] | None

    @property
    def is_all(self) -> bool:
        return self.numbers is None

    def resolve(self, held: Iterable[int]) -> tuple[int, ...]:
        """The Congresses to work on: the named ones, or for `all` those in `held`, ascending."""
        if self.numbers is None:
            return tuple(sorted(set(held)))
        return self.numbers

    def includes(self, congress: int | None) -> bool:
        return self.numbers is None or (congress is not None and congress in self.numbers)

    @property
    def single(self) -> int | None:
        """The one Congress named, when exactly one is."""
        if self.numbers is not None and len(self.numbers) == 1:
            return self.numbers[0]
        return None

    def __str__(self) -> str:
        return "all" if self.numbers is None else describe_congresses(self.numbers)


ALL_CONGRESSES = CongressSelection(None)


def parse_congresses(text: str | int | None) -> CongressSelection:
    """Read `119`, `115-119`, `117,119`, `113-115,119` or `all`. Raises CongressSelectionError
    with one sentence a user can act on."""
    if text is None:
        return ALL_CONGRESSES
    if isinstance(text, int):
        text = str(text)
    cleaned = text.strip().lower()
    if cleaned in ("all", "*"):
        return ALL_CONGRESSES
    if not cleaned:
        raise CongressSelectionError(_ACCEPTED.format(text=quoted(text)))
    numbers: set[int] = set()
    for part in cleaned.split(","):
        match = _PART.match(part)
        if match is None:
            raise CongressSelectionError(_ACCEPTED.format(text=quoted(text)))
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else first
        for number in (first, last):
            if not FIRST_CONGRESS <= number <= LAST_CONGRESS:
                raise CongressSelectionError(
                    f"Congress {number} is out of range: use {FIRST_CONGRESS}–{LAST_CONGRESS}."
                )
        if last < first:
            raise CongressSelectionError(
                f"The range {first}-{last} runs backwards: write it {last}-{first}."
            )
        numbers.update(range(first, last + 1))
    return CongressSelection(tuple(sorted(numbers)))


_ACCEPTED = (
    "{text} names no Congress: use a number (119), a range (115-119), a list (117,119) or all."
)


def describe_congresses(numbers: Iterable[int]) -> str:
    """The shortest spelling `parse_congresses` reads back: `113-115,119`."""
    ordered = sorted(set(numbers))
    parts: list[str] = []
    start = previous = None
    for number in ordered:
        if previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            parts.append(_span(start, previous))
        start = previous = number
    if start is not None:
        parts.append(_span(start, previous))
    return ",".join(parts)


def ordinal(number: int) -> str:
    """119 -> `119th`, 121 -> `121st`, for sentences that name a Congress."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _span(first: int, last: int | None) -> str:
    return str(first) if last is None or last == first else f"{first}-{last}"


def current_congress(today: date | None = None) -> int:
    """The Congress sitting on `today` (a new one begins on January 3 of odd years)."""
    day = today or datetime.now(UTC).date()
    year = day.year - 1 if day.year % 2 == 1 and (day.month, day.day) < (1, 3) else day.year
    return (year - 1789) // 2 + 1
