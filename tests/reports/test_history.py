"""`hearings history`: a meeting's archived versions, oldest first, with what changed in plain
sentences, checked against the payloads of a day of changes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from hearings.reports.history import describe_changes
from hearings.web.app import create_app
from tests.sync.harness import Harness, api_time

EVENT = "118278"  # Rayburn 1324, Wed May 21 2025 10:30 a.m. ET, three witnesses, a video


def _upstream(harness: Harness, minutes_ago: int, edit: object) -> None:
    body = harness.corpus.meeting(EVENT)
    assert body is not None
    edit(body)  # type: ignore[operator]
    body["updateDate"] = api_time(datetime.now(UTC) - timedelta(minutes=minutes_ago))
    harness.corpus.put_meeting(body)


def test_a_meetings_history_says_what_changed_in_each_version(harness: Harness) -> None:
    def postpone(body: dict) -> None:  # type: ignore[type-arg]
        body["meetingStatus"] = "Postponed"

    _upstream(harness, 30, postpone)
    harness.run("update")

    def reschedule(body: dict) -> None:  # type: ignore[type-arg]
        body["meetingStatus"] = "Rescheduled"
        body["date"] = "2025-05-23T18:00:00Z"
        body["location"] = {"building": "Longworth House Office Building", "room": "1100"}
        body["title"] = body["title"] + " (rescheduled)"
        gone = body["witnesses"].pop(0)
        assert gone["name"] == "Rachel McArdle"
        body["witnesses"].append(
            {"name": "Dr. Jane Roe", "organization": "GAO", "position": "Director"}
        )
        body["meetingDocuments"] += [
            {"name": "Memo", "url": "https://example.org/a.pdf", "documentType": "Other"},
            {"name": "Memo 2", "url": "https://example.org/b.pdf", "documentType": "Other"},
        ]
        body["videos"] = body["videos"][:1]
        body["relatedItems"] = {"bills": [{"congress": 119, "type": "HR", "number": "1"}]}

    _upstream(harness, 10, reschedule)
    harness.run("update")

    shown = harness.cli("history", EVENT, "--json")
    assert shown.returncode == 0, shown.stderr
    versions = json.loads(shown.stdout)["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[0]["changes"] == ["First seen"]
    assert versions[1]["changes"] == ["Status: Scheduled → Postponed"]
    assert versions[2]["changes"] == [
        "Status: Postponed → Rescheduled",
        "Moved from Wed May 21, 10:30 a.m. to Fri May 23, 2:00 p.m. ET",
        "Title changed",
        "Room 1324 Rayburn → 1100 Longworth",
        "Witness added: Dr. Jane Roe (GAO)",
        "Witness removed: Rachel McArdle (Department of Veterans Affairs)",
        "Documents: +2",
        "Video removed",
        "Bill added: H.R. 1",
    ]
    runs = [v["run_id"] for v in versions]
    assert runs == sorted(runs) and len(set(runs)) == 3
    text = harness.cli("history", EVENT).stdout
    assert "Version 3" in text and "• Room 1324 Rayburn → 1100 Longworth" in text


def test_history_of_a_meeting_never_archived_is_one_sentence(harness: Harness) -> None:
    shown = harness.cli("history", "999999")
    assert shown.returncode == 1
    assert "no version of meeting '999999'" in shown.stderr
    assert "Traceback" not in shown.stderr
    word = harness.cli("history", "abc")
    assert word.returncode == 2
    assert " ".join(word.stderr.split()) == (
        "Error: 'abc' is not an event id: event ids are numbers, such as 118278 "
        "(`hearings export hearings` lists them)."
    )
    # Digits of another script are decimal to Python, and no event id the API gives.
    assert harness.cli("history", "\u0661\u0662\u0663").returncode == 2


@pytest.mark.parametrize(
    ("event_id", "code", "sentence"),
    [
        ("9" * 10_000, 1, "Error: The archive holds no version of meeting '999"),
        ("a" * 10_000, 2, "Error: 'aaa"),
    ],
    ids=["digits", "letters"],
)
def test_a_huge_event_id_is_quoted_short_with_its_length(
    harness: Harness, event_id: str, code: int, sentence: str
) -> None:
    # The web API quotes the same id the same way (`hearings.errors.quoted`).
    shown = harness.cli("history", event_id)
    assert shown.returncode == code
    lines = shown.stderr.splitlines()
    assert len(lines) == 1, shown.stderr[:500]
    assert lines[0].startswith(sentence)
    assert "(10,000 characters)" in lines[0]
    assert len(lines[0]) < 300


def test_a_witness_who_stays_with_a_new_position_or_organization_is_one_sentence(
    harness: Harness,
) -> None:

    def move_people(body: dict) -> None:  # type: ignore[type-arg]
        scholten, latona = body["witnesses"][1], body["witnesses"][2]
        assert (scholten["name"], latona["name"]) == ("Prof. Joel Scholten", "Mr. Jason Latona")
        scholten["position"] = "Chief of Staff"
        latona["organization"] = "GAO"
        latona["position"] = "Director"
        # The same person, written without his title: the name as given is what changed.
        body["witnesses"][3]["name"] = "Brigadier General Tom Landwermeyer"
        body["witnesses"].append({"name": "Jason Latona", "organization": "OMB", "position": None})
        body["witnessDocuments"] = body["witnessDocuments"][:3]

    _upstream(harness, 10, move_people)
    harness.run("update")

    shown = harness.cli("history", EVENT, "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["versions"][1]["changes"] == [
        # Two Jason Latonas now: the first in the list is the one before, the second is new.
        "Witness added: Jason Latona (OMB)",
        "Witness changed: Prof. Joel Scholten: position Executive Director, Physical Medicine "
        "and Rehabilitation Service → Chief of Staff",
        "Witness changed: Mr. Jason Latona: position Assistant Director, Loan Guaranty Service "
        "→ Director; organization Department of Veterans Affairs → GAO",
        "Witness changed: Brigadier General Tom Landwermeyer: name Mrs. Brigadier General Tom "
        "Landwermeyer → Brigadier General Tom Landwermeyer",
        "Documents: −11",
    ]
    changes = harness.cli("history", EVENT).stdout
    assert "• Witness changed: Prof. Joel Scholten: position" in changes
    report = harness.cli("report", "--format", "markdown")
    assert report.returncode == 0, report.stderr
    assert (
        "witnesses: +Jason Latona (OMB), Prof. Joel Scholten changed (position Executive "
        "Director, Physical Medicine and Rehabilitation Service → Chief of Staff), Mr. Jason "
        "Latona changed (position Assistant Director, Loan Guaranty Service → Director; "
        "organization Department of Veterans Affairs → GAO)"
    ) in report.stdout


def test_the_history_json_is_the_object_the_api_gives(harness: Harness) -> None:
    _upstream(harness, 10, lambda body: body.update(meetingStatus="Postponed"))
    harness.run("update")

    shown = harness.cli("history", EVENT, "--json")
    assert shown.returncode == 0, shown.stderr
    with TestClient(create_app(harness.engine(), settings=harness.settings())) as client:
        served = client.get(f"/api/hearings/{EVENT}/history")
    assert served.status_code == 200
    assert json.loads(shown.stdout) == served.json()
    assert served.json()["version_count"] == 2


def test_documents_without_a_url_are_counted_when_they_come_gain_a_url_and_go(
    harness: Harness,
) -> None:
    conferees = {"description": "Conferee list", "documentType": "Generic Document"}
    statement = {"name": "Statement", "documentType": "Support Document"}

    def add_both(body: dict) -> None:  # type: ignore[type-arg]
        body["meetingDocuments"] += [dict(conferees), dict(statement)]

    def link_conferees(body: dict) -> None:  # type: ignore[type-arg]
        body["meetingDocuments"][-2]["url"] = "https://example.org/conferees.pdf"

    def drop_statement(body: dict) -> None:  # type: ignore[type-arg]
        assert body["meetingDocuments"].pop() == statement

    for minutes_ago, edit in ((30, add_both), (20, link_conferees), (10, drop_statement)):
        _upstream(harness, minutes_ago, edit)
        harness.run("update")

    shown = harness.cli("history", EVENT, "--json")
    assert shown.returncode == 0, shown.stderr
    assert [v["changes"] for v in json.loads(shown.stdout)["versions"]] == [
        ["First seen"],
        ["Documents: +2"],
        ["Documents: 1 link added"],
        ["Documents: −1"],
    ]
    # The page, the API and the feeds say it with the same sentences.
    with TestClient(create_app(harness.engine(), settings=harness.settings())) as client:
        assert client.get(f"/api/hearings/{EVENT}/history").json() == json.loads(shown.stdout)
        changes = client.get("/api/changes").json()["results"]
        assert [c["changes"] for c in changes if c["event_id"] == EVENT] == [
            ["Documents: −1"],
            ["Documents: 1 link added"],
            ["Documents: +2"],
        ]
        assert "Documents: 1 link added" in client.get("/feeds/changes.atom").text


def test_a_new_chamber_or_congress_is_said_in_a_sentence(harness: Harness) -> None:
    _upstream(harness, 20, lambda body: body.update(chamber="Senate"))
    harness.run("update")
    _upstream(harness, 10, lambda body: body.update(congress=118))
    # Only the 118th's list has it now, a Congress the database has yet to import.
    moved = harness.cli("import", "--congress", "118")
    assert moved.returncode == 0, moved.stderr

    shown = harness.cli("history", EVENT, "--json")
    assert shown.returncode == 0, shown.stderr
    assert [v["changes"] for v in json.loads(shown.stdout)["versions"]][1:] == [
        ["Chamber: House → Senate"],
        ["Congress: 119th → 118th"],
    ]


@given(
    st.dates(date(1990, 1, 1), date(2100, 12, 31)), st.dates(date(1990, 1, 1), date(2100, 12, 31))
)
def test_a_day_without_a_time_moves_as_a_day(was: date, now: date) -> None:
    """A bare day is said as that day, never with a time or a zone; the years show when the
    move crosses into another one."""
    sentences = describe_changes({"date": was.isoformat()}, {"date": now.isoformat()})
    if was == now:
        assert sentences == []
        return
    years = was.year != now.year

    def day(d: date) -> str:
        return f"{d:%a %b} {d.day}" + (f", {d.year}" if years else "")

    assert sentences == [f"Moved from {day(was)} to {day(now)}"]


def test_a_committee_added_or_removed_is_named() -> None:
    appropriations = {"name": "Appropriations Committee", "systemCode": "hsap00"}
    highways = {"name": "Highways and Transit Subcommittee", "systemCode": "hspw12"}
    both = {"committees": [appropriations, highways]}
    assert describe_changes({"committees": [appropriations]}, both) == [
        "Committee added: Highways and Transit Subcommittee"
    ]
    assert describe_changes(both, {"committees": []}) == [
        "Committee removed: Appropriations Committee",
        "Committee removed: Highways and Transit Subcommittee",
    ]
    # The same committee under another name, or its code in capitals, is no change.
    renamed = {**appropriations, "name": "House Appropriations", "systemCode": "HSAP00"}
    assert describe_changes({"committees": [appropriations]}, {"committees": [renamed]}) == []


def test_a_value_that_leaves_a_direction_open_is_closed_where_it_ends() -> None:
    """An override the API never closes (U+202E) reversed the rest of its sentence wherever a
    sentence is shown (the History section, /changes, the change feeds): the organization after
    a witness's name, the clauses after it, the building after the room."""
    witness = {"name": "Dr. \u202eJane Roe", "organization": "GAO", "position": "Director"}
    promoted = {**witness, "position": "Deputy \u2067Director"}
    before = {"witnesses": [], "location": {"room": "2123\u202b", "building": "Rayburn"}}
    after = {
        "witnesses": [witness],
        "location": {"room": "1100", "building": "Longworth"},
        "committees": [{"name": "Armed \u202eServices", "systemCode": "hsas00"}],
    }
    assert describe_changes(before, after) == [
        "Room 2123\u202b\u202c Rayburn → 1100 Longworth",
        "Committee added: Armed \u202eServices\u202c",
        "Witness added: Dr. \u202eJane Roe\u202c (GAO)",
    ]
    assert describe_changes({"witnesses": [witness]}, {"witnesses": [promoted]}) == [
        "Witness changed: Dr. \u202eJane Roe\u202c: position Director → Deputy \u2067Director\u2069"
    ]


