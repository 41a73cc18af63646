"""The typed models read the API's quirks as API_FACTS describes them, and refuse a malformed
record with a `MalformedPayload` that names the record and the field."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

import hearings
from hearings.congress_api.committee_models import Committee
from hearings.congress_api.errors import MalformedPayload
from hearings.congress_api.member_models import Member
from hearings.congress_api.models import (
    Meeting,
    MeetingSummary,
    PrintedHearing,
    PrintedHearingSummary,
    chamber_path,
    parse_record,
)
from hearings.congress_api.values import parse_api_date, parse_api_datetime

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CORPUS = Path(hearings.__file__).parent / "replica" / "corpus" / "congress-119"


def _body(relative: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((SAMPLES / relative).read_text(encoding="utf-8"))
    return body


def _meeting(**fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"eventId": "115538", "congress": 119, "chamber": "House"}
    record.update(fields)
    return record


# ---- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2025-05-22T14:30:00Z",
        "2025-05-22 14:30:00+00:00",
        "2025-05-22T14:30:00+00:00",
        "2025-05-22 14:30:00Z",
        "2025-05-22T10:30:00-04:00",
        "2025-05-22 10:30:00-0400",
        " 2025-05-22T14:30:00Z ",
    ],
)
def test_both_datetime_formats_give_the_same_utc_instant(text: str) -> None:
    expected = datetime(2025, 5, 22, 14, 30, tzinfo=UTC)
    assert parse_api_datetime(text) == expected
    meeting = parse_record(Meeting, _meeting(date=text, updateDate=text), entity="committeeMeeting")
    assert meeting.date == expected
    assert meeting.update_date == expected
    assert meeting.date is not None and meeting.date.utcoffset() is not None


def test_a_date_only_value_in_a_datetime_field_is_midnight_utc() -> None:
    assert parse_api_datetime("2025-05-22") == datetime(2025, 5, 22, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2025-06-24", "20250624", "2025-W26-2", "2025W262", " 20250624 "])
def test_a_meeting_date_without_a_time_is_that_day_however_iso_spells_it(text: str) -> None:
    """Every ISO spelling of a bare day is the day, not midnight UTC: midnight UTC would show the
    meeting on the evening before in Washington, at a time nobody gave (found by a mutation
    campaign: `20250624` and `2025-W26-2` were stored as midnight UTC)."""
    meeting = parse_record(Meeting, _meeting(date=text), entity="committeeMeeting")
    assert meeting.date == date(2025, 6, 24) and not isinstance(meeting.date, datetime)


def test_hearing_dates_are_dates() -> None:
    hearing = parse_record(PrintedHearing, _body("hearing-item.json")["hearing"], entity="hearing")
    assert [d.date for d in hearing.dates] == [date(2020, 2, 11)]
    assert parse_api_date("2025-01-15") == date(2025, 1, 15)
    assert parse_api_date("2025-01-15 03:00:00+00:00") == date(2025, 1, 15)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_dates_are_none(value: str | None) -> None:
    assert parse_api_datetime(value) is None
    assert parse_api_date(value) is None


def test_old_and_new_hearing_update_dates_agree() -> None:
    new = _body("hearing-item.json")["hearing"]
    old = _body("variants/hearing-item-116-house-41365-2023-verbatim.json")["hearing"]
    assert old["updateDate"] != new["updateDate"]
    assert (
        parse_record(PrintedHearing, old, entity="hearing").update_date
        == parse_record(PrintedHearing, new, entity="hearing").update_date
    )


# ---- optional keys and identifiers ---------------------------------------------------------


def test_a_meeting_with_only_its_required_keys() -> None:
    meeting = parse_record(Meeting, _meeting(), entity="committeeMeeting")
    assert meeting.title is None and meeting.date is None and meeting.location is None
    assert meeting.committees == [] and meeting.witnesses == [] and meeting.videos == []
    assert meeting.witness_documents == [] and meeting.meeting_documents == []
    assert meeting.hearing_transcripts == [] and meeting.bills == []


def test_the_complete_hearing_without_transcript_or_related_items() -> None:
    body = _body("variants/committee-meeting-item-119-house-119557-complete.json")
    meeting = parse_record(Meeting, body["committeeMeeting"], entity="committeeMeeting")
    assert meeting.hearing_transcripts == []
    assert meeting.related_items is None
    assert meeting.witnesses


def test_a_markup_has_bills_and_no_witnesses() -> None:
    body = _body("variants/committee-meeting-item-119-house-119565-markup-trimmed.json")
    meeting = parse_record(Meeting, body["committeeMeeting"], entity="committeeMeeting")
    assert meeting.meeting_type == "Markup"
    assert meeting.witnesses == []
    assert len(meeting.bills) == 9
    assert all(isinstance(b.number, str) and isinstance(b.congress, int) for b in meeting.bills)


def test_event_ids_are_text_and_jacket_numbers_are_integers() -> None:
    meeting = parse_record(Meeting, _meeting(eventId=115538), entity="committeeMeeting")
    assert meeting.event_id == "115538"
    hearing = parse_record(
        PrintedHearingSummary,
        {"jacketNumber": 49104581, "congress": 118, "chamber": "House"},
        entity="hearings",
    )
    assert hearing.jacket_number == 49104581
    body = _body("variants/committee-meeting-item-118-house-115538-2023.json")
    meeting = parse_record(Meeting, body["committeeMeeting"], entity="committeeMeeting")
    assert meeting.event_id == "115538"
    assert [t.jacket_number for t in meeting.hearing_transcripts] == [51692]


def test_hearing_list_entries_carry_number_only_sometimes() -> None:
    body = _body("variants/hearing-list-all-2023.json")
    entries = [parse_record(PrintedHearingSummary, h, entity="hearings") for h in body["hearings"]]
    assert any(e.number is None for e in entries)
    assert any(e.number is not None for e in entries)
    assert {e.chamber for e in entries} <= {"House", "Senate", "NoChamber"}


def test_codes_and_chambers_are_normalized() -> None:
    meeting = parse_record(
        Meeting,
        _meeting(chamber="house", committees=[{"systemCode": " HSAP06 "}]),
        entity="committeeMeeting",
    )
    assert meeting.chamber == "House"
    assert meeting.committees[0].system_code == "hsap06"
    assert chamber_path("NoChamber") == "nochamber"
    assert chamber_path("House of Representatives") == "house"
    member = parse_record(Member, {"bioguideId": "w000832"}, entity="member")
    assert member.bioguide_id == "W000832"


def test_unknown_keys_are_ignored() -> None:
    meeting = parse_record(
        Meeting, _meeting(isManuallyCurated="Y", continuations=[{}]), entity="committeeMeeting"
    )
    assert meeting.event_id == "115538"


def test_meeting_summaries_from_the_2023_list() -> None:
    body = _body("variants/committee-meeting-list-all-2023.json")
    entries = [
        parse_record(MeetingSummary, m, entity="committeeMeetings")
        for m in body["committeeMeetings"]
    ]
    assert all(e.update_date is not None and e.update_date.tzinfo is not None for e in entries)


# ---- text kept verbatim --------------------------------------------------------------------


def test_titles_keep_crlf_bullets_and_curly_quotes() -> None:
    body = _body("variants/committee-meeting-item-118-house-115538-2023.json")
    raw_title = body["committeeMeeting"]["title"]
    meeting = parse_record(Meeting, body["committeeMeeting"], entity="committeeMeeting")
    assert meeting.title == raw_title
    assert "\r\n" in raw_title and "\u2022\t" in raw_title

    body = _body("committee-meeting-item.json")
    meeting = parse_record(Meeting, body["committeeMeeting"], entity="committeeMeeting")
    assert meeting.title == body["committeeMeeting"]["title"]
    assert meeting.title is not None and meeting.title.startswith("\u201c")


def test_html_is_kept_verbatim() -> None:
    title = 'Markup of <a href="https://example.gov/x">H.R. 1</a>  and  S. 2 '
    meeting = parse_record(Meeting, _meeting(title=title), entity="committeeMeeting")
    assert meeting.title == title
    body = _body("variants/member-item-L000174-2025.json")
    member = parse_record(Member, body["member"], entity="member")
    assert member.depiction is not None
    assert member.depiction.attribution == body["member"]["depiction"]["attribution"]
    assert member.depiction.attribution is not None
    assert member.depiction.attribution.startswith("<a href=")


# ---- members -------------------------------------------------------------------------------


def test_member_list_terms_are_wrapped_in_item() -> None:
    body = _body("variants/member-list-congress-117-ny-2025.json")
    raw = next(m for m in body["members"] if m["name"].startswith("Schumer"))
    assert isinstance(raw["terms"], dict) and "item" in raw["terms"]
    member = parse_record(Member, raw, entity="members")
    assert [t.chamber for t in member.terms] == ["House of Representatives", "Senate"]
    assert member.latest_chamber == "Senate"
    assert member.district is None


def test_member_list_names_read_in_direct_order() -> None:
    body = _body("member-list.json")
    member = parse_record(Member, body["members"][0], entity="members")
    assert member.name == "Wahab, Aisha"
    assert member.display_name == "Aisha Wahab"
    suffixed = parse_record(
        Member, {"bioguideId": "B000490", "name": "Bishop, Sanford D., Jr."}, entity="members"
    )
    assert suffixed.display_name == "Sanford D. Bishop Jr."


def test_member_item_uses_its_direct_order_name_and_party_history() -> None:
    member = parse_record(Member, _body("member-item.json")["member"], entity="member")
    assert member.display_name == "Aisha Wahab"
    assert member.party == "Democratic"
    assert member.terms and member.terms[0].congress == 119


# ---- committees ----------------------------------------------------------------------------


def test_committee_item_name_comes_from_current_history() -> None:
    committee = parse_record(Committee, _body("committee-item.json")["committee"], entity="c")
    assert committee.display_name == "Immigration Integrity, Security, and Enforcement"
    assert committee.parent is not None and committee.parent.system_code == "hsju00"


def test_historical_committee_with_loc_system_code() -> None:
    body = _body("variants/committee-item-senate-n79043125-historical-2026.json")
    committee = parse_record(Committee, body["committee"], entity="committee")
    assert committee.system_code == "n79043125"
    assert committee.is_current is False
    assert committee.display_name == "Indian Affairs"


# ---- stubs ---------------------------------------------------------------------------------


def test_a_senate_stub_has_no_title_and_no_date() -> None:
    path = CORPUS / "committee-meeting" / "119" / "senate" / "336593.json"
    record = json.loads(path.read_text(encoding="utf-8"))["committeeMeeting"]
    meeting = parse_record(Meeting, record, entity="committeeMeeting")
    assert meeting.is_stub
    assert meeting.chamber == "Senate"


@pytest.mark.parametrize(
    ("fields", "stub"),
    [
        ({}, True),
        ({"title": "  \r\n"}, True),
        ({"title": "Business Meeting"}, False),
        ({"date": "2025-02-04T15:00:00Z"}, False),
    ],
)
def test_is_stub(fields: dict[str, Any], stub: bool) -> None:
    meeting = parse_record(Meeting, _meeting(chamber="Senate", **fields), entity="committeeMeeting")
    assert meeting.is_stub is stub


# ---- malformed records ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"date": "not a date"}, "date"),
        ({"updateDate": "2025-13-45T00:00:00Z"}, "updateDate"),
        ({"congress": "abc"}, "congress"),
        ({"congress": True}, "congress"),
        ({"chamber": "Moon"}, "chamber"),
        ({"hearingTranscript": [{"jacketNumber": "x"}]}, "hearingTranscript.0.jacketNumber"),
        ({"committees": [{"systemCode": ""}]}, "committees.0.systemCode"),
        ({"witnesses": "Jane Doe"}, "witnesses"),
    ],
)
def test_a_malformed_record_names_its_id_and_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(MalformedPayload) as caught:
        parse_record(Meeting, _meeting(**fields), entity="committeeMeeting")
    error = caught.value
    assert error.entity == "committeeMeeting"
    assert error.identifier == "115538"
    assert error.field == field
    assert "115538" in str(error)
    assert repr(field) in str(error)


def test_a_missing_event_id_is_named_by_the_identifier_the_caller_knows() -> None:
    record = _meeting()
    del record["eventId"]
    with pytest.raises(MalformedPayload) as caught:
        parse_record(Meeting, record, entity="committeeMeeting", identifier="115538")
    assert caught.value.field == "eventId"
    assert "115538" in str(caught.value) and "'eventId'" in str(caught.value)


@pytest.mark.parametrize("event_id", [None, "", "   ", True])
def test_a_blank_or_absurd_event_id_is_reported_as_unknown(event_id: object) -> None:
    record = _meeting(eventId=event_id)
    with pytest.raises(MalformedPayload) as caught:
        parse_record(Meeting, record, entity="committeeMeeting")
    assert caught.value.identifier == "?"
    assert caught.value.field == "eventId"


def test_a_jacket_number_must_be_a_number() -> None:
    with pytest.raises(MalformedPayload) as caught:
        parse_record(PrintedHearing, {"jacketNumber": "abc", "congress": 119}, entity="hearing")
    assert caught.value.field == "jacketNumber"


def test_a_record_that_is_not_an_object() -> None:
    with pytest.raises(MalformedPayload, match="committeeMeeting 115538: expected a JSON object"):
        parse_record(Meeting, ["115538"], entity="committeeMeeting", identifier="115538")
