"""Members' names as the API's member lists send them: inverted ("Bishop, Sanford D., Jr."),
split into a first and last name, or turned around for reading."""

from __future__ import annotations

import re

# A nickname in a member's name: `Jesús G. "Chuy"`, `Robert C. (Bobby)`.
_NICKNAME = re.compile(r'"[^"]*"|“[^”]*”|\([^)]*\)')
# A quoted nickname that ends the given names keeps the comma before a suffix inside its quotes,
# the American way: 'Johnson, Henry C. "Hank," Jr.' (J000288). Read as a separator there, it
# split the name inside the quotes: 'Henry C. "Hank Johnson " Jr.'.
_COMMA_IN_QUOTES = re.compile(r'("[^",]+|“[^”,]+),(["”])')


def _comma_after_quotes(name: str) -> str:
    """The name with a comma that closes a quoted nickname moved after the closing quote."""
    return _COMMA_IN_QUOTES.sub(r"\1\2,", name)


def split_inverted_name(name: str) -> tuple[str | None, str | None]:
    """(first name, last name) of an inverted name: "Bishop, Sanford D., Jr." -> ("Sanford",
    "Bishop"); a name without a comma gives (None, None) rather than a guess."""
    # The last name is everything before the first comma. The first name is the first word of
    # the given names (up to a second comma, after which a suffix such as "Jr." may follow),
    # nicknames left out: that is the API's own `firstName` ("J." of "Correa, J. Luis",
    # "Marjorie" of "Greene, Marjorie Taylor"), middle names and initials being `middleName`.
    last, comma, rest = _comma_after_quotes(name).partition(",")
    if not comma:
        return None, None
    given = _NICKNAME.sub(" ", rest.partition(",")[0]).split()
    return (given[0] if given else None), (" ".join(last.split()) or None)


def direct_order(name: str) -> str:
    """Member lists give only `name`, inverted: "Morelle, Joseph D." -> "Joseph D. Morelle";
    a trailing suffix stays last ("Bishop, Sanford D., Jr." -> "Sanford D. Bishop Jr.")."""
    parts = [p.strip() for p in _comma_after_quotes(name).split(",") if p.strip()]
    if len(parts) < 2:
        return name
    return " ".join([parts[1], parts[0], *parts[2:]])
