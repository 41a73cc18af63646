"""Bill citations as people write them ("H.R. 580", "HR 580", "S.J.Res. 3") and the one token per
bill that the search index stores for them ("hr580")."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The chamber letter, then optional "J"/"Con", then "R" or "Res", then the number. Periods and
# spaces between the parts are optional. A citation never follows a letter, digit or period, so
# "U.S. 2025" is not read as S. 2025. That rule is checked after the letter, not before it: a
# pattern that starts with a character class lets the regex engine skip to the next H or S, where
# one that starts with a lookbehind tries it at every position (every title is searched, on the
# path of every import and rebuild).
_CITATION = re.compile(
    r"(?P<chamber>[HS])(?<![\w.'’][HS])\.?\s*"
    r"(?:(?P<joint>J)\.?\s*|(?P<con>Con)\.?\s*)?"
    r"(?P<kind>Res|R)?\.?\s*"
    r"(?P<number>\d{1,5})(?!\d)",
    re.IGNORECASE,
)

# (chamber, joint/con, kind) -> the API's bill type.
_TYPES = {
    ("h", "", "r"): "HR",
    ("h", "", "res"): "HRES",
    ("h", "j", "res"): "HJRES",
    ("h", "con", "res"): "HCONRES",
    ("s", "", ""): "S",
    ("s", "", "res"): "SRES",
    ("s", "j", "res"): "SJRES",
    ("s", "con", "res"): "SCONRES",
}


@dataclass(frozen=True)
class Citation:
    bill_type: str
    number: str

    @property
    def token(self) -> str:
        return bill_token(self.bill_type, self.number)

    def __str__(self) -> str:
        return f"{self.bill_type} {self.number}"


_NOT_LETTER = re.compile(r"[^a-z]")


def bill_token(bill_type: str, number: str) -> str:
    """The index token of a bill: `HR`, `0580` -> `hr580`."""
    kind = bill_type.lower()
    if not (kind.isascii() and kind.isalpha()):  # the API's types are plain letters ("HR")
        kind = _NOT_LETTER.sub("", kind)
    digits = number.strip().lstrip("0") or "0"
    return f"{kind}{digits}"


# Every citation has a digit; most titles have none, and finding that is a tenth of the cost of
# searching them for citations (every title is, on the path of every import and rebuild).
_DIGIT = re.compile(r"\d")


def find_citations(text: str) -> tuple[list[Citation], str]:
    """The citations in `text`, and the text with them removed."""
    if not _DIGIT.search(text):
        return [], " ".join(text.split())
    found: list[Citation] = []

    def take(match: re.Match[str]) -> str:
        key = (
            match["chamber"].lower(),
            (match["joint"] or match["con"] or "").lower(),
            (match["kind"] or "").lower(),
        )
        bill_type = _TYPES.get(key)
        if bill_type is None:
            return match.group(0)
        citation = Citation(bill_type, match["number"].lstrip("0") or "0")
        if citation not in found:
            found.append(citation)
        return " "

    rest = _CITATION.sub(take, text)
    return found, " ".join(rest.split())


# The API's bill types as people cite them.
BILL_PREFIXES = {
    "HR": "H.R.",
    "S": "S.",
    "HRES": "H.Res.",
    "SRES": "S.Res.",
    "HJRES": "H.J.Res.",
    "SJRES": "S.J.Res.",
    "HCONRES": "H.Con.Res.",
    "SCONRES": "S.Con.Res.",
}


def cite_bill(bill_type: str, number: str) -> str:
    """ "H.R. 1" for the API's ("HR", "1"); an unknown type is shown as given."""
    return f"{BILL_PREFIXES.get(bill_type.upper(), bill_type)} {number}"
