"""Bill citations in free text: what counts as one, and the index token each gives."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearings.citations import _CITATION, _TYPES, find_citations

# The rule as first written, with the lookbehind in front: `_CITATION` checks it after the
# chamber letter instead (faster), and must find exactly the same citations.
_LOOKBEHIND_FIRST = re.compile(
    r"(?<![\w.'’])(?P<chamber>[HS])\.?\s*"
    r"(?:(?P<joint>J)\.?\s*|(?P<con>Con)\.?\s*)?"
    r"(?P<kind>Res|R)?\.?\s*"
    r"(?P<number>\d{1,5})(?!\d)",
    re.IGNORECASE,
)


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], dict[str, str]]]:
    return [(m.span(), m.groupdict()) for m in pattern.finditer(text)]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("H.R. 580, the Act", ["hr580"]),
        ("HR 0580 and S. 12", ["hr580", "s12"]),
        ("S.J.Res. 3; H. Con. Res. 14", ["sjres3", "hconres14"]),
        ("U.S. 2025 budget", []),  # "S. 2025" after a period is no citation
        ("xH.R. 5 and 'S 5", []),
        ("H.R. 123456", []),  # six digits: not a bill number
        ("S 1", ["s1"]),
    ],
)
def test_citations_in_titles(text: str, tokens: list[str]) -> None:
    assert [c.token for c in find_citations(text)[0]] == tokens


@given(
    st.text() | st.text(alphabet=" .'’HhSsJjCcOoNnRrEe0123456789xſ\u212a", max_size=40),
)
def test_the_reordered_pattern_finds_what_the_lookbehind_first_one_does(text: str) -> None:
    assert _matches(_CITATION, text) == _matches(_LOOKBEHIND_FIRST, text)


def _without_shortcut(text: str) -> tuple[list[str], str]:
    """`find_citations` with no digit check first: every text searched in full."""
    found: list[str] = []

    def take(match: re.Match[str]) -> str:
        kind = (match["joint"] or match["con"] or "", match["kind"] or "")
        if (match["chamber"].lower(), *(k.lower() for k in kind)) not in _TYPES:
            return match.group(0)
        found.append(match.group(0))
        return " "

    rest = _CITATION.sub(take, text)
    return found, " ".join(rest.split())


@given(
    st.text() | st.text(alphabet=" \t\n.HhSsRr0123456789\u0663\uff11\u00a0\u2028", max_size=40),
)
def test_a_text_without_a_digit_comes_back_as_a_full_search_leaves_it(text: str) -> None:
    citations, rest = find_citations(text)
    matched, expected_rest = _without_shortcut(text)
    assert rest == expected_rest
    assert len(citations) <= len(matched)
    if not matched:
        assert citations == []
