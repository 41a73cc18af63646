"""iCalendar and Atom feeds: they parse, canceled meetings are CANCELLED, SEQUENCE is the version
number."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import delete, select, update

from hearings.store import schema
from hearings.store.archive import Version, archive_versions, versions_of
from tests.web.conftest import Scratch

ATOM = "{http://www.w3.org/2005/Atom}"


def events(body: str) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {
        str(event["UID"]).removeprefix("meeting-").removesuffix("@hearings"): event
        for event in calendar.walk("VEVENT")
    }


def test_the_calendar_feed_parses_and_marks_canceled_meetings(client: TestClient) -> None:
    response = client.get("/feeds/hearings.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    found = events(response.text)
    assert len(found) == 148  # every meeting with a date (two stubs have none)
    canceled = found["118451"]
    assert str(canceled["STATUS"]) == "CANCELLED"  # type: ignore[index]
    assert str(found["118307"]["STATUS"]) == "CONFIRMED"  # type: ignore[index]
    assert str(found["118521"]["STATUS"]) == "TENTATIVE"  # type: ignore[index]
    start = found["118307"]["DTSTART"].dt  # type: ignore[index]
    assert start.isoformat() == "2025-06-10T14:00:00+00:00"
    assert "Rayburn" in str(found["118307"]["LOCATION"])  # type: ignore[index]
    assert all(len(line.encode()) <= 75 for line in response.text.split("\r\n"))


def test_a_committee_feed_covers_its_subcommittees(client: TestClient, engine: object) -> None:
    body = client.get("/feeds/committee/hsag00.ics").text
    found = events(body)
    with engine.connect() as connection:  # type: ignore[attr-defined]
        links = schema.hearing_committees
        expected = set(
            connection.execute(
                select(links.c.event_id).where(links.c.system_code.in_(["hsag00", "hsag29"]))
            ).scalars()
        )
    assert expected <= set(found)
    assert client.get("/feeds/committee/zzzz99.ics").status_code == 404
    assert client.get("/feeds/committee/bad!.ics").status_code == 400


def test_the_sequence_is_the_meetings_version_number(scratch: Scratch) -> None:
    """SEQUENCE counts the meeting's archived versions: a new version raises it, none is 0."""
    client = scratch.client()
    before = events(client.get("/feeds/hearings.ics").text)["118307"]
    assert int(before["SEQUENCE"]) == 1  # type: ignore[index]  # the import's version
    archive = schema.payload_archive
    with scratch.engine.begin() as connection:
        [first] = versions_of(connection, "meeting", "118307")
        changed = {**first.payload, "meetingStatus": "Canceled"}
        version = Version("meeting", "118307", "changed", changed, first.update_date)
        archive_versions(connection, [version], run_id=None, now=datetime(2025, 6, 12, 9, 0))
        connection.execute(
            update(schema.hearings)
            .where(schema.hearings.c.event_id == "118307")
            .values(status="Canceled", last_changed_at=datetime(2025, 6, 12, 9, 0))
        )
    after = events(client.get("/feeds/hearings.ics").text)["118307"]
    assert int(after["SEQUENCE"]) == 2  # type: ignore[index]
    assert str(after["STATUS"]) == "CANCELLED"  # type: ignore[index]
    with scratch.engine.begin() as connection:
        connection.execute(delete(archive).where(archive.c.identifier == "118307"))
    unarchived = events(client.get("/feeds/hearings.ics").text)["118307"]
    assert int(unarchived["SEQUENCE"]) == 0  # type: ignore[index]


def test_the_atom_feeds_list_new_and_changed_meetings(client: TestClient) -> None:
    response = client.get("/feeds/hearings.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 100
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)  # type: ignore[type-var]
    first = entries[0]
    assert first.findtext(f"{ATOM}id", "").startswith("urn:hearings:meeting:")
    assert first.findtext(f"{ATOM}title", "").startswith(("New: ", "Changed: "))
    per_committee = ElementTree.fromstring(client.get("/feeds/committee/hsgo00.atom").content)
    assert per_committee.findtext(f"{ATOM}title", "").endswith("new and changed hearings")
    assert per_committee.findall(f"{ATOM}entry")


def test_feed_timestamps_are_utc(client: TestClient) -> None:
    feed = ElementTree.fromstring(client.get("/feeds/hearings.atom").content)
    stamp = feed.findtext(f"{ATOM}updated", "")
    assert datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")
