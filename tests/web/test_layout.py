"""In Debian's chromium at desktop (1366×900) and phone (390×844) sizes, on a thousand meetings:
no page is wider than the screen, the first search result is above the fold, the week view has
its day headings and week links, subcommittees are named with their parent, and the phone gets
folded filters and an agenda calendar. Screenshots of every page's first screen at both sizes go to
tests/artifacts/layout/; whole pages too with HEARINGS_FULL_PAGE_SHOTS=1 (they take longer than
the checks themselves: about 17 s of a 31 s test)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Engine, func, select

from hearings.store import schema
from hearings.store.opening import open_database
from hearings.web.app import create_app
from hearings.web.committee_names import committee_label
from hearings.web.organization_slugs import organization_slug
from tests.web.browser_support import CHROMIUM, CHROMIUM_ARGS, serve
from tests.web.conftest import ADMIN_TOKEN, FIXED_NOW, WebDatabase

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "layout"
FULL_PAGE_SHOTS = os.environ.get("HEARINGS_FULL_PAGE_SHOTS") == "1"
SCREENS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def large_engine(large_database: WebDatabase) -> Iterator[Engine]:
    engine = open_database(large_database.url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def site(large_database: WebDatabase, large_engine: Engine) -> Iterator[str]:
    app: FastAPI = create_app(
        large_engine, settings=large_database.settings(), clock=lambda: FIXED_NOW
    )
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module", params=list(SCREENS))
def screen(request: pytest.FixtureRequest, chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(
        viewport=SCREENS[request.param],  # type: ignore[arg-type]
        # The admin answers a bearer token as well as its sign-in form.
        extra_http_headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    # Nothing may load from another site; YouTube would be the only one to try.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    page = context.new_page()
    page.screen_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture(scope="module")
def subcommittees(large_engine: Engine) -> dict[str, str]:
    """Each subcommittee's code and the label it must be shown with."""
    committees = schema.committees
    parents = committees.alias("parents")
    with large_engine.connect() as connection:
        rows = connection.execute(
            select(
                committees.c.system_code, committees.c.name, parents.c.name.label("parent")
            ).join(parents, parents.c.system_code == committees.c.parent_code)
        ).all()
    return {r.system_code: committee_label(r.name, r.system_code, r.parent) for r in rows}


@pytest.fixture(scope="module")
def samples(large_engine: Engine, subcommittees: dict[str, str]) -> dict[str, Any]:
    """Ids of real records to open: a busy witness, a member, meetings of subcommittees."""
    appearances, witnesses = schema.witness_appearances, schema.witnesses
    links = schema.hearing_committees
    with large_engine.connect() as connection:
        witness = connection.execute(
            select(witnesses.c.witness_id, witnesses.c.organization_key)
            .join(appearances, appearances.c.witness_id == witnesses.c.witness_id)
            .where(witnesses.c.organization_key != "")
            .group_by(witnesses.c.witness_id, witnesses.c.organization_key)
            .order_by(func.count().desc(), witnesses.c.witness_id)
            .limit(1)
        ).one()
        member = connection.execute(
            select(schema.members.c.bioguide_id).order_by(schema.members.c.bioguide_id).limit(1)
        ).scalar_one()
        sub_meetings = list(
            connection.execute(
                select(links.c.event_id)
                .where(links.c.system_code.in_(list(subcommittees)))
                .order_by(links.c.event_id)
                .distinct()
                .limit(8)
            ).scalars()
        )
    return {
        "witness": witness.witness_id,
        "organization": organization_slug(witness.organization_key),
        "member": member,
        "sub_meetings": sub_meetings,
    }


