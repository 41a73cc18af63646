"""A list page that does not decode as a whole keeps every entry that does."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from hearings.congress_api.pages import UndecodableEntry, salvage_page

DEEP = "[" * 50_000 + "]" * 50_000


def page(*entries: str) -> str:
    return (
        '{"committeeMeetings": [' + ", ".join(entries) + "], "
        '"pagination": {"count": 3}, "request": {"chamber": "house"}}'
    )


def test_an_entry_nested_past_the_decoder_costs_only_itself() -> None:
    good = '{"eventId": "1", "note": "a ] and a [ in a string, and an escaped \\" quote"}'
    text = page(good, DEEP, '{"eventId": "3"}')
    salvaged = salvage_page(text, "committeeMeetings")
    assert salvaged is not None
    first, second, third = salvaged["committeeMeetings"]
    assert first == json.loads(good) and third == {"eventId": "3"}
    assert isinstance(second, UndecodableEntry) and "nested too deeply" in second.reason
    assert salvaged["pagination"] == {"count": 3}


def test_an_entry_holding_a_number_too_long_to_read_costs_only_itself() -> None:
    """Python reads no integer of more than 4,300 digits: the page failed to decode, and the
    salvage let the `ValueError` through, so one such entry failed its whole stage (found by a
    mutation campaign of `hearings update`)."""
    long_number = '{"eventId": "2", "congress": ' + "1" * 5000 + "}"
    salvaged = salvage_page(
        page('{"eventId": "1"}', long_number, '{"eventId": "3"}'), "committeeMeetings"
    )
    assert salvaged is not None
    first, second, third = salvaged["committeeMeetings"]
    assert first == {"eventId": "1"} and third == {"eventId": "3"}
    assert isinstance(second, UndecodableEntry) and "number too long" in second.reason
    assert second.text.strip() == long_number


def test_a_page_whose_shape_cannot_be_found_is_not_salvaged() -> None:
    assert salvage_page(page('{"eventId": "1"}')[:40], "committeeMeetings") is None  # truncated
    assert salvage_page('{"other": []}', "committeeMeetings") is None
    assert salvage_page("[" + DEEP + "]", "committeeMeetings") is None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.dictionaries(st.text(max_size=8), st.text(max_size=8) | st.integers()), max_size=6)
)
def test_a_page_that_decodes_is_salvaged_to_the_same_entries(
    entries: list[dict[str, object]],
) -> None:
    text = json.dumps({"committeeMeetings": entries, "pagination": {"count": len(entries)}})
    assert salvage_page(text, "committeeMeetings") == json.loads(text)
