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
from collections.abc import Sequence
from dataclasses import dataclass


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


# ---- vocabulary ------------------------------------------------------------------------------
# Words are compared lowercased with periods removed ("Lt." -> "lt").


def _vocabulary(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Titles that are never a given name: stripped while at least one name word remains.
_TITLES = _vocabulary(
    """
    mr mrs ms miss mx messrs dr doctor prof professor hon honorable honourable rev revd reverend
    fr rabbi imam sen senator rep representative congressman congresswoman del delegate gov
    governor amb ambassador sec secretary commissioner mayor sheriff
    gen general lt lieutenant adm admiral radm vadm rear vice brig brigadier col colonel maj capt
    captain cdr cmdr lcdr commander sgt sergeant cpl corporal pvt spc ens ensign cwo wo msgt smsgt
    cmsgt csm sgm cpo scpo mcpo mcpon sma petty officer warrant command staff
    ltg ltgen lieutgen majgen bgen briggen ltc ltcol cpt ltjg sfc ssg tsgt ssgt sra
    """
)
# Army ranks written in capitals, which lowercase could be a person's initials ("M.G. Smith").
_CAPITAL_RANKS = frozenset({"MG", "BG", "COL", "GEN", "MAJ", "CPT", "1LT", "2LT", "CW2", "CW3"})
# Words that belong to the title that follows them ("Former Ambassador", "Police Chief",
# "Attorney General", "Deputy Assistant Secretary"): stripped only when a title comes next.
_TITLE_MODIFIERS = _vocabulary(
    """
    former acting deputy assistant associate under principal interim senior retired
    police fire county district state tribal attorney surgeon inspector solicitor postmaster
    adjutant
    """
)
# Words that continue the rank before them: "Gen. (Ret.) David Petraeus", "Rear Admiral (Lower
# Half) Tom Smith", "Ms. Rear Admiral Upper Half Mark Montgomery".
_AFTER_RANK = _vocabulary("ret retired")
_RANK_HALVES = (("upper", "half"), ("lower", "half"))
# Titles that are also given names (Major Owens, Judge Glock, and "The Honorable Chief Allen",
# whose given name is Chief): stripped only while a first and a last name remain.
_AMBIGUOUS_TITLES = _vocabulary("chief major judge justice master bishop father pastor")
# The courtesy prefixes the House witness system adds; ranks, by contrast, are part of its name
# fields and show up in document file names ("...-GeneralTomLandwermeyerB-...").
COURTESY = _vocabulary("mr mrs ms miss mx dr prof professor hon honorable the rev reverend")

_GENERATIONAL = {
    "jr": "jr",
    "junior": "jr",
    "sr": "sr",
    "senior": "sr",
    "ii": "ii",
    "2nd": "ii",
    "iii": "iii",
    "3rd": "iii",
    "iv": "iv",
    "4th": "iv",
}
# Degrees, credentials and service branches. Only these are stripped from the end of a name
# without a comma; short ones like "DO" or "MA" could be surnames and need the comma.
_POSTNOMINAL_SAFE = _vocabulary(
    """
    phd md jd esq esquire cpa dds dmd dvm mph mba rn edd psyd pharmd dnp llm ret retired
    usa usaf usn usmc uscg ussf usar usnr usafr ang arng facs facp faap facc faan
    """
)
_POSTNOMINAL_AFTER_COMMA = _POSTNOMINAL_SAFE | _vocabulary(
    "do ma ms ba bs pa np pe msw lcsw mpa mpp scd dsc llb cfa cfp cissp aicp obe cbe kbe"
)

_DOUBLE_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"'})
_SINGLE_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'"})
# Letters NFKD does not decompose into a base letter plus accents.
_FOLD_EXTRA = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i", "ß": "ss"}
    | {"æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH"}
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))

_QUOTED = re.compile(r'"([^"]*)"|(?:(?<=\s)|^)\'([^\']+)\'(?=\s|,|$)')
_PARENTHESIZED = re.compile(r"\(([^)]*)\)")
_INITIAL = re.compile(r"^(?:[^\W\d_]\.?){1,2}$")
# Compiled once: a module-level `re.sub(pattern, ...)` looks its pattern up in a cache on every
# call, a few witnesses a meeting, on the path of every import and rebuild.
_NOT_KEY = re.compile(r"[^a-z0-9]")
_WORDS = re.compile(r"[a-z0-9]+")
_PHRASE_BREAK = re.compile(r"[\s()]+")
_CAPS_CREDENTIAL = re.compile(r"[A-Z][A-Z.&-]{1,7}")


# ---- text helpers ----------------------------------------------------------------------------


def _clean(text: str) -> str:
    """NFC, plain quotes, no invisible characters, single spaces (covers \\r\\n, tabs, NBSP)."""
    if not text.isascii():  # ASCII is already NFC and has no curly quotes or invisibles
        text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
        text = text.translate(_DOUBLE_QUOTES).translate(_SINGLE_QUOTES)
    return " ".join(text.split())


