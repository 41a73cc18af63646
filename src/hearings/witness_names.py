"""Witness names as the API gives them: parsed into parts, reduced to a "same person" key, and
matched to witness documents by `hearings.witness_documents`.

Identity rule for `PersonName.normalized`: keep everything that is part of the person's legal name
(given names, initials, surname, generational suffix such as Jr. or III) and drop everything that
describes the person (honorifics, military ranks, degrees, service branches, nicknames) or is
formatting (case, accents, punctuation, whitespace). Generational suffixes stay because they are
exactly what tells a father from a son (Robert F. Kennedy vs Robert F. Kennedy Jr.), and fathers and
sons often share a field or even an organization; a false split of one person into two rows is
cheap to repair, a false merge of two people corrupts both records.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from hearings.name_text import alnum_key, clean, fold_accents, word_key
from hearings.name_vocabulary import (
    AFTER_RANK,
    AMBIGUOUS_TITLES,
    CAPITAL_RANKS,
    COURTESY,
    GENERATIONAL,
    POSTNOMINAL_SAFE,
    TITLE_MODIFIERS,
    TITLES,
    is_postnominal,
    is_rank_half,
    is_title,
)


@dataclass(frozen=True)
class PersonName:
    """One witness name split into parts (as given, whitespace collapsed) plus its identity key."""

    honorific: str | None
    first: str | None
    middle: str | None
    last: str | None
    suffix: str | None
    normalized: str
    nickname: str | None = None


# ---- parsing ---------------------------------------------------------------------------------

_QUOTED = re.compile(r'"([^"]*)"|(?:(?<=\s)|^)\'([^\']+)\'(?=\s|,|$)')
_PARENTHESIZED = re.compile(r"\(([^)]*)\)")
_INITIAL = re.compile(r"^(?:[^\W\d_]\.?){1,2}$")
_WORDS = re.compile(r"[a-z0-9]+")
_LETTERS = re.compile(r"[^\W_]+")


def _name_words(text: str) -> list[str]:
    """Lowercase ASCII words for the identity key: apostrophes join (O'Neil -> oneil), any other
    punctuation, hyphens included, separates (García-López -> garcia lopez). A name with no
    letter that folds to ASCII (Arabic, Chinese, Cyrillic, Korean) keeps its own letters,
    case-folded, its accents and vowel marks dropped: an empty key had the gate refuse the
    whole meeting for a witness without a name."""
    folded = fold_accents(text)
    words = _WORDS.findall(folded.lower().replace("'", ""))
    if words:
        return words
    return _LETTERS.findall(unicodedata.normalize("NFKC", folded).casefold().replace("'", ""))


_EMPTY = PersonName(None, None, None, None, None, "")


def parse_witness_name(raw: str) -> PersonName:
    """Split a witness name as the API gives it ("Dr. John Smith, Jr.") into its parts."""
    text = clean(raw or "")
    suffixes: list[str] = []
    nicknames: list[str] = []

    def _take_quoted(match: re.Match[str]) -> str:
        inner = (match.group(1) or match.group(2) or "").strip()
        if inner:
            nicknames.append(inner)
        return " "

    def _take_parenthesized(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        if is_postnominal(inner, after_comma=True) or is_rank_half(inner.split()):
            return match.group(0)  # "(Ret.)" stays in place for the rank and suffix rules
        if inner:
            nicknames.append(inner)
        return " "

    # (Most names have no quotes or parentheses: the tests skip a regex pass each.)
    if '"' in text or "'" in text:
        text = _QUOTED.sub(_take_quoted, text)
    if "(" in text:
        text = _PARENTHESIZED.sub(_take_parenthesized, text)
    text = " ".join(text.replace(" ,", ",").split()).strip(" ,")
    if not text:
        return _EMPTY if not nicknames else _build([], [], nicknames, suffixes)

    pieces = [p.strip() for p in text.split(",") if p.strip()]
    head, tail = pieces[0], pieces[1:]
    given_after_comma: str | None = None
    extra: list[str] = []
    for piece in tail:
        if is_postnominal(piece, after_comma=True):
            suffixes.append(piece)
        elif given_after_comma is None and len(head.split()) == 1 and not is_title(head):
            given_after_comma = piece  # "Smith, John": inverted order
        else:
            extra.append(piece)  # descriptive noise ("Jane Doe, Former Ambassador")
    words = (f"{given_after_comma} {head}" if given_after_comma else head).split()

    # Trailing suffixes written without a comma: "José García-López III", "John Smith Jr."
    trailing: list[str] = []
    while sum(not is_title(w) for w in words) > 1:
        key = alnum_key(words[-1])
        if key in GENERATIONAL or key in POSTNOMINAL_SAFE:
            trailing.insert(0, words.pop())
        else:
            break
    suffixes = trailing + suffixes + extra

    titles: list[str] = []
    while taken := _leading_title(
        words, after_rank=bool(titles) and word_key(titles[-1]) not in COURTESY
    ):
        titles += words[:taken]
        del words[:taken]
    if len(words) == 1 and is_title(words[0]) and not titles:
        # Only a title ("Mr."): no name at all.
        return PersonName(words[0], None, None, None, None, "")
    return _build(titles, words, nicknames, suffixes)


def _leading_title(words: list[str], *, after_rank: bool) -> int:
    """How many leading words form one more title that can go while enough of a name remains
    after it (0: none). `after_rank` says a title was taken already."""
    if len(words) < 2:
        return 0
    key = word_key(words[0])
    if after_rank and len(words) > 2 and is_rank_half(words[:2]):
        return 2
    if key == "the" or key in TITLE_MODIFIERS:
        # Only before a title that leaves a name after it.
        following = 1
        while following < len(words) - 1 and word_key(words[following]) in TITLE_MODIFIERS:
            following += 1
        if is_title(words[following]) and len(words) - following > 1:
            return 1
    if key in TITLES or words[0].strip(",;:()") in CAPITAL_RANKS:
        return 1
    if after_rank and key in AFTER_RANK:
        return 1
    return int(key in AMBIGUOUS_TITLES and len(words) > 2)


def _is_initial(word: str) -> bool:
    return bool(_INITIAL.match(word))


def _build(
    titles: list[str], words: list[str], nicknames: list[str], suffixes: list[str]
) -> PersonName:
    first: str | None = None
    middle_words: list[str] = []
    last_words: list[str] = list(words)
    if len(words) >= 2:
        first, rest = words[0], words[1:]
        # Middle names in this data are nearly always initials; unmarked inner words belong to
        # the surname (Star Comes Out, Wooden Knife, Matos Rodríguez), as the House's own
        # document names confirm ("StarComesOutF", "MatosRodrguezF").
        while len(rest) > 1 and _is_initial(rest[0]):
            middle_words.append(rest.pop(0))
        last_words = rest
    last = " ".join(last_words) or None
    generational = [
        GENERATIONAL[key]
        for piece in suffixes
        for word in piece.split()
        if (key := alnum_key(word)) in GENERATIONAL
    ]
    key_words = _name_words(" ".join([first or "", *middle_words, last or ""]))
    return PersonName(
        honorific=" ".join(titles) or None,
        first=first,
        middle=" ".join(middle_words) or None,
        last=last,
        suffix=", ".join(suffixes) or None,
        normalized=" ".join(key_words + generational),
        nickname=" ".join(nicknames) or None,
    )


# ---- organizations ---------------------------------------------------------------------------

_TRAILING_ACRONYM = re.compile(r"\s*\(\s*[A-Z][A-Za-z0-9.&/ -]{0,15}\)\s*$")
_CORPORATE_FORMS = frozenset(["inc", "llc", "llp", "ltd", "plc", "corp"])


def normalize_organization(org: str | None) -> str:
    """The organization half of the person key: "The Heritage Foundation" and "Heritage
    Foundation", or "Securin Inc." and "Securin", give the same string; "" when absent."""
    if not org:
        return ""
    text = clean(org)
    # "Tragedy Assistance Program for Survivors (TAPS)" and the same without "(TAPS)" both occur.
    if text.endswith(")"):  # `clean` leaves no trailing space
        text = _TRAILING_ACRONYM.sub("", text) or text
    text = fold_accents(text).lower().replace("&", " and ").replace("'", "").replace(".", "")
    words = _WORDS.findall(text)
    if words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in _CORPORATE_FORMS:
        words.pop()
    return " ".join(words)
