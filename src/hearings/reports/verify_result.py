"""What `hearings verify` reports: its findings (problems and warnings, each with the check
that made it and the ids involved), the reconciliation with the API, and the database's name
and the one sentence for a database that cannot be read."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError

from hearings.errors import DatabaseUnreadable, error_text
from hearings.store.engine import database_label


@dataclass
class Problem:
    """One finding: the check that made it, a sentence, and the ids involved."""

    check: str
    detail: str
    ids: list[str] = field(default_factory=list)


@dataclass
class ReconcileResult:
    """One congress and chamber: the API's `pagination.count` and ids against the local ones."""

    congress: int
    chamber: str
    api_count: int
    local_count: int
    missing_locally: list[str]
    missing_upstream: list[str]
    # Of `missing_locally`, the ids waiting in the quarantine (the next update retries them).
    quarantined: list[str]
    # Ids are the ones the gate names a list entry by (its `url`'s); an entry whose `eventId`
    # names another meeting is here with that `eventId`, so the two names can be matched.
    listed_event_ids: dict[str, str] = field(default_factory=dict)
    # Why the API's list could not be read to its end (None: it was). Then the stored meetings
    # the part read did not name (`not_compared`) may be listed past it: none is called missing
    # upstream, and the two sides are not said to agree.
    list_shortfall: str | None = None
    not_compared: int = 0

    @property
    def agrees(self) -> bool:
        return (
            not self.missing_locally and not self.missing_upstream and self.list_shortfall is None
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class VerifyResult:
    database: str
    checks: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    reconciled: list[ReconcileResult] | None = None

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "healthy": self.healthy,
            "checks": list(self.checks),
            "problems": [asdict(p) for p in self.problems],
            "warnings": [asdict(w) for w in self.warnings],
            "reconcile": (
                None if self.reconciled is None else [r.as_dict() for r in self.reconciled]
            ),
        }


class Findings:
    """What one check found, recorded in the result as problems or warnings."""

    def __init__(self, check: str, result: VerifyResult):
        self.check = check
        self.result = result

    def problem(self, detail: str, ids: Iterable[Any] = ()) -> None:
        self.result.problems.append(Problem(self.check, detail, sorted_ids(ids)))

    def warning(self, detail: str, ids: Iterable[Any] = ()) -> None:
        self.result.warnings.append(Problem(self.check, detail, sorted_ids(ids)))


def sorted_ids(values: Iterable[Any]) -> list[str]:
    return sorted({str(v) for v in values}, key=lambda v: (len(v), v))


def counted(count: int, noun: str, verb: str = "") -> str:
    """`1 witness has`, `2 witnesses have`: a count with its noun and, given its plural form
    ("have", "are", "name"), the verb that agrees with it."""
    if count == 1:
        return " ".join(filter(None, (f"1 {noun}", _singular_verb(verb))))
    return " ".join(filter(None, (f"{count} {_plural_noun(noun)}", verb)))


_IRREGULAR_PLURALS = {"person": "people"}
_SINGULAR_VERBS = {"have": "has", "are": "is", "were": "was", "do": "does"}


def _plural_noun(noun: str) -> str:
    head, _, last = noun.rpartition(" ")
    if last in _IRREGULAR_PLURALS:
        plural = _IRREGULAR_PLURALS[last]
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        plural = last + "es"
    else:
        plural = last + "s"
    return f"{head} {plural}" if head else plural


def _singular_verb(verb: str) -> str:
    return _SINGULAR_VERBS.get(verb, f"{verb}s" if verb else "")


def unreadable(database_url: str, exc: DBAPIError | sqlite3.DatabaseError) -> DatabaseUnreadable:
    """The one sentence for a database that fails while being read."""
    reason = (error_text(exc).splitlines() or [type(exc).__name__])[0].rstrip(".")
    where = database_label(database_url, absolute=True)
    return DatabaseUnreadable(
        f"The database {where} is corrupt or unreadable ({reason}); "
        "restore it with `hearings backup restore PATH`."
    )