def test_a_move_to_a_field_hearings_address_names_the_address() -> None:
    rayburn = {"location": {"room": "2123", "building": "Rayburn House Office Building"}}
    austin = {"address": {"streetAddress": "1100 Congress Ave", "city": "Austin", "state": "TX"}}
    assert describe_changes(rayburn, {"location": austin}) == [
        "Room 2123 Rayburn → 1100 Congress Ave, Austin, TX"
    ]
    # An address as text, and an address given beside the same room, are said too.
    assert describe_changes(rayburn, {"location": {"address": "City Hall, Tulsa, OK"}}) == [
        "Room 2123 Rayburn → City Hall, Tulsa, OK"
    ]
    beside = {"location": {**rayburn["location"], "address": "Washington, DC"}}
    assert describe_changes(rayburn, beside) == ["Room 2123 Rayburn → 2123 Rayburn, Washington, DC"]
    assert describe_changes({"location": austin}, {"location": austin}) == []


def test_a_time_given_or_taken_away_on_the_same_day_is_not_a_move() -> None:
    day, moment = {"date": "2025-06-24"}, {"date": "2025-06-24T14:00:00Z"}
    assert describe_changes(day, moment) == ["Time given: Tue Jun 24, 10:00 a.m. ET"]
    assert describe_changes(moment, day) == ["Time removed: Tue Jun 24 (was 10:00 a.m. ET)"]
    # 2025-06-25T02:00:00Z is still the 24th in Washington.
    late = {"date": "2025-06-25T02:00:00Z"}
    assert describe_changes(day, late) == ["Time given: Tue Jun 24, 10:00 p.m. ET"]
    assert describe_changes({"date": "2025-06-26"}, moment) == [
        "Moved from Thu Jun 26 to Tue Jun 24, 10:00 a.m. ET"
    ]


