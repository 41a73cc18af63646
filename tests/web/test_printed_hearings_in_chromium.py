"""In Debian's chromium: a user who types a printed hearing's title into the search box of
/hearings, though its meeting is not in this database, reaches the printed hearing's page, and
that page says what it knows of the meeting."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext
from sqlalchemy import delete

from hearings.store import schema
from hearings.store.search_index import refresh_search_index
from hearings.web.app import create_app
from tests.web.conftest import FIXED_NOW, Scratch
from tests.web.live import live_server

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ORPHAN_MEETING = "117791"

pytestmark = pytest.mark.browser


# SQLite alone: the subject is the user's way through the pages; test_printed_hearing_search
# checks the same pages on both backends.
@pytest.mark.parametrize("web_database", ["sqlite"], indirect=True)
def test_a_search_leads_to_a_printed_hearing_whose_meeting_is_not_here(
    scratch: Scratch, browser: BrowserContext
) -> None:
    hearings = schema.hearings
    with scratch.engine.begin() as connection:
        connection.execute(delete(hearings).where(hearings.c.event_id == ORPHAN_MEETING))
        refresh_search_index(connection, [ORPHAN_MEETING])
    app = create_app(scratch.engine, settings=scratch.database.settings(), clock=lambda: FIXED_NOW)
    with live_server(app) as base:
        page = browser.new_page()
        page.goto(f"{base}/hearings")
        page.fill("#q", "no rogue rulings")
        page.press("#q", "Enter")
        page.wait_for_url("**/hearings?*q=no+rogue+rulings*")
        assert "No meetings match." in page.locator("main").inner_text()

        page.click("text=Also 1 printed hearing whose meeting is not in this database")
        group = page.locator("section.printed-matches")
        assert group.is_visible()
        page.click("section.printed-matches a[href='/printed-hearings/119/60120']")
        page.wait_for_url(f"{base}/printed-hearings/119/60120")

        meeting = page.locator("section[aria-labelledby='meeting-h']").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "printed-hearing-missing-meeting.png"), full_page=True)
        assert f"Meeting {ORPHAN_MEETING} is not in this database" in meeting
        assert "held 2025-03-31, House, 119th Congress, before Appropriations Committee." in (
            meeting
        )
        link = page.locator("a", has_text="Look for the meeting on congress.gov")
        assert link.get_attribute("href") == (
            f"https://www.congress.gov/event/119th-Congress/house-event/{ORPHAN_MEETING}"
        )
