"""A meeting whose date came without a time (`"date": "2025-06-24"`), over real HTTP: every page,
the JSON API, the feeds and the search export show that day, in Eastern Time, and no time; lists,
the week and the calendar file it on that day; the calendar feed makes it an all-day event; its
history says what happened to its day."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hearings.congress_api.models import Meeting as ApiMeeting
from hearings.congress_api.models import parse_record
from hearings.store.archive import Version, archive_versions, versions_of
from hearings.store.meeting_writer import apply_meetings
from hearings.store.records import content_hash, meeting_rows
from hearings.web.app import create_app
from tests.web.conftest import FIXED_NOW, Scratch
from tests.web.live import live_server

EVENT = "118278"  # Rayburn 1324, Wed May 21 2025 10:30 a.m. ET


def write_version(scratch: Scratch, **changes: object) -> None:
    """A new version of EVENT, written as a run writes one: parsed, turned into rows, applied and
    archived. It is the newest change (the Atom feed lists those first)."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(minutes=1)
    with scratch.engine.begin() as connection:
        latest = versions_of(connection, "meeting", EVENT)[-1]
        payload = {**latest.payload, **changes}
        parsed = parse_record(ApiMeeting, payload, entity="meeting")
        apply_meetings(connection, [meeting_rows(parsed, content_hash(payload), now)], now)
        version = Version("meeting", EVENT, content_hash(payload), payload, latest.update_date)
        archive_versions(connection, [version], run_id=None, now=now)


@pytest.fixture
def site(scratch: Scratch) -> Iterator[str]:
    """The app, serving a database where EVENT's date came as a bare day."""
    write_version(scratch, date="2025-06-24")
    app = create_app(scratch.engine, settings=scratch.database.settings(), clock=lambda: FIXED_NOW)
    with live_server(app) as base:
        yield base


def test_the_hearing_page_shows_the_day_and_no_time(site: str) -> None:
    html = httpx.get(f"{site}/hearings/{EVENT}", timeout=60).text
    assert '<time datetime="2025-06-24"' in html
    assert "Tuesday, June 24, 2025, time not given" in html
    # Not the evening before (8 p.m. ET on June 23). Not "8 p.m." as a bare substring: the
    # footer's last-update time ("12:48 p.m. ET") has it whenever that minute ends in 8.
    assert "June 23" not in html and not re.search(r"(?<![\d:])8(?::00)? p\.m\.", html)


def test_the_json_api_gives_the_day_as_a_date(site: str) -> None:
    meeting = httpx.get(f"{site}/api/hearings/{EVENT}", timeout=60).json()
    assert meeting["start"] == "2025-06-24"
    found = httpx.get(
        f"{site}/api/hearings", params={"from": "2025-06-24", "to": "2025-06-24"}, timeout=60
    )
    [result] = [r for r in found.json()["results"] if r["event_id"] == EVENT]
    assert result["start"] == "2025-06-24"
    assert result["start_eastern"] == "Tuesday, June 24, 2025, time not given"


def test_lists_file_it_on_its_day(site: str) -> None:
    def listed(**days: str) -> bool:
        page = httpx.get(f"{site}/hearings", params={**days, "per_page": "100"}, timeout=60)
        assert page.status_code == 200
        return f'href="/hearings/{EVENT}"' in page.text

    assert listed(**{"from": "2025-06-24"})
    assert listed(**{"from": "2025-06-24", "to": "2025-06-24"})
    assert not listed(**{"to": "2025-06-23"})
    assert not listed(**{"from": "2025-06-25"})
    row = httpx.get(
        f"{site}/hearings", params={"from": "2025-06-24", "to": "2025-06-24"}, timeout=60
    ).text
    assert '<time datetime="2025-06-24">Jun 24, 2025</time>' in row


def test_the_week_and_the_calendar_put_it_on_its_day(site: str) -> None:
    week = httpx.get(f"{site}/hearings", params={"week": "2025-06-24"}, timeout=60).text
    tuesday = week.split('id="day-2025-06-24"')[1].split('id="day-2025-06-25"')[0]
    assert f'href="/hearings/{EVENT}"' in tuesday
    assert "Time not given" in tuesday
    assert f'href="/hearings/{EVENT}"' not in week.split('id="day-2025-06-24"')[0]
    month = httpx.get(f"{site}/calendar", params={"month": "2025-06"}, timeout=60).text
    cell = re.search(r'datetime="2025-06-24".*?(?=<time datetime="2025-06-25"|$)', month, re.S)
    assert cell is not None and f'href="/hearings/{EVENT}"' in cell.group(0)