def page_list(samples: dict[str, Any]) -> dict[str, str]:
    return {
        "week": "/hearings",
        "search": "/hearings?q=veterans",
        "search-acronym": "/hearings?q=GAO",
        "search-bill": "/hearings?q=H.R.+2334",
        "list-newest": "/hearings?sort=newest",
        "hearing": "/hearings/118365",
        "hearing-canceled": "/hearings/118451",
        "calendar": "/calendar?month=2025-06",
        "committees": "/committees",
        "committee": "/committees/hsgo00",
        "printed-hearings": "/printed-hearings",
        "printed-hearing": "/printed-hearings/119/60120",
        "witnesses": "/witnesses",
        "witness": f"/witnesses/{samples['witness']}",
        "organization": f"/organizations/{samples['organization']}",
        "members": "/members",
        "members-state": "/members?q=New+York",
        "member": f"/members/{samples['member']}",
        "api": "/api",
        "admin": "/admin",
    }


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the screen (0 when it fits)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_no_page_is_wider_than_the_screen(screen: Page, site: str, samples: dict[str, Any]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    too_wide = {}
    for name, path in page_list(samples).items():
        response = screen.goto(site + path)
        assert response is not None and response.status == 200, path
        shot = SHOTS / f"{name}-{screen.screen_name}"  # type: ignore[attr-defined]
        if FULL_PAGE_SHOTS:
            screen.screenshot(path=f"{shot}.png", full_page=True)
        screen.screenshot(path=f"{shot}-first-screen.png")
        if overflow(screen) > 0:
            too_wide[path] = overflow(screen)
    assert not too_wide, too_wide


def test_the_first_search_result_is_above_the_fold(screen: Page, site: str) -> None:
    screen.goto(f"{site}/hearings?q=veterans")
    first = screen.locator("ol.results > li a.title").first
    box = first.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= screen.viewport_size["height"]  # type: ignore[index]


def test_the_week_view_has_day_headings_and_week_links(screen: Page, site: str) -> None:
    screen.goto(f"{site}/hearings")
    headings = screen.locator("section.day h2")
    expect(headings.first).to_contain_text("Monday, June 9")
    assert headings.count() >= 5
    expect(screen.locator("section.day.today h2")).to_contain_text("Wednesday, June 11")
    expect(screen.locator(".today-badge")).to_be_visible()
    expect(screen.locator("section.day.today .agenda-item .room").first).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    today = SHOTS / f"week-today-{screen.screen_name}.png"  # type: ignore[attr-defined]
    screen.locator("section.day.today").screenshot(path=str(today))
    screen.locator(".week-nav a[rel=next]").click()
    expect(screen).to_have_url(f"{site}/hearings?week=2025-06-16")
    expect(screen.locator("section.day h2").first).to_contain_text("Monday, June 16")
    screen.locator(".week-nav a[rel=prev]").click()
    expect(screen).to_have_url(f"{site}/hearings?week=2025-06-09")


def _committee_links(page: Page) -> list[tuple[str, str]]:
    links = page.locator("main a[href^='/committees/']")
    return [
        (str(links.nth(i).get_attribute("href")).rsplit("/", 1)[-1], links.nth(i).inner_text())
        for i in range(links.count())
    ]


def test_every_subcommittee_is_named_with_its_parent(
    chromium: Browser, site: str, samples: dict[str, Any], subcommittees: dict[str, str]
) -> None:
    # The names are the same HTML at both sizes: checked once, on the desktop.
    context = chromium.new_context(viewport=SCREENS["desktop"])  # type: ignore[arg-type]
    page = context.new_page()
    checked = 0
    paths = ["/hearings", "/hearings?sort=newest", "/hearings?q=subcommittee&per_page=100"]
    paths += [f"/hearings/{e}" for e in samples["sub_meetings"]]
    for path in paths:
        page.goto(site + path)
        for code, text in _committee_links(page):
            if code in subcommittees:
                assert text.strip() == subcommittees[code], (path, code, text)
                checked += 1
    context.close()
    assert checked >= 20


def test_on_a_phone_the_filters_fold_away_and_open_without_javascript(
    chromium: Browser, site: str
) -> None:
    context = chromium.new_context(viewport=SCREENS["phone"], java_script_enabled=False)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{site}/hearings?q=veterans")
    expect(page.locator("#status")).to_be_hidden()
    page.locator("details.filter-panel > summary").click()
    expect(page.locator("#status")).to_be_visible()
    page.select_option("#status", "canceled")
    page.locator("form.filters .actions button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"status=canceled"))
    context.close()


def test_the_calendar_shows_whole_titles_and_committees_or_an_agenda_on_a_phone(
    screen: Page, site: str
) -> None:
    screen.goto(f"{site}/calendar?month=2025-06")
    if screen.screen_name == "phone":  # type: ignore[attr-defined]
        expect(screen.locator("table.month-grid")).to_be_hidden()
        agenda = screen.locator(".calendar-agenda")
        expect(agenda).to_be_visible()
        expect(agenda.locator("h3").first).to_contain_text("June")
        expect(agenda.locator(".agenda-item .meta").first).to_be_visible()
        return
    event = screen.locator("table.month-grid a[href='/hearings/118307']").first
    title = "U.S. Military Posture and National Security Challenges in the Greater Middle East"
    expect(event.locator(".event-title")).to_have_text(f"{title} and Africa")
    expect(event.locator(".event-committee")).to_contain_text("Armed Services Committee")


def test_the_video_loads_only_when_asked(screen: Page, site: str) -> None:
    requested: list[str] = []
    screen.on("request", lambda r: requested.append(r.url))
    screen.goto(f"{site}/hearings/118365")
    card = screen.locator(".video-card")
    expect(card.locator("a")).to_have_attribute("href", re.compile(r"youtube\.com/watch"))
    assert not [u for u in requested if "127.0.0.1" not in u]
    card.get_by_role("button", name="Play here").click()
    expect(screen.locator(".video iframe")).to_have_attribute(
        "src", re.compile(r"^https://www\.youtube-nocookie\.com/embed/")
    )
