"""The query parameters of a hearing search, validated once and shared by pages, API and exports."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Annotated, Literal, get_args
from urllib.parse import urlencode

from fastapi import Query
from pydantic import BeforeValidator

from hearings.congresses import CongressSelection, CongressSelectionError, ordinal, parse_congresses
from hearings.web.errors import BadParameter


def any_case(choices: object) -> BeforeValidator:
    """Reads the lower-case words of the Literal `choices` in any case, as `type`, `committee`
    and the entity pages' `chamber` are read: results say `House` and `Postponed`, and a value
    copied from them must filter. Anything else is left as sent, for the refusal to quote."""
    names = frozenset(get_args(choices))

    def fold(value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in names:
            return value.strip().lower()
        return value

    return BeforeValidator(fold)


_CHAMBER = Literal["house", "senate", "nochamber"]
_STATUS = Literal["scheduled", "canceled", "postponed", "rescheduled"]
_SORT = Literal["relevance", "date", "newest", "updated"]
Chamber = Annotated[_CHAMBER, any_case(_CHAMBER)]
Status = Annotated[_STATUS, any_case(_STATUS)]
Sort = Annotated[_SORT, any_case(_SORT)]

CHAMBERS: dict[str, str] = {"house": "House", "senate": "Senate", "nochamber": "NoChamber"}
STATUSES: tuple[str, ...] = ("scheduled", "canceled", "postponed", "rescheduled")
SORTS: dict[str, str] = {
    "relevance": "Best match",
    "date": "Date, soonest first",
    "newest": "Date, newest first",
    "updated": "Recently changed",
}
MAX_PAGE = 2000
MAX_PER_PAGE = 100
FIRST_YEAR, LAST_YEAR = 1900, 2200
COMMITTEE_CODE = r"^[A-Za-z]{2,8}[0-9]{2}$"
MONTH = r"^\d{4}-\d{1,2}$"
CHAMBER_OR_JOINT = "^(?i:house|senate|joint)$"
CHAMBER_NAME = "^(?i:house|senate)$"


def _written_day(value: object) -> object:
    """Only a day as people write it: pydantic would take `1735689600` as a Unix time."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError("should be a day written YYYY-MM-DD")
    return value.strip() if isinstance(value, str) else value


#: A query parameter that is a day, written YYYY-MM-DD.
Day = Annotated[date, BeforeValidator(_written_day)]

CongressParameter = Annotated[
    str | None,
    Query(
        max_length=80,
        description="Congresses: one (119), a range (115-119), a list (117,119), both "
        "(113-115,119), or all (the same as leaving it out). It used to be an integer; "
        "`?congress=119` still works.",
        examples=["119", "115-119", "117,119", "all"],
    ),
]
ChamberParameter = Annotated[Chamber | None, Query(description="house, senate or nochamber.")]
CommitteeParameter = Annotated[
    str | None,
    Query(
        pattern=COMMITTEE_CODE,
        description="Committee system code, e.g. hsgo00; includes its subcommittees.",
    ),
]


def congress_selection(value: str | None) -> CongressSelection | None:
    """A `congress` parameter as the Congresses it names; None when absent or `all`. A value
    that names no Congress is a 400 with one sentence."""
    if value is None:
        return None
    try:
        selection = parse_congresses(value)
    except CongressSelectionError as exc:
        raise BadParameter("congress", f"Parameter 'congress': {exc}") from None
    return None if selection.is_all else selection


def congress_label(
    selection: CongressSelection | Sequence[int] | None, *, noun: bool = True
) -> str:
    """Congresses as people say them: "119th Congress", "115th–119th Congresses",
    "117th and 119th Congresses", "113th–115th and 119th Congresses" (without the noun where a
    label already says "Congress")."""
    if selection is not None and not isinstance(selection, CongressSelection):
        selection = CongressSelection(tuple(sorted(set(selection)))) if selection else None
    if selection is None or selection.numbers is None:
        return "every Congress"
    spans = [_ordinal_span(part) for part in str(selection).split(",")]
    plural = len(selection.numbers) > 1
    joined = spans[0] if len(spans) == 1 else ", ".join(spans[:-1]) + " and " + spans[-1]
    if not noun:
        return joined
    return f"{joined} {'Congresses' if plural else 'Congress'}"


