"""`--congress` spellings: one number, a range, a list, or all."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearings.congresses import (
    ALL_CONGRESSES,
    CongressSelectionError,
    describe_congresses,
    parse_congresses,
)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("119", (119,)),
        ("115-119", (115, 116, 117, 118, 119)),
        ("117,119", (117, 119)),
        (" 113-115 , 119 ", (113, 114, 115, 119)),
        ("118–119", (118, 119)),
        ("119,119,118", (118, 119)),
        (119, (119,)),
    ],
)
def test_numbers_ranges_and_lists(text: str | int, numbers: tuple[int, ...]) -> None:
    assert parse_congresses(text).numbers == numbers


@pytest.mark.parametrize("text", ["all", "ALL", " all ", None])
def test_all_resolves_to_the_congresses_held(text: str | None) -> None:
    selection = parse_congresses(text)
    assert selection is ALL_CONGRESSES or selection.is_all
    assert selection.resolve([119, 118, 119]) == (118, 119)
    assert selection.includes(3)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "names no Congress"),
        ("abc", "names no Congress"),
        ("119-", "names no Congress"),
        ("1,,2", "names no Congress"),
        ("118..119", "names no Congress"),
        ("\uff10119", "names no Congress"),
        ("\u0661\u0661\u0669", "names no Congress"),
        ("0", "out of range"),
        ("1190", "out of range"),
        ("119-115", "runs backwards"),
    ],
)
def test_refusals_are_one_sentence(text: str, says: str) -> None:
    with pytest.raises(CongressSelectionError, match=says) as refused:
        parse_congresses(text)
    assert "\n" not in str(refused.value)


def test_a_refusal_quotes_a_long_value_shortened() -> None:
    with pytest.raises(CongressSelectionError) as refused:
        parse_congresses("1" * 5000)
    assert len(str(refused.value)) < 250 and "(5,000 characters)" in str(refused.value)


@given(st.sets(st.integers(1, 200), min_size=1, max_size=40))
def test_described_selections_read_back(numbers: set[int]) -> None:
    assert parse_congresses(describe_congresses(numbers)).numbers == tuple(sorted(numbers))


@given(st.text(max_size=30))
def test_any_text_parses_or_is_refused_with_a_sentence(text: str) -> None:
    try:
        selection = parse_congresses(text)
    except CongressSelectionError as refused:
        assert str(refused).endswith(".")
    else:
        assert selection.is_all or all(1 <= n <= 200 for n in selection.numbers or ())
