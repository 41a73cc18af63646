"""The gate: whatever the API sends becomes a typed record or a quarantine entry, never an
exception; identity, time and completeness are checked against what was requested."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearings.congress_api.errors import (
    ApiKeyRejected,
    ApiUnavailable,
    MalformedPayload,
    NotFound,
)
from hearings.congress_api.pages import UndecodableEntry
from hearings.replica import Corpus
from hearings.sync.gate import (
    Admitted,
    Listed,
    Quarantined,
    Request,
    Unnamed,
    admit_entry,
    admit_item,
    admit_record_entry,
)
from hearings.sync.gate.untrusted import MAX_TEXT, storable
from hearings.sync.gate.verdicts import Refused

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus.load()


def a_meeting(corpus: Corpus) -> tuple[Request, dict[str, Any]]:
    event_id = sorted(corpus.ids("meeting"))[0]
    body = copy.deepcopy(corpus.meeting(event_id) or {})
    chamber = body["chamber"].lower()
    return Request("meeting", 119, chamber, event_id), body


def a_committee(corpus: Corpus) -> tuple[Request, dict[str, Any]]:
    code = "hsag00"
    body = copy.deepcopy(corpus.committee(code) or {})
    return Request("committee", None, "house", code), body


def a_printed_hearing(corpus: Corpus) -> tuple[Request, dict[str, Any]]:
    jacket = sorted(corpus.ids("hearing"))[0]
    body = copy.deepcopy(corpus.printed_hearing(jacket) or {})
    return Request("printed_hearing", 119, body["chamber"].lower(), str(jacket)), body


# ---- items ---------------------------------------------------------------------------------


def test_real_records_are_admitted_as_typed_records(corpus: Corpus) -> None:
    for request, body in (a_meeting(corpus), a_committee(corpus), a_printed_hearing(corpus)):
        admitted = admit_item(request, body, now=NOW)
        assert isinstance(admitted, Admitted), admitted
        assert admitted.request == request and len(admitted.content_hash) == 64
    request, body = a_meeting(corpus)
    admitted = admit_item(request, body, now=NOW)
    assert isinstance(admitted, Admitted) and admitted.rows is not None
    assert admitted.rows.event_id == request.identifier


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        ({"eventId": "999999"}, "eventId '999999' is not the requested"),
        ({"congress": 118}, "congress 118 is not the requested congress 119"),
        ({"chamber": "Senate"}, "is not the requested chamber"),
        ({"chamber": "Hosue"}, "unknown chamber"),
        ({"updateDate": "2099-01-01T00:00:00Z"}, "is in the future"),
        ({"updateDate": None}, "updateDate is missing"),
        ({"date": "9999-12-31T23:59:59-05:00"}, "out of range"),
        ({"date": "1789-03-04T12:00:00Z"}, "out of range"),
        ({"date": "2150-01-01T14:00:00Z"}, "out of range"),  # verify: more than 5 years ahead
        ({"updateDate": "1850-01-01T00:00:00Z"}, "is before 1900"),
        ({"congress": 10**30}, "congress"),
        ({"congress": True}, "congress"),
        ({"eventId": "12 ab/.."}, "eventId"),
        ({"title": "x" * 200_000}, "200,000 characters"),
        ({"committees": [{"systemCode": "hs/ag"}]}, "systemCode"),
    ],
)
def test_a_meeting_that_is_not_what_was_asked_for_is_quarantined_with_its_reason(
    corpus: Corpus, edit: dict[str, Any], reason: str
) -> None:
    request, body = a_meeting(corpus)
    verdict = admit_item(request, body | edit, now=NOW)
    assert isinstance(verdict, Quarantined)
    assert reason in verdict.reason
    assert verdict.identifier == request.identifier  # named by the request, not by the body
    assert verdict.locator == {
        "congress": 119,
        "chamber": request.chamber,
        "event_id": request.identifier,
    }
    assert len(verdict.reason) < 300 and "\n" not in verdict.reason


def test_a_committee_without_a_name_is_quarantined_so_the_stored_name_stays(
    corpus: Corpus,
) -> None:
    request, body = a_committee(corpus)
    body.pop("name", None)
    body["history"] = []
    verdict = admit_item(request, body, now=NOW)
    assert isinstance(verdict, Quarantined) and "no name" in verdict.reason


@pytest.mark.parametrize("name", ["د. سارة الأحمد", "王小明", "Иван Петров", "김철수"])
def test_a_witness_named_in_a_script_without_ascii_letters_is_admitted(
    corpus: Corpus, name: str
) -> None:
    """Their names' identity key was empty, so the gate refused the whole meeting ("witness 1
    has no name")."""
    request, body = a_meeting(corpus)
    body["witnesses"] = [{"name": name, "organization": "Ministry", "position": "Minister"}]
    verdict = admit_item(request, body, now=NOW)
    assert isinstance(verdict, Admitted), verdict
    assert verdict.rows is not None
    (witness,) = verdict.rows.witnesses
    assert witness["display_name"] == name and witness["normalized_name"]


