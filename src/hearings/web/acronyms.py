"""Acronyms and the names they stand for, so that search finds "GAO" when a witness came from the
"Government Accountability Office", and the other way round.

The dictionary is the curated list (`acronym_list.CURATED`) plus what the data spells out: witness
organisations written with their acronym ("National Guard Bureau (NGB)") and committee names
("Armed Services Committee" in the House is HASC).
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from hearings.store import schema
from hearings.web.acronym_list import CURATED

Words = tuple[str, ...]

_WORD = re.compile(r"\w+", re.UNICODE)
_PARENTHESISED = re.compile(r"^(?P<name>[^()]{4,}?)\s*\((?P<short>[A-Z][A-Za-z&.]{1,9})\)\s*$")
_STOPWORDS = frozenset({"of", "the", "and", "for", "on", "in", "to", "a", "an", "at", "&"})
# Short forms that are also everyday words: they stand for their long form only when typed in
# capitals ("IT", "ICE"), so "it" and "ice" stay plain words.
_EVERYDAY = frozenset(
    {"it", "help", "ice", "sec", "ed", "who", "ira", "snap", "stem", "chip", "doe", "dot", "un",
     "va", "ig", "ev", "evs", "esa", "aca", "wic", "e", "c", "t", "i"}
)  # fmt: skip
# The data changes only with an update; rereading it every few minutes is plenty.
_REFRESH_SECONDS = 600.0


def words(text: str) -> Words:
    return tuple(_WORD.findall(text.lower()))


@dataclass(frozen=True)
class Acronyms:
    """Each known phrase (short or long form, as lower-case words) and the phrases equal to it."""

    equivalents: dict[Words, tuple[Words, ...]]
    longest: int

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> Acronyms:
        table: dict[Words, set[Words]] = defaultdict(set)
        for short, long in pairs:
            a, b = words(short), words(long)
            if a and b and a != b:
                table[a].add(b)
                table[b].add(a)
        equivalents = {k: tuple(sorted(v, key=lambda w: (len(w), w))) for k, v in table.items()}
        return cls(equivalents, max((len(k) for k in equivalents), default=0))

    def alternatives(self, phrase: Sequence[str], as_typed: str) -> tuple[Words, ...]:
        """The phrases that mean the same as `phrase` (not including it)."""
        found = self.equivalents.get(tuple(phrase), ())
        if len(phrase) == 1 and phrase[0] in _EVERYDAY and not as_typed.isupper():
            return ()
        return found[:6]


def curated_pairs() -> list[tuple[str, str]]:
    pairs = []
    for line in CURATED.splitlines():
        short, _, long = line.partition("=")
        if short.strip() and long.strip():
            pairs.append((short.strip(), long.strip()))
    return pairs


def _initials(name: str) -> str:
    return "".join(w[0] for w in _WORD.findall(name) if w.lower() not in _STOPWORDS).upper()


def _is_subsequence(short: str, letters: str) -> bool:
    remaining = iter(letters)
    return all(ch in remaining for ch in short)


def organisation_pair(organisation: str) -> tuple[str, str] | None:
    """("National Guard Bureau", "NGB") from "National Guard Bureau (NGB)", when the letters
    fit the name's initials (so "(Ret.)" or "(Virginia)" are not taken for acronyms)."""
    match = _PARENTHESISED.match(organisation.strip())
    if match is None:
        return None
    short = re.sub(r"[^A-Za-z]", "", match["short"]).upper()
    name = re.sub(r"^(the|u\.?s\.?)\s+", "", match["name"].strip(), flags=re.IGNORECASE)
    initials = _initials(name)
    if len(short) < 2 or not initials or short[0] != initials[0]:
        return None
    if not _is_subsequence(short, initials):
        return None
    return short, name


def committee_pair(name: str, chamber: str | None) -> tuple[str, str] | None:
    """("HASC", "Armed Services Committee") for the House's Armed Services Committee: the
    chamber's letter, the initials of the name, and C for committee."""
    bare = re.sub(r"\s*\([^)]*\)", "", name).strip()
    if bare.lower().split()[-1:] != ["committee"] or chamber not in ("House", "Senate"):
        return None
    letters = _initials(bare)
    if len(letters) < 2:
        return None
    return chamber[0] + letters, bare


def derived_pairs(connection: Connection, reserved: frozenset[str]) -> list[tuple[str, str]]:
    """The acronyms the database spells out itself, except those in `reserved` (the curated
    list's: "SEC" is the Securities and Exchange Commission, not the Senate Ethics Committee)."""
    witnesses, committees = schema.witnesses, schema.committees
    pairs: list[tuple[str, str]] = []
    for organisation in connection.execute(
        select(witnesses.c.organization).where(witnesses.c.organization.like("%(%)")).distinct()
    ).scalars():
        pair = organisation_pair(organisation or "")
        if pair and pair[0].lower() not in reserved:
            pairs.append(pair)
    for row in connection.execute(
        select(committees.c.name, committees.c.chamber).where(committees.c.parent_code.is_(None))
    ):
        pair = committee_pair(row.name or "", row.chamber)
        # Three letters ("HAC", "SJC") stand for too many things to be taken on the initials.
        if pair and len(pair[0]) >= 4 and pair[0].lower() not in reserved:
            pairs.append(pair)
    return pairs


class AcronymCache:
    """One dictionary per database, rebuilt from the data every few minutes."""

    def __init__(self) -> None:
        self._clock = time.monotonic
        self._values: dict[str, tuple[float, Acronyms]] = {}
        self._lock = threading.Lock()

    def get(self, connection: Connection) -> Acronyms:
        key = connection.engine.url.render_as_string(hide_password=True)
        now = self._clock()
        with self._lock:
            hit = self._values.get(key)
        if hit is not None and now - hit[0] < _REFRESH_SECONDS:
            return hit[1]
        curated = curated_pairs()
        reserved = frozenset(short.lower() for short, _ in curated)
        acronyms = Acronyms.from_pairs([*curated, *derived_pairs(connection, reserved)])
        with self._lock:
            self._values[key] = (now, acronyms)
        return acronyms


# Shared by the pages, the API and the exports, which all search through `find_hearings`.
ACRONYMS = AcronymCache()