def test_a_date_removed_says_what_it_was() -> None:
    """As "Moved from … to …" says it: the day and time in Washington, or the day alone."""
    assert describe_changes({"date": "2025-10-07T14:00:00Z"}, {"date": None}) == [
        "Date removed (was Tue Oct 7, 10:00 a.m. ET)"
    ]
    assert describe_changes({"date": "2025-06-24"}, {}) == ["Date removed (was Tue Jun 24)"]


def test_a_meeting_back_as_it_was_is_a_version_of_its_own_that_rebuild_keeps(
    harness: Harness,
) -> None:
    """Postponed, then back on as first scheduled: the return is a version, it raises the
    calendar's SEQUENCE, and a rebuild derives the meeting as it is now, not as it was."""
    first = harness.corpus.meeting(EVENT)
    assert first is not None and first["meetingStatus"] == "Scheduled"
    _upstream(harness, 30, lambda body: body.update(meetingStatus="Postponed"))
    harness.run("update")
    _upstream(harness, 10, lambda body: body.update(meetingStatus="Scheduled"))
    harness.run("update")

    shown = harness.cli("history", EVENT, "--json")
    assert shown.returncode == 0, shown.stderr
    versions = json.loads(shown.stdout)["versions"]
    assert [v["changes"] for v in versions] == [
        ["First seen"],
        ["Status: Scheduled → Postponed"],
        ["Status: Postponed → Scheduled"],
    ]
    app = create_app(harness.engine(), settings=harness.settings())
    with TestClient(app) as client:
        calendar = client.get("/feeds/hearings.ics").text
    event = calendar.split(f"UID:meeting-{EVENT}@hearings")[1].split("END:VEVENT")[0]
    assert "SEQUENCE:3" in event and "STATUS:CONFIRMED" in event

    before = harness.export()
    rebuilt = harness.cli("rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert harness.export() == before
    assert harness.hearing(EVENT).status == "Scheduled"


def test_a_video_url_that_only_gains_spaces_is_the_same_video() -> None:
    """The store keeps one video per URL with its spacing ignored, as it keeps documents; a URL
    that gained a space upstream read "Video added; Video removed" for no change."""
    url = "https://www.youtube.com/watch?v=abc123"
    before = {"videos": [{"name": "Hearing", "url": url}]}
    spaced = {"videos": [{"name": "Hearing", "url": f" {url}\t"}]}
    assert describe_changes(before, spaced) == []
    moved = {"videos": [{"name": "Hearing", "url": url + "x"}]}
    assert describe_changes(before, moved) == ["Video added", "Video removed"]