def test_a_reason_says_an_object_was_expected_without_naming_our_classes(
    corpus: Corpus,
) -> None:
    request, body = a_committee(corpus)
    verdict = admit_item(request, body | {"parent": "hsap00"}, now=NOW)
    assert isinstance(verdict, Quarantined)
    assert verdict.reason.endswith("field 'parent': Input should be an object"), verdict.reason


def test_a_printed_hearing_without_a_title_is_quarantined(corpus: Corpus) -> None:
    request, body = a_printed_hearing(corpus)
    verdict = admit_item(request, body | {"title": None}, now=NOW)
    assert isinstance(verdict, Quarantined) and "title" in verdict.reason


def test_ids_too_long_for_their_columns_are_quarantined_not_left_to_the_database(
    corpus: Corpus,
) -> None:
    """PostgreSQL refuses an id wider than its column (`associated_event_id` and `parent_code`
    32, `bill_id` 48): a printed hearing or committee so named failed its whole stage (exit 4,
    every other change of the stage lost, run after run), and a meeting so named was quarantined
    with the database's SQL for a reason (found by a mutation campaign on PostgreSQL)."""
    request, body = a_printed_hearing(corpus)
    long_id = {"eventId": "1" * 33, "url": "https://api.congress.gov/v3/committee-meeting/1"}
    verdict = admit_item(request, body | {"associatedMeeting": long_id}, now=NOW)
    assert isinstance(verdict, Quarantined) and "associatedMeeting" in verdict.reason
    assert isinstance(admit_item(request, body, now=NOW), Admitted)

    code = "hlig01"
    committee = copy.deepcopy(corpus.committee(code) or {})
    assert committee["parent"]["systemCode"] == "hlig00"
    assert isinstance(
        admit_item(Request("committee", None, "house", code), committee, now=NOW), Admitted
    )
    long_parent = committee | {"parent": {"systemCode": "a" * 33, "name": "Intelligence"}}
    verdict = admit_item(Request("committee", None, "house", code), long_parent, now=NOW)
    assert isinstance(verdict, Quarantined) and "parent systemCode" in verdict.reason

    request, body = a_meeting(corpus)
    bill = {"congress": 119, "type": "HR", "number": "1" * 60}
    verdict = admit_item(request, body | {"relatedItems": {"bills": [bill]}}, now=NOW)
    assert isinstance(verdict, Quarantined) and verdict.reason == (
        "bill 1 of relatedItems has a type or number too long"
    )
    fits = {"congress": 119, "type": "HR", "number": "1" * 40}  # 119-hr-111…: 47 characters
    assert isinstance(
        admit_item(request, body | {"relatedItems": {"bills": [fits]}}, now=NOW), Admitted
    )


def test_a_member_must_be_the_one_requested_and_named(corpus: Corpus) -> None:
    body = copy.deepcopy(corpus.member("A000055") or {})
    assert isinstance(admit_item(Request("member", None, None, "A000055"), body, now=NOW), Admitted)
    other = admit_item(Request("member", None, None, "B000490"), body, now=NOW)
    assert isinstance(other, Quarantined) and "bioguideId" in other.reason
    nameless = {k: v for k, v in body.items() if "ame" not in k}
    verdict = admit_item(Request("member", None, None, "A000055"), nameless, now=NOW)
    assert isinstance(verdict, Quarantined) and "no name" in verdict.reason


@pytest.mark.parametrize("name", [",", ".", "-", "\u200b", "\ufeff", "\u200b\u200e ."])
def test_a_name_or_title_of_punctuation_or_invisible_characters_is_no_name(
    corpus: Corpus, name: str
) -> None:
    """Admitted, it replaced the stored name (found by a mutation campaign of hearings import:
    a member list entry named "," or a zero-width space was stored over the member's name, with
    exit 0, and `hearings verify` found nothing)."""
    request, body = a_committee(corpus)
    renamed = [{**h, "libraryOfCongressName": name, "officialName": name} for h in body["history"]]
    verdict = admit_item(request, body | {"history": renamed}, now=NOW)
    assert isinstance(verdict, Quarantined) and "no name" in verdict.reason

    member = corpus.member("A000055") or {}
    entry = {k: v for k, v in member.items() if "ame" not in k} | {"name": name}
    verdict = admit_item(Request("member", None, None, "A000055"), entry, now=NOW)
    assert isinstance(verdict, Quarantined) and "no name" in verdict.reason

    request, body = a_printed_hearing(corpus)
    verdict = admit_item(request, body | {"title": name}, now=NOW)
    assert isinstance(verdict, Quarantined) and "title" in verdict.reason