def _ordinal_span(part: str) -> str:
    first, _, last = part.partition("-")
    return f"{ordinal(int(first))}–{ordinal(int(last))}" if last else ordinal(int(first))


@dataclass(frozen=True)
class HearingFilters:
    """What the user asked for. `None` means "not given"."""

    q: str | None = None
    # Named Congresses; None is every Congress (`all` reads as None too).
    congress: CongressSelection | None = None
    chamber: str | None = None
    committee: str | None = None
    status: str | None = None
    type: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    has_witnesses: bool | None = None
    has_transcript: bool | None = None
    sort: str | None = None
    page: int = 1
    per_page: int = 25

    def is_blank(self) -> bool:
        """True when nothing narrows or orders the search (the default page view applies)."""
        return all(
            getattr(self, f.name) is None
            for f in fields(self)
            if f.name not in ("page", "per_page")
        )

    @property
    def effective_sort(self) -> str:
        if self.sort:
            return self.sort if self.sort != "relevance" or self.q else "newest"
        return "relevance" if self.q else "newest"

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def params(self, **changes: object) -> list[tuple[str, str]]:
        """The filters as query parameters, with `changes` applied (None drops a parameter)."""
        current = replace(self, **changes)  # type: ignore[arg-type]
        pairs: list[tuple[str, str]] = []
        for f in fields(current):
            value = getattr(current, f.name)
            if value is None or (f.name == "page" and value == 1):
                continue
            if f.name == "per_page" and value == 25:
                continue
            name = {"date_from": "from", "date_to": "to"}.get(f.name, f.name)
            if isinstance(value, bool):
                value = "true" if value else "false"
            pairs.append((name, str(value)))
        return pairs

    def query_string(self, **changes: object) -> str:
        pairs = self.params(**changes)
        return ("?" + urlencode(pairs)) if pairs else ""


def hearing_filters(
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Full-text search: title words, witness names, organizations, positions, "
            'committee and document names, and bill citations such as "H.R. 580". Acronyms '
            "and full names find each other (GAO, Government Accountability Office).",
        ),
    ] = None,
    congress: CongressParameter = None,
    chamber: ChamberParameter = None,
    committee: CommitteeParameter = None,
    status: Annotated[Status | None, Query(description="The meeting's status.")] = None,
    type: Annotated[
        str | None,
        Query(max_length=64, description="Meeting type: Hearing, Meeting, Markup… (any case)."),
    ] = None,
    date_from: Annotated[
        Day | None,
        Query(alias="from", description="First day (Eastern Time), YYYY-MM-DD."),
    ] = None,
    date_to: Annotated[
        Day | None,
        Query(alias="to", description="Last day (Eastern Time), YYYY-MM-DD."),
    ] = None,
    has_witnesses: Annotated[
        bool | None, Query(description="Only meetings with (true) or without (false) witnesses.")
    ] = None,
    has_transcript: Annotated[
        bool | None,
        Query(description="Only meetings with (true) or without (false) a printed hearing."),
    ] = None,
    sort: Annotated[
        Sort | None,
        Query(description="relevance (with q), date (soonest first), newest, updated."),
    ] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="Results per page.")] = 25,
) -> HearingFilters:
    for name, day in (("from", date_from), ("to", date_to)):
        # Like `week`: a day no meeting can have, and past 9999-12-30 no Eastern midnight after.
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise BadParameter(
                name,
                f"Parameter '{name}': expected a day from {FIRST_YEAR} to {LAST_YEAR}, "
                f"got '{day.isoformat()}'.",
            )
    if date_from and date_to and date_from > date_to:
        raise BadParameter(
            "from", f"The date range starts ({date_from}) after it ends ({date_to})."
        )
    text = " ".join(q.split()) if q else None
    kind = " ".join(type.split()) if type else None
    return HearingFilters(
        q=text or None,
        congress=congress_selection(congress),
        chamber=chamber,
        committee=committee.lower() if committee else None,
        status=status,
        type=kind or None,
        date_from=date_from,
        date_to=date_to,
        has_witnesses=has_witnesses,
        has_transcript=has_transcript,
        sort=sort,
        page=page,
        per_page=per_page,
    )