def test_the_calendar_feed_makes_it_an_all_day_event(site: str) -> None:
    ics = httpx.get(f"{site}/feeds/hearings.ics", timeout=60).text
    event = next(e for e in ics.split("BEGIN:VEVENT") if f"UID:meeting-{EVENT}@" in e)
    lines = event.replace("\r\n ", "").split("\r\n")
    assert "DTSTART;VALUE=DATE:20250624" in lines
    assert "DTEND;VALUE=DATE:20250625" in lines
    assert not any(line.startswith(("DTSTART:", "DTEND:")) for line in lines)
    assert "Tuesday\\, June 24\\, 2025\\, time not given" in event.replace("\r\n ", "")
    atom = httpx.get(f"{site}/feeds/hearings.atom", timeout=60).text
    assert "Tuesday, June 24, 2025, time not given." in atom


def test_the_search_export_gives_the_day(site: str) -> None:
    exported = httpx.get(
        f"{site}/hearings.json", params={"from": "2025-06-24", "to": "2025-06-24"}, timeout=60
    )
    [record] = [r for r in exported.json() if r["event_id"] == EVENT]
    assert record["start"] == "2025-06-24"


def test_the_history_says_what_happened_to_its_day(scratch: Scratch) -> None:
    write_version(scratch, date="2025-06-24")
    write_version(scratch, date="2025-06-26")
    write_version(scratch, date="2025-06-26T18:00:00Z")
    write_version(scratch, date="2026-01-05")
    app = create_app(scratch.engine, settings=scratch.database.settings(), clock=lambda: FIXED_NOW)
    with live_server(app) as base:
        history = httpx.get(f"{base}/api/hearings/{EVENT}/history", timeout=60).json()
        page = httpx.get(f"{base}/hearings/{EVENT}", timeout=60).text
    changes = [v["changes"] for v in history["versions"]]
    assert changes[-4:] == [
        ["Moved from Wed May 21, 10:30 a.m. ET to Tue Jun 24"],
        ["Moved from Tue Jun 24 to Thu Jun 26"],
        ["Time given: Thu Jun 26, 2:00 p.m. ET"],
        ["Moved from Thu Jun 26, 2025, 2:00 p.m. ET to Mon Jan 5, 2026"],
    ]
    assert "Moved from Tue Jun 24 to Thu Jun 26" in page
    assert "Monday, January 5, 2026, time not given" in page


def test_the_witness_list_gives_a_last_appearance_on_that_day_as_the_day(site: str) -> None:
    found = httpx.get(f"{site}/api/witnesses", params={"q": "Landwermeyer"}, timeout=60).json()[
        "results"
    ]
    assert [w["last_appearance"] for w in found] == ["2025-06-24"]
    page = httpx.get(f"{site}/witnesses", params={"q": "Landwermeyer"}, timeout=60).text
    assert "Jun 24, 2025" in page and "Jun 23, 2025" not in page


def test_date_spans_end_on_the_day_of_a_meeting_dated_without_a_time(scratch: Scratch) -> None:
    """/api/stats, its `congresses` and a committee's meetings by Congress give a first or last
    meeting whose date came without a time as that day, as a single meeting's start is."""

    def spans() -> list[tuple[str, str]]:
        # A new app each time: an app keeps /api/stats for some seconds.
        settings = scratch.database.settings()
        app = create_app(scratch.engine, settings=settings, clock=lambda: FIXED_NOW)
        with live_server(app) as base:
            [primary, *_] = httpx.get(f"{base}/api/hearings/{EVENT}", timeout=60).json()[
                "committees"
            ]
            code = primary["system_code"]
            stats = httpx.get(f"{base}/api/stats", timeout=60).json()
            selected = httpx.get(f"{base}/api/stats", params={"congress": "119"}, timeout=60).json()
            committee = httpx.get(f"{base}/api/committees/{code}", timeout=60).json()
        [by_congress] = [c for c in committee["meetings_by_congress"] if c["congress"] == 119]
        found = [stats, selected, stats["congresses"][0], by_congress]
        return [(f["first_meeting"], f["last_meeting"]) for f in found]

    # Before the 119th Congress met, and after the corpus's last meeting.
    write_version(scratch, date="2025-01-02")
    assert all(first == "2025-01-02" and last.endswith("Z") for first, last in spans())
    write_version(scratch, date="2026-12-30")
    assert all(first.endswith("Z") and last == "2026-12-30" for first, last in spans())
    # A moment on that day is later than the day: it is the last meeting.
    write_version(scratch, date="2026-12-30T15:00:00Z")
    assert all(last == "2026-12-30T15:00:00Z" for _, last in spans())
