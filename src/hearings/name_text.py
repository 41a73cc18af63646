"""The text of names and organizations made comparable: cleaned, accents folded, and reduced to
lowercase ASCII keys."""

from __future__ import annotations

import re
import unicodedata

_DOUBLE_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"'})
_SINGLE_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'"})
# Letters NFKD does not decompose into a base letter plus accents.
_FOLD_EXTRA = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i", "ß": "ss"}
    | {"æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH"}
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Compiled once: a module-level `re.sub(pattern, ...)` looks its pattern up in a cache on every
# call, a few witnesses a meeting, on the path of every import and rebuild.
_NOT_KEY = re.compile(r"[^a-z0-9]")


def clean(text: str) -> str:
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
