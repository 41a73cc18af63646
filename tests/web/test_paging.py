"""Every paged list of the JSON API answers a page the same way: the same fields, and past the
last page an empty page (200) that says how many pages there are and links back to the last one,
where the HTML pages go to the last page instead."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import sync_playwright

from tests.web.browser_support import CHROMIUM, CHROMIUM_ARGS, serve

PAGED_LISTS = [
    "/api/hearings?sort=newest&per_page=40",
    "/api/changes?per_page=40",
    "/api/witnesses?per_page=40",
    "/api/members?chamber=senate&per_page=40",
]
FIELDS = {"total", "page", "per_page", "pages", "results", "next", "previous"}


@pytest.mark.parametrize("path", PAGED_LISTS)
def test_a_page_past_the_last_is_empty_and_links_back_to_the_last(
    client: TestClient, path: str
) -> None:
    first = client.get(path)
    assert first.status_code == 200
    body = first.json()
    assert set(body) >= FIELDS
    assert body["pages"] == max(1, -(-body["total"] // 40))
    assert (body["next"] is None) == (body["pages"] == 1) and body["previous"] is None

    beyond = client.get(f"{path}&page={body['pages'] + 5}")
    assert beyond.status_code == 200
    past = beyond.json()
    assert (past["total"], past["pages"], past["results"]) == (body["total"], body["pages"], [])
    assert past["next"] is None and past["page"] == body["pages"] + 5

    last = client.get(past["previous"]).json()
    assert last["page"] == body["pages"] and last["next"] is None
    assert len(last["results"]) == body["total"] - 40 * (body["pages"] - 1)


def test_next_and_previous_keep_the_filters(client: TestClient) -> None:
    second = client.get("/api/witnesses?q=department&per_page=2&page=2").json()
    assert second["previous"] == "/api/witnesses?q=department&per_page=2"
    assert second["next"] == "/api/witnesses?q=department&page=3&per_page=2"
    members = client.get("/api/members?chamber=house&page=2").json()
    assert members["previous"] == "/api/members?chamber=house"
    assert members["next"] == "/api/members?chamber=house&page=3"


def test_html_pages_past_the_last_go_to_the_last(client: TestClient) -> None:
    for path in ("/hearings?sort=newest", "/changes?days=30", "/witnesses?q=a", "/members?q=a"):
        answer = client.get(f"{path}&page=1999", follow_redirects=False)
        assert answer.status_code == 303, path
        assert "page=1999" not in answer.headers["location"]


@pytest.mark.parametrize("path", ["/changes?days=60", "/hearings?sort=newest"])
def test_the_filter_form_keeps_a_page_size_from_a_link(client: TestClient, path: str) -> None:
    hidden = '<input type="hidden" name="per_page" value="3">'
    assert hidden in client.get(f"{path}&per_page=3").text
    assert 'name="per_page"' not in client.get(path).text  # the default is left out


@pytest.mark.browser
def test_apply_in_chromium_keeps_the_page_size(app: FastAPI) -> None:
    with serve(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{base}/changes?per_page=3&page=2")
            page.fill("#days", "60")
            page.get_by_role("button", name="Apply").click()
            page.wait_for_url("**days=60**")
            query = parse_qs(urlsplit(page.url).query)
            assert query["per_page"] == ["3"] and query["days"] == ["60"]
            assert "page" not in query
        finally:
            browser.close()
