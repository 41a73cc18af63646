"""In Debian's chromium: search, open a hearing, follow a witness, download the committee's
iCalendar feed and parse it, sign in to the admin; screenshots of the key pages go to
tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from icalendar import Calendar
from playwright.sync_api import BrowserContext, Page, expect

from tests.web.browser_support import chromium, serve
from tests.web.conftest import ADMIN_TOKEN

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(app: FastAPI) -> Iterator[str]:
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    with chromium(
        profile, accept_downloads=True, viewport={"width": 1280, "height": 900}
    ) as context:
        yield context


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_search_open_a_hearing_follow_a_witness_and_get_the_committee_calendar(
    server: str, browser: BrowserContext, tmp_path: Path
) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server}/hearings")
    expect(page.locator("h1")).to_have_text("This week’s hearings")
    shot(page, "hearings-default")

    page.fill("#q", "Kurilla")
    page.click("form.filters button[type=submit]")
    expect(page.locator("h1")).to_have_text("Search: “Kurilla”")
    expect(page.locator("ol.results mark").first).to_have_text("Kurilla")
    shot(page, "search-results")

    page.locator("ol.results a.title").first.click()
    expect(page).to_have_url(f"{server}/hearings/118307")
    expect(page.locator("h1")).to_contain_text("U.S. Military Posture")
    expect(page.locator("dl.facts")).to_contain_text("Tuesday, June 10, 2025, 10 a.m. ET")
    shot(page, "hearing")

    page.get_by_role("link", name="Hon. Michael Kurilla").click()
    expect(page.locator("h1")).to_have_text("Michael Kurilla")
    expect(page.locator("table.grid").first).to_contain_text("U.S. Military Posture")
    shot(page, "witness")

    page.locator("table.grid a[href='/hearings/118307']").first.click()
    page.locator("dl.facts a[href='/committees/hsas00']").click()
    expect(page.locator("h1")).to_have_text("Armed Services Committee")
    shot(page, "committee")

    with page.expect_download() as download_info:
        page.locator("a.ics").click()
    saved = tmp_path / "committee.ics"
    download_info.value.save_as(saved)
    calendar = Calendar.from_ical(saved.read_bytes())
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert "meeting-118307@hearings" in uids
    assert str(calendar["X-WR-CALNAME"]).startswith("Armed Services Committee")
    assert not errors, errors


def test_canceled_calendar_and_filters_without_and_with_javascript(
    server: str, browser: BrowserContext
) -> None:
    page = browser.new_page()
    page.goto(f"{server}/hearings/118451")
    expect(page.get_by_role("alert")).to_contain_text("Canceled")
    shot(page, "hearing-canceled")

    page.goto(f"{server}/hearings?sort=newest")
    # With JavaScript a filter applies as soon as it changes.
    page.select_option("#status", "canceled")
    page.wait_for_url("**status=canceled**")
    expect(page.locator("ol.results > li")).to_have_count(4)
    shot(page, "hearings-canceled-filter")

    page.goto(f"{server}/calendar?month=2025-06")
    expect(page.locator("table.calendar")).to_contain_text("U.S. Militar")
    shot(page, "calendar")


def test_the_admin_after_signing_in(server: str, browser: BrowserContext) -> None:
    page = browser.new_page()
    response = page.goto(f"{server}/admin")
    assert response is not None and response.status == 401
    page.fill("#token", ADMIN_TOKEN)
    page.click("form.login button")
    expect(page.locator("h1")).to_have_text("Admin")
    expect(page.locator("figure.chart svg")).to_have_count(3)
    shot(page, "admin")
    page.click("form.logout button")
    expect(page).to_have_url(f"{server}/hearings")
