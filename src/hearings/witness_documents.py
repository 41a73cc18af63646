"""Witness documents matched to their witness: House file names encode the witness
(`HHRG-119-AP06-Wstate-IsaacsK-20250225.pdf`), and a document goes to the one witness whose name
the file name's token fits; otherwise it stays on the meeting, so none is ever dropped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from hearings.name_text import alnum_key, fold_accents, word_key
from hearings.name_vocabulary import COURTESY
from hearings.witness_names import PersonName

# HHRG-119-AP06-Wstate-IsaacsK-20250225.pdf; supporting documents may append "-SD001".
_DOCUMENT_NAME = re.compile(
    r"^[A-Z]{3,5}-\d{2,3}-[A-Z]{2}\d{2}-[A-Za-z]+-(?P<token>[A-Za-z]{2,})-\d{8}(?:-|$)",
    re.IGNORECASE,
)
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def url_path(url: str) -> str:
    """`urlsplit(url).path`, at a fraction of its cost for the plain http(s) URLs documents
    have (three a meeting, on the path of every import and rebuild); anything less plain, such
    as a tab inside or an unusual host, takes `urlsplit` itself."""
    head = url[:8].lower()
    rest = url[8:] if head == "https://" else url[7:] if head[:7] == "http://" else None
    if rest is None or "\t" in rest or "\r" in rest or "\n" in rest:
        return urlsplit(url).path
    end = len(rest)
    for mark in "/?#":
        found = rest.find(mark, 0, end)
        if found != -1:
            end = found
    host = rest[:end]
    if not host.isascii() or "[" in host or "]" in host:
        return urlsplit(url).path
    return rest[end:].split("#", 1)[0].split("?", 1)[0]


def witness_document_token(url: str) -> str | None:
    """The Lastname+FirstInitial token of a House witness document URL ("StarComesOutF"), or None
    when the file name carries none (a hearing-wide "...-20250225-SD001.pdf")."""
    path = url_path(url.strip())
    stem = path.rsplit("/", 1)[-1]
    stem = _EXTENSION.sub("", stem)
    match = _DOCUMENT_NAME.match(stem)
    return match.group("token") if match else None


def _squash_variants(words: Sequence[str]) -> set[str]:
    """The words run together in lowercase ASCII, accents folded ("rodriguez") and, as the House
    file names do, dropped ("rodrguez")."""
    joined = "".join(words)
    dropped = alnum_key(joined)
    if joined.isascii():
        return {dropped} if dropped else set()  # nothing to fold: both ways agree
    folded = alnum_key(fold_accents(joined))
    return {v for v in (folded, dropped) if v}


def _initials(word: str | None) -> set[str]:
    return {v[0] for v in _squash_variants([word])} if word else set()


def _document_keys(name: PersonName) -> tuple[frozenset[str], frozenset[str]]:
    """(full keys "surname+initial", surname-only keys) under which the House may file `name`."""
    last_words = (name.last or "").split()
    if not last_words:
        return frozenset(), frozenset()
    surnames = _squash_variants(last_words) | _squash_variants(last_words[-1:])
    # The House splits a name as given into its first word and "the rest", ranks, nicknames and
    # suffixes included: "Master Chief Petty Officer James Honea" -> "ChiefPettyOfficerJamesHoneaM".
    ranks = [w for w in (name.honorific or "").split() if word_key(w) not in COURTESY]
    given = [w for w in [*ranks, name.first] if w]
    house_rest = [
        *given[1:],
        *(name.nickname or "").split(),
        *(name.middle or "").split(),
        *last_words,
        *(name.suffix or "").split(),
    ]
    full: set[str] = set()
    for initial in _initials(name.first):
        full |= {s + initial for s in surnames}
    if given:
        rest = _squash_variants(house_rest)
        surnames |= rest
        full |= {r + i for r in rest for i in _initials(given[0])}
    for initial in _initials(name.nickname):
        full |= {s + initial for s in surnames}
    return frozenset(full), frozenset(surnames)


def match_document_to_witness(url: str, witnesses: Sequence[PersonName]) -> int | None:
    """Index of the witness a document URL belongs to, or None (the caller then attaches it to the
    meeting, so no document is ever dropped)."""
    return DocumentMatcher(witnesses).match(url)


class DocumentMatcher:
    """`match_document_to_witness` for many documents of one meeting: each witness's document keys
    are worked out once, not once per document."""

    def __init__(self, witnesses: Sequence[PersonName]):
        self.witnesses = witnesses
        self._keys: list[tuple[frozenset[str], frozenset[str]]] | None = None

    def match(self, url: str) -> int | None:
        token = witness_document_token(url)
        if token is None:
            return None
        if self._keys is None:
            self._keys = [_document_keys(w) for w in self.witnesses]
        return _match_token(token.lower(), self._keys, self.witnesses)


def _match_token(
    key: str,
    keys: Sequence[tuple[frozenset[str], frozenset[str]]],
    witnesses: Sequence[PersonName],
) -> int | None:
    exact = [i for i, (full, _) in enumerate(keys) if key in full]
    if exact:
        return _unique(exact, witnesses)
    # Last name alone, with or without the trailing initial: right only when one witness has it.
    by_surname = [
        i for i, (_, surnames) in enumerate(keys) if key in surnames or key[:-1] in surnames
    ]
    return _unique(by_surname, witnesses) if by_surname else None


def _unique(indexes: list[int], witnesses: Sequence[PersonName]) -> int | None:
    # The same person listed twice still identifies one witness; two different people do not.
    if len({witnesses[i].normalized for i in indexes}) == 1:
        return indexes[0]
    return None
