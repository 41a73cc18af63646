"""The kind of a change, read from the two payloads: whatever shape an admitted payload has, the
kinds and sentences come back without an error (one bad payload must not take /changes down)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hearings.reports.history import describe_changes
from hearings.reports.meeting_compare import FieldChange, compare_meeting, payload_image
from hearings.reports.recent_changes import CHANGE_KINDS, change_kinds
from hearings.reports.report_wording import describe_change

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = ("meetingStatus", "date", "witnesses", "title", "location", "videos", "relatedItems")
PAYLOAD = st.dictionaries(
    st.sampled_from(FIELDS), JSON | st.text(max_size=30), max_size=len(FIELDS)
)


@settings(max_examples=200, deadline=None)
@given(before=PAYLOAD, after=PAYLOAD)
def test_any_two_payloads_give_known_kinds_and_sentences(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    kinds = change_kinds(before, after)
    assert set(kinds) <= set(CHANGE_KINDS)
    assert all(isinstance(s, str) and s for s in describe_changes(before, after))
    assert change_kinds(before, before) == []


def test_kinds_follow_the_status_the_date_and_the_witnesses() -> None:
    scheduled = {
        "meetingStatus": "Scheduled",
        "date": "2025-05-21T14:30:00Z",
        "witnesses": [{"name": "Dr. Jane Roe", "organization": "GAO"}],
    }
    assert change_kinds(scheduled, {**scheduled, "meetingStatus": "Postponed"}) == ["postponed"]
    assert change_kinds(scheduled, {**scheduled, "meetingStatus": "Cancelled"}) == ["canceled"]
    assert change_kinds(scheduled, {**scheduled, "meetingStatus": "Rescheduled"}) == ["rescheduled"]
    moved = {**scheduled, "date": "2025-05-23T18:00:00Z"}
    assert change_kinds(scheduled, moved) == ["rescheduled"]
    assert change_kinds({**scheduled, "date": None}, scheduled) == []  # a first date is no move
    # A day without a time, then the time on that day (in Washington), is no move either way.
    day = {**scheduled, "date": "2025-05-21"}
    assert change_kinds(day, scheduled) == change_kinds(scheduled, day) == []
    assert describe_changes(day, scheduled) == ["Time given: Wed May 21, 10:30 a.m. ET"]
    assert change_kinds(day, moved) == ["rescheduled"]
    reordered = {**scheduled, "witnesses": [{"organization": "GAO", "name": " Dr.  Jane Roe "}]}
    assert change_kinds(scheduled, reordered) == []
    assert change_kinds(scheduled, {**scheduled, "witnesses": []}) == ["witnesses"]
    assert change_kinds(scheduled, {**scheduled, "title": "New title"}) == []


# "Dr. Jane Roe" and "Jane Roe" are one person (titles aside); John Smith Jr. is not John Smith.
PEOPLE = ("Dr. Jane Roe", "Jane Roe", "Mr. John Smith", "John Smith Jr.", "Ada Quill")
WITNESS = st.fixed_dictionaries(
    {
        "name": st.sampled_from(PEOPLE),
        "organization": st.sampled_from([None, "GAO", "OMB"]),
        "position": st.sampled_from([None, "Director", "Deputy Director"]),
    }
)


@settings(max_examples=300, deadline=None)
@given(before=st.lists(WITNESS, max_size=5), after=st.lists(WITNESS, max_size=5))
def test_each_witness_is_kept_added_removed_or_changed_once(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> None:
    sentences = describe_changes({"witnesses": before}, {"witnesses": after})
    added = sum(s.startswith("Witness added: ") for s in sentences)
    removed = sum(s.startswith("Witness removed: ") for s in sentences)
    changed = sum(s.startswith("Witness changed: ") for s in sentences)
    assert added + removed + changed == len(sentences)
    # The witnesses neither added, removed nor changed are the same on both sides.
    assert len(after) - added - changed == len(before) - removed - changed >= 0
    assert ("witnesses" in change_kinds({"witnesses": before}, {"witnesses": after})) == bool(
        sentences
    )
    # Order alone is no change.
    assert describe_changes({"witnesses": before}, {"witnesses": before[::-1]}) == []


def test_the_same_person_with_a_new_organization_is_one_changed_witness() -> None:
    before = {
        "witnesses": [{"name": "Dr. Jane Roe", "organization": "GAO", "position": "Director"}]
    }
    after = {"witnesses": [{"name": "Jane Roe", "organization": "OMB", "position": "Director"}]}
    assert describe_changes(before, after) == [
        "Witness changed: Jane Roe: name Dr. Jane Roe → Jane Roe; organization GAO → OMB"
    ]
    junior = {"witnesses": [{"name": "Jane Roe Jr.", "organization": "OMB", "position": None}]}
    assert describe_changes(before, junior) == [
        "Witness added: Jane Roe Jr. (OMB)",
        "Witness removed: Dr. Jane Roe (GAO)",
    ]


# Documents as the API sends them: some without a URL, the same URL twice, names spaced apart.
DOCUMENT = st.fixed_dictionaries(
    {"documentType": st.sampled_from(["Witness Statement", "Generic Document"])},
    optional={
        "url": st.sampled_from(["https://example.org/a.pdf", "https://example.org/b.pdf", ""]),
        "name": st.sampled_from(["Memo", " Memo ", "Notice"]),
        "description": st.sampled_from(["Conferee list", None]),
    },
)
DOCUMENTS = st.fixed_dictionaries(
    {},
    optional={
        "meetingDocuments": st.lists(DOCUMENT, max_size=4),
        "witnessDocuments": st.lists(DOCUMENT, max_size=4),
    },
)


def _stored(payload: dict[str, Any]) -> Counter[tuple[Any, ...]]:
    """The documents the store keeps: one a URL, and every one without, by what it has."""
    documents = payload.get("meetingDocuments", []) + payload.get("witnessDocuments", [])
    kept: Counter[tuple[Any, ...]] = Counter()
    for document in documents:
        if document.get("url"):
            kept[("url", document["url"])] = 1
        else:
            name = " ".join(document["name"].split()) if document.get("name") else None
            kept[(document["documentType"], name, document.get("description"))] += 1
    return kept


@settings(max_examples=300, deadline=None)
@given(before=DOCUMENTS, after=DOCUMENTS)
def test_documents_added_and_removed_are_the_difference_of_what_the_store_keeps(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    sentences = [s for s in describe_changes(before, after) if s.startswith("Documents: ")]
    old, new = _stored(before), _stored(after)
    assert len(sentences) == (old != new)
    if not sentences:
        return
    (sentence,) = sentences
    added, removed = _number(r"\+(\d+)", sentence), _number(r"−(\d+)", sentence)
    # A document that only gained or lost its URL is one of each side's difference.
    relinked = _number(r"(\d+) links? added", sentence) + _number(r"(\d+) links? removed", sentence)
    assert added + relinked == (new - old).total()
    assert removed + relinked == (old - new).total()
    # Order alone, or which list a document is in, is no change.
    pooled = after.get("meetingDocuments", []) + after.get("witnessDocuments", [])
    assert describe_changes(after, {"witnessDocuments": pooled[::-1]}) == []


def _number(pattern: str, sentence: str) -> int:
    found = re.search(pattern, sentence)
    return int(found[1]) if found else 0


def test_a_document_that_only_gained_its_url_is_no_addition() -> None:
    listed = {"description": "Conferee list", "documentType": "Generic Document"}
    linked = {**listed, "url": "https://example.org/conferees.pdf"}
    other = {"name": "Memo", "url": "https://example.org/memo.pdf"}
    assert describe_changes({"meetingDocuments": [listed]}, {"meetingDocuments": [linked]}) == [
        "Documents: 1 link added"
    ]
    assert describe_changes(
        {"meetingDocuments": [linked]}, {"meetingDocuments": [listed, listed, other]}
    ) == ["Documents: +2, 1 link removed"]


def test_a_move_into_another_year_names_both_years() -> None:
    """The held-out probe's case: without years it read as a move two days earlier."""
    before = {"date": "2025-01-25T19:00:00Z"}
    assert describe_changes(before, {"date": "2026-01-23T15:00:00Z"}) == [
        "Moved from Sat Jan 25, 2025, 2:00 p.m. to Fri Jan 23, 2026, 10:00 a.m. ET"
    ]
    assert describe_changes(before, {"date": "2025-01-27T15:00:00Z"}) == [
        "Moved from Sat Jan 25, 2:00 p.m. to Mon Jan 27, 10:00 a.m. ET"
    ]
    # The year is Eastern time's: 11 p.m. ET on New Year's Eve is still the old year.
    assert describe_changes({"date": "2025-12-30T15:00:00Z"}, {"date": "2026-01-01T04:00:00Z"}) == [
        "Moved from Tue Dec 30, 10:00 a.m. to Wed Dec 31, 11:00 p.m. ET"
    ]


def test_the_report_names_a_chamber_and_a_congress_change() -> None:
    before: dict[str, Any] = {
        "eventId": "115001",
        "chamber": "House",
        "congress": 118,
        "title": "A hearing",
        "meetingStatus": "Scheduled",
        "updateDate": "2025-01-02T10:00:00Z",
    }
    after = {**before, "chamber": "Senate", "congress": 119}
    was, now = payload_image(before), payload_image(after)
    assert was is not None and now is not None
    changes = compare_meeting(was, now)
    assert changes == [FieldChange("chamber", "House", "Senate"), FieldChange("congress", 118, 119)]
    assert [describe_change(c) for c in changes] == [
        "chamber: House → Senate",
        "congress: 118 → 119",
    ]
    # An image without the field (an older one) is no change of it.
    del was["hearing"]["chamber"]
    assert [c.field for c in compare_meeting(was, now)] == ["congress"]