@pytest.mark.parametrize("name", ["王小明", "Jr.", "X"])
def test_a_name_with_a_letter_in_any_script_is_a_name(corpus: Corpus, name: str) -> None:
    request, body = a_committee(corpus)
    renamed = [{**h, "libraryOfCongressName": name, "officialName": name} for h in body["history"]]
    verdict = admit_item(request, body | {"history": renamed}, now=NOW)
    assert isinstance(verdict, Admitted) and verdict.record.display_name == name


def test_text_is_made_storable_not_refused(corpus: Corpus) -> None:
    request, body = a_meeting(corpus)
    body["title"] = "Broken \ud83d emoji and a NUL\x00 here"
    admitted = admit_item(request, body, now=NOW)
    assert isinstance(admitted, Admitted)
    assert admitted.record.title == "Broken \ufffd emoji and a NUL here"
    json.dumps(admitted.payload, ensure_ascii=False).encode("utf-8")  # storable everywhere


_ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=12) | st.sampled_from(
    ["\x00", "\ud83d", "\ud83d\ude00", "\\u0000", "\\ud800", "plain"]
)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | _ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)


def _outcome(make: Callable[[], Any]) -> Any:
    try:
        return ("stored", make())
    except Refused as refusal:
        return ("refused", str(refusal))


@given(st.dictionaries(_ANY_TEXT, _JSON_VALUES, max_size=5), st.booleans())
def test_text_checks_read_the_archived_text_as_they_read_their_own(
    payload: dict[str, Any], ascii_escapes: bool
) -> None:
    # A rebuild passes each payload's stored JSON text to the gate instead of encoding it again;
    # `pack` writes it without ASCII escapes, but escaped text must not fool the checks either.
    text = json.dumps(payload, ensure_ascii=ascii_escapes, separators=(",", ":"))
    assert _outcome(lambda: storable(payload, encoded=text)) == _outcome(lambda: storable(payload))


def test_an_archived_text_too_long_to_store_is_refused_as_before() -> None:
    payload = {"title": "x" * (MAX_TEXT + 1)}
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    assert _outcome(lambda: storable(payload, encoded=text))[0] == "refused"


def test_fetch_failures_of_the_record_itself_are_quarantined_others_end_the_stage(
    corpus: Corpus,
) -> None:
    request, _ = a_meeting(corpus)
    deep = admit_item(request, MalformedPayload("too deep", body="[[[[[["), now=NOW)
    assert isinstance(deep, Quarantined) and deep.stage == "fetch"
    assert deep.raw_payload == "[[[[[["
    missing = admit_item(request, NotFound("no such meeting"), now=NOW)
    assert isinstance(missing, Quarantined)
    # One record the API keeps failing; an outage is `fetch_in_order`'s to catch.
    failing = admit_item(request, ApiUnavailable("HTTP 500 after 3 attempts"), now=NOW)
    assert isinstance(failing, Quarantined) and failing.stage == "fetch"
    assert failing.reason == "HTTP 500 after 3 attempts"
    with pytest.raises(ApiKeyRejected):
        admit_item(request, ApiKeyRejected("The API key was rejected."), now=NOW)


# ---- list entries --------------------------------------------------------------------------


def test_list_entries_name_their_record_from_the_url_when_their_fields_cannot() -> None:
    request = Request("meeting", 119, None)
    url = "https://api.congress.gov/v3/committee-meeting/119/house/118000?format=json"
    typo = {"chamber": "Hosue", "congress": 119, "eventId": "118000", "url": url}
    verdict = admit_entry(request, typo, now=NOW)
    assert isinstance(verdict, Quarantined) and verdict.stage == "list"
    assert "unknown chamber 'Hosue'" in verdict.reason
    # Where to fetch it next run comes from the URL, since the chamber field is wrong.
    assert verdict.locator == {"congress": 119, "chamber": "house", "event_id": "118000"}
    no_id = {"chamber": "House", "eventId": None, "url": url, "updateDate": "x"}
    named = admit_entry(request, no_id, now=NOW)
    assert isinstance(named, Quarantined) and named.identifier == "118000"


