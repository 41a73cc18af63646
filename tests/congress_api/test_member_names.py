"""A member's first and last name: the API's `firstName`/`lastName` when the record has them, and
otherwise (every member-list entry) derived from the inverted `name`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearings.congress_api.member_models import Member
from hearings.congress_api.member_names import direct_order, split_inverted_name


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        # Shapes taken from the bundled corpus and the real member lists.
        ("Sanders, Bernard", "Bernard", "Sanders"),
        ("Ocasio-Cortez, Alexandria", "Alexandria", "Ocasio-Cortez"),
        ("Morelle, Joseph D.", "Joseph", "Morelle"),
        ("Greene, Marjorie Taylor", "Marjorie", "Greene"),
        ("Sweeney, David McCann", "David", "Sweeney"),
        ("Velázquez, Nydia M.", "Nydia", "Velázquez"),
        ("Correa, J. Luis", "J.", "Correa"),
        ("McMillan, J. Alex", "J.", "McMillan"),
        ('García, Jesús G. "Chuy"', "Jesús", "García"),
        ('Fleischmann, Charles J. "Chuck"', "Charles", "Fleischmann"),
        # A suffix after a second comma is neither name.
        ("King, Angus S., Jr.", "Angus", "King"),
        ("Bishop, Sanford D., Jr.", "Sanford", "Bishop"),
        ("Thompson, Bennie G., III", "Bennie", "Thompson"),
        # A nickname, quoted or in parentheses, is not the first name even when it comes first.
        ('Scott, "Bobby" Robert C.', "Robert", "Scott"),
        ("Scott, (Bobby) Robert C.", "Robert", "Scott"),
        ("Scott, Robert C. (Bobby)", "Robert", "Scott"),
        ("Van  Hollen ,  Chris ", "Chris", "Van Hollen"),
        # The comma before a suffix inside a quoted nickname (real entry of J000288, below).
        ('Johnson, Henry C. "Hank," Jr.', "Henry", "Johnson"),
        ('Doe, "Hank," Henry C.', None, "Doe"),
    ],
)
def test_an_inverted_name_gives_its_first_and_last_name(
    name: str, first: str | None, last: str | None
) -> None:
    assert split_inverted_name(name) == (first, last)


@pytest.mark.parametrize("name", ["Cher", "Bernard Sanders", "", "   "])
def test_a_name_without_a_comma_gives_neither(name: str) -> None:
    assert split_inverted_name(name) == (None, None)


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        (", Bernard", "Bernard", None),
        ("Sanders,", None, "Sanders"),
        ('Sanders, "Bernie"', None, "Sanders"),
    ],
)
def test_a_missing_part_is_null(name: str, first: str | None, last: str | None) -> None:
    assert split_inverted_name(name) == (first, last)


# Any text, and text made of what names are made of: commas, quotes, parentheses, spaces.
NAMES = st.one_of(st.text(), st.text(alphabet=st.sampled_from(list(' ,."()“”\t\nAbé'))))


@given(NAMES)
def test_any_text_splits_and_a_last_name_exists_exactly_when_text_precedes_a_comma(
    name: str,
) -> None:
    first, last = split_inverted_name(name)
    before, comma, _ = name.partition(",")
    assert bool(last) == bool(comma and before.strip())
    assert first is None or (first.strip() == first and first and "," not in first)
    if not comma:
        assert first is None


def test_a_member_list_entry_gets_its_names_from_the_inverted_name() -> None:
    entry = Member.model_validate({"bioguideId": "S000033", "name": "Sanders, Bernard"})
    assert entry.first_and_last_name == ("Bernard", "Sanders")


def test_the_apis_own_names_win_over_the_inverted_name() -> None:
    item = Member.model_validate(
        {
            "bioguideId": "G000596",
            "firstName": "Marjorie Taylor",
            "lastName": "Greene",
            "invertedOrderName": "Greene, Marjorie Taylor",
            "name": "Someone, Else",
        }
    )
    assert item.first_and_last_name == ("Marjorie Taylor", "Greene")


def test_an_item_without_names_uses_its_inverted_order_name() -> None:
    item = Member.model_validate(
        {"bioguideId": "L000174", "invertedOrderName": "Leahy, Patrick J."}
    )
    assert item.first_and_last_name == ("Patrick", "Leahy")


@pytest.mark.parametrize(
    ("name", "read"),
    [
        # The real `GET /member` list entry of J000288 (christopherkenny/congress,
        # tests/testthat/t/member/v3/member-f60c0f.json, recorded 2023-12-29): its comma before
        # "Jr." sits inside the nickname's quotes, and was read as a separator inside them, which
        # stored and showed 'Henry C. "Hank Johnson " Jr.'.
        ('Johnson, Henry C. "Hank," Jr.', 'Henry C. "Hank" Johnson Jr.'),
        ("Johnson, Henry C. “Hank,” Jr.", "Henry C. “Hank” Johnson Jr."),
        ("Bishop, Sanford D., Jr.", "Sanford D. Bishop Jr."),
        ("Leach, Claude (Buddy), Jr.", "Claude (Buddy) Leach Jr."),
        ('García, Jesús G. "Chuy"', 'Jesús G. "Chuy" García'),
    ],
)
def test_an_inverted_name_reads_in_direct_order(name: str, read: str) -> None:
    assert direct_order(name) == read