def fold_accents(text: str) -> str:
    """`José Łukasz` -> `Jose Lukasz`: accents removed, letters kept."""
    if text.isascii():
        return text  # nothing to fold; most names and every document token are plain ASCII
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def alnum_key(text: str) -> str:
    """`text` lowercased with everything but ASCII letters and digits removed."""
    lowered = text.lower()
    if lowered.isascii() and lowered.isalnum():
        return lowered  # most words have nothing to remove, and a regex pass costs 10x this test
    return _NOT_KEY.sub("", lowered)


def word_key(word: str) -> str:
    return word.lower().replace(".", "").strip(",;:()")


def _name_words(text: str) -> list[str]:
    """Lowercase ASCII words for the identity key: apostrophes join (O'Neil -> oneil), any other
    punctuation, hyphens included, separates (García-López -> garcia lopez)."""
    folded = fold_accents(text).lower().replace("'", "")
    return _WORDS.findall(folded)


def _is_postnominal(phrase: str, *, after_comma: bool) -> bool:
    words = [w for w in _PHRASE_BREAK.split(phrase) if w]
    if not words:
        return False
    known = _POSTNOMINAL_AFTER_COMMA if after_comma else _POSTNOMINAL_SAFE
    for word in words:
        key = alnum_key(word)
        if key in _GENERATIONAL or key in known:
            continue
        # Unknown credentials after a comma are short all-caps tokens ("RDN", "CHES").
        if after_comma and _CAPS_CREDENTIAL.fullmatch(word):
            continue
        return False
    return True


def _is_title(word: str) -> bool:
    key = word_key(word)
    return key in _TITLES or key in _AMBIGUOUS_TITLES or word.strip(",;:()") in _CAPITAL_RANKS


# ---- parsing ---------------------------------------------------------------------------------

_EMPTY = PersonName(None, None, None, None, None, "")


def parse_witness_name(raw: str) -> PersonName:
    """Split a witness name as the API gives it ("Dr. John Smith, Jr.") into its parts."""
    text = _clean(raw or "")
    suffixes: list[str] = []
    nicknames: list[str] = []

    def _take_quoted(match: re.Match[str]) -> str:
        inner = (match.group(1) or match.group(2) or "").strip()
        if inner:
            nicknames.append(inner)
        return " "

    def _take_parenthesized(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        if _is_postnominal(inner, after_comma=True) or _is_rank_half(inner.split()):
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
        if _is_postnominal(piece, after_comma=True):
            suffixes.append(piece)
        elif given_after_comma is None and len(head.split()) == 1 and not _is_title(head):
            given_after_comma = piece  # "Smith, John": inverted order
        else:
            extra.append(piece)  # descriptive noise ("Jane Doe, Former Ambassador")
    words = (f"{given_after_comma} {head}" if given_after_comma else head).split()

    # Trailing suffixes written without a comma: "José García-López III", "John Smith Jr."
    trailing: list[str] = []
    while sum(not _is_title(w) for w in words) > 1:
        key = alnum_key(words[-1])
        if key in _GENERATIONAL or key in _POSTNOMINAL_SAFE:
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
    if len(words) == 1 and _is_title(words[0]) and not titles:
        # Only a title ("Mr."): no name at all.
        return PersonName(words[0], None, None, None, None, "")
    return _build(titles, words, nicknames, suffixes)


def _leading_title(words: list[str], *, after_rank: bool) -> int:
    """How many leading words form one more title that can go while enough of a name remains
    after it (0: none). `after_rank` says a title was taken already."""
    if len(words) < 2:
        return 0
    key = word_key(words[0])
    if after_rank and len(words) > 2 and _is_rank_half(words[:2]):
        return 2
    if key == "the" or key in _TITLE_MODIFIERS:
        # Only before a title that leaves a name after it.
        following = 1
        while following < len(words) - 1 and word_key(words[following]) in _TITLE_MODIFIERS:
            following += 1
        if _is_title(words[following]) and len(words) - following > 1:
            return 1
    if key in _TITLES or words[0].strip(",;:()") in _CAPITAL_RANKS:
        return 1
    if after_rank and key in _AFTER_RANK:
        return 1
    return int(key in _AMBIGUOUS_TITLES and len(words) > 2)


def _is_rank_half(words: Sequence[str]) -> bool:
    """ "Upper Half" or "Lower Half", as in Rear Admiral (Lower Half)."""
    return tuple(word_key(w) for w in words) in _RANK_HALVES


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
        _GENERATIONAL[key]
        for piece in suffixes
        for word in piece.split()
        if (key := alnum_key(word)) in _GENERATIONAL
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
_CORPORATE_FORMS = _vocabulary("inc llc llp ltd plc corp")


def normalize_organization(org: str | None) -> str:
    """The organization half of the person key: "The Heritage Foundation" and "Heritage
    Foundation", or "Securin Inc." and "Securin", give the same string; "" when absent."""
    if not org:
        return ""
    text = _clean(org)
    # "Tragedy Assistance Program for Survivors (TAPS)" and the same without "(TAPS)" both occur.
    if text.endswith(")"):  # `_clean` leaves no trailing space
        text = _TRAILING_ACRONYM.sub("", text) or text
    text = fold_accents(text).lower().replace("&", " and ").replace("'", "").replace(".", "")
    words = _WORDS.findall(text)
    if words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in _CORPORATE_FORMS:
        words.pop()
    return " ".join(words)