def test_an_unreadable_committee_entry_is_named_by_its_own_url_not_a_subcommittees() -> None:
    """A committee entry's `parent` and `subcommittees` (keys sorted) come before its own `url`
    and name other committees: an entry that does not decode was quarantined under its first
    subcommittee or its parent (found by a mutation campaign)."""
    base = "https://api.congress.gov/v3/committee/house"
    entry = {
        "chamber": "House",
        "name": "Intelligence Committee",
        "parent": {"systemCode": "hlig99", "url": f"{base}/hlig99?format=json"},
        "subcommittees": [{"systemCode": "hlig09", "url": f"{base}/hlig09?format=json"}],
        "systemCode": "hlig00",
        "updateDate": "2025-05-22T14:30:00Z",
        "url": f"{base}/hlig00?format=json",
    }
    text = json.dumps(entry).replace('"name": "Intelligence Committee"', '"name": ' + "1" * 5000)
    unreadable = UndecodableEntry(text, "the entry holds a number too long to read")
    verdict = admit_entry(Request("committee", None, "house"), unreadable, now=NOW)
    assert isinstance(verdict, Quarantined) and verdict.identifier == "hlig00"
    # Without a url of its own at its top level, it names no record (rejected, listed again).
    nested_only = text.replace(f'"url": "{base}/hlig00?format=json"', '"url": null')
    verdict = admit_entry(
        Request("committee", None, "house"), UndecodableEntry(nested_only, "x"), now=NOW
    )
    assert isinstance(verdict, Unnamed)


@pytest.mark.parametrize(
    "entry", [None, 42, "118000", ["eventId", "118000"], {}, {"eventId": ""}, {"eventId": True}]
)
def test_entries_that_name_no_record_are_unnamed_with_a_reason(entry: object) -> None:
    verdict = admit_entry(Request("meeting", 119, None), entry, now=NOW)
    assert isinstance(verdict, Unnamed) and verdict.reason


def test_an_entry_whose_only_id_no_record_could_have_names_no_record() -> None:
    """Quarantined under that id, it could never be retried nor closed: a printed hearing's
    retry needs a jacket number, and a member comes back only in a member list, under a
    bioguideId (found by a mutation campaign: a printed hearing entry without a url whose
    jacketNumber was text stayed in the quarantine for good, a retry nobody made)."""
    printed = {"congress": 119, "chamber": "House", "jacketNumber": "echo this"}
    verdict = admit_entry(Request("printed_hearing", 119, None), printed, now=NOW)
    assert isinstance(verdict, Unnamed) and verdict.reason
    member = {"bioguideId": "ZZ", "name": "Doe, Jane", "url": "https://x/v3/member/ZZ"}
    verdict = admit_record_entry(Request("member", None, None), member, now=NOW)
    assert isinstance(verdict, Unnamed) and verdict.reason
    good = printed | {"jacketNumber": 60120}
    listed = admit_entry(Request("printed_hearing", 119, None), good, now=NOW)
    assert isinstance(listed, Listed) and listed.identifier == "60120"


#: A meeting list entry as the API sends it.
GOOD_ENTRY = {
    "chamber": "House",
    "congress": 119,
    "eventId": "118000",
    "updateDate": "2025-05-22 14:30:00+00:00",
    "url": "https://api.congress.gov/v3/committee-meeting/119/house/118000?format=json",
}


def test_a_good_list_entry_is_listed() -> None:
    entry = GOOD_ENTRY
    listed = admit_entry(Request("meeting", 119, None), entry, now=NOW)
    assert isinstance(listed, Listed)
    assert (listed.identifier, listed.chamber, listed.congress) == ("118000", "house", 119)
    assert listed.update_date == datetime(2025, 5, 22, 14, 30, tzinfo=UTC)
    future = admit_entry(
        Request("meeting", 119, None), entry | {"updateDate": "2099-01-01"}, now=NOW
    )
    assert isinstance(future, Quarantined) and "future" in future.reason


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("eventId", ["x"], "meeting 118000: field 'eventId': Input should be a valid string"),
        ("chamber", 5, "meeting 118000: field 'chamber': Input should be a valid string"),
    ],
)
def test_a_list_entry_is_refused_in_the_words_a_fetched_record_is(
    field: str, value: object, reason: str
) -> None:
    """The reason is the sentence, not prefixed with an exception's class name."""
    refused = admit_entry(Request("meeting", 119, None), GOOD_ENTRY | {field: value}, now=NOW)
    assert isinstance(refused, Quarantined)
    assert refused.reason == reason


def test_member_list_entries_are_whole_records(corpus: Corpus) -> None:
    body = copy.deepcopy(corpus.member("A000055") or {})
    assert isinstance(admit_record_entry(Request("member", None, None), body, now=NOW), Admitted)
    assert isinstance(admit_record_entry(Request("member", None, None), [], now=NOW), Unnamed)


def test_an_entry_wrapped_in_its_kind_says_so_rather_than_that_it_names_nothing(
    corpus: Corpus,
) -> None:
    # The API's lists before 2023 wrapped each entry (`{"member": {...}}`); the reason said the
    # entry had no bioguideId and no url, while both were there, one level down.
    body = copy.deepcopy(corpus.member("A000055") or {})
    verdict = admit_record_entry(Request("member", None, None), {"member": body}, now=NOW)
    assert isinstance(verdict, Unnamed)
    assert verdict.reason == (
        "the entry holds its record inside 'member' instead of at its top level "
        "(an older shape of the API's lists), so it names no record"
    )
    meeting = admit_entry(Request("meeting", 119, None), {"committeeMeeting": GOOD_ENTRY}, now=NOW)
    assert isinstance(meeting, Unnamed) and "inside 'committeeMeeting'" in meeting.reason


# ---- generated variety ---------------------------------------------------------------------

HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            "\ud800",
            "\x00",
            "9999-12-31T23:59:59-05:00",
            "0001-01-01T00:00:00+05:00",
            "2099-01-01T00:00:00Z",
            "<script>alert(1)</script>",
            '=HYPERLINK("http://x")',
            "javascript:alert(1)",
            "x" * 150_000,
        ]
    ),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.recursive(st.none(), lambda inner: st.lists(inner, min_size=1, max_size=1), max_leaves=60),
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a payload a value can be replaced or removed."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield (*prefix, index)
            yield from paths(inner, (*prefix, index))


def mutated(body: dict[str, Any], path: tuple[Any, ...], value: Any, remove: bool) -> Any:
    copy_ = copy.deepcopy(body)
    parent: Any = copy_
    for step in path[:-1]:
        parent = parent[step]
    if remove and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return copy_


def check_verdict(request: Request, body: Any) -> None:
    verdict = admit_item(request, body, now=NOW)  # must not raise, whatever the body
    if isinstance(verdict, Admitted):
        # What is admitted can be stored: no unencodable text anywhere in it.
        json.dumps(verdict.payload, ensure_ascii=False).encode("utf-8")
        assert verdict.request.identifier is not None
        assert (
            str(getattr(verdict.record, _ID[request.entity])).lower() == request.identifier.lower()
        )
    else:
        assert isinstance(verdict, Quarantined)
        # Quarantined under its record key: a printed hearing's names its Congress.
        assert verdict.identifier == request.key
        assert verdict.reason and len(verdict.reason) <= 400


_ID = {
    "meeting": "event_id",
    "committee": "system_code",
    "printed_hearing": "jacket_number",
    "member": "bioguide_id",
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), which=st.sampled_from(["meeting", "committee", "printed_hearing"]))
def test_any_field_at_any_depth_ends_in_a_record_or_a_quarantine(
    corpus: Corpus, data: st.DataObject, which: str
) -> None:
    request, body = {
        "meeting": a_meeting,
        "committee": a_committee,
        "printed_hearing": a_printed_hearing,
    }[which](corpus)
    path = data.draw(st.sampled_from(list(paths(body))))
    value = data.draw(HOSTILE)
    check_verdict(request, mutated(body, path, value, data.draw(st.booleans())))


@settings(max_examples=150, deadline=None)
@given(
    entry=st.one_of(
        HOSTILE,
        st.dictionaries(
            st.sampled_from(
                [
                    "eventId",
                    "chamber",
                    "congress",
                    "updateDate",
                    "url",
                    "jacketNumber",
                    "systemCode",
                ]
            ),
            HOSTILE,
        ),
    )
)
def test_any_list_entry_is_listed_quarantined_or_unnamed(entry: Any) -> None:
    for entity in ("meeting", "printed_hearing", "committee"):
        verdict = admit_entry(Request(entity, 119, "house"), entry, now=NOW)  # type: ignore[arg-type]
        assert isinstance(verdict, Listed | Quarantined | Unnamed)
        if isinstance(verdict, Listed):
            assert verdict.chamber == "house" and verdict.congress in (None, 119)
            assert verdict.update_date is None or verdict.update_date <= NOW.replace(year=2027)
