"""The week view of /hearings: this week by default, by day, with previous and next weeks; a query,
sort or date range turns it into a list; a page past the end goes to the last page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi.testclient import TestClient


def day_headings(html: str) -> list[str]:
    return re.findall(r'<h2 id="day-[\d-]+">([^<]+)', html)


def agenda_ids(html: str) -> list[str]:
    item = r'<li class="agenda-item.*?<a class="title" href="/hearings/(\w+)"'
    return re.findall(item, html, re.S)


def week_ids(client: TestClient, first: str, last: str, **params: str) -> set[str]:
    answer = client.get(
        "/api/hearings", params={"from": first, "to": last, "per_page": "100", **params}
    ).json()
    return {r["event_id"] for r in answer["results"]}


def test_the_hearings_page_opens_on_this_week_by_day(client: TestClient) -> None:
    page = client.get("/hearings")
    assert page.status_code == 200
    html = page.text
    assert "This week’s hearings" in html
    headings = [h.strip() for h in day_headings(html)]
    assert headings[:5] == [
        "Monday, June 9",
        "Tuesday, June 10",
        "Wednesday, June 11",
        "Thursday, June 12",
        "Friday, June 13",
    ]
    today = html[html.index('<section class="day today"') :]
    assert today.index("Wednesday, June 11") < today.index('<span class="today-badge">Today</span>')
    assert 'rel="prev" href="/hearings?week=2025-06-02"' in html
    assert 'rel="next" href="/hearings?week=2025-06-16"' in html
    assert set(agenda_ids(html)) == week_ids(client, "2025-06-09", "2025-06-15")


def test_each_meeting_shows_time_committee_and_room(client: TestClient) -> None:
    html = client.get("/hearings").text
    item = html[html.index('href="/hearings/118365"') - 300 :]
    item = item[: item.index("</li>")]
    assert "10 a.m." in item
    assert "Economic Opportunity Subcommittee (Veterans" in item
    assert "2167, Longworth House Office Building" in item


def test_another_week_and_the_way_back(client: TestClient) -> None:
    html = client.get("/hearings", params={"week": "2025-06-18"}).text
    assert "Hearings, week of June 16, 2025" in html
    assert "back to this week" in html
    assert 'rel="prev" href="/hearings?week=2025-06-09"' in html
    assert set(agenda_ids(html)) == week_ids(client, "2025-06-16", "2025-06-22")


def test_filters_narrow_the_week_and_the_week_links_keep_them(client: TestClient) -> None:
    html = client.get("/hearings", params={"week": "2025-06-09", "chamber": "senate"}).text
    assert set(agenda_ids(html)) == week_ids(client, "2025-06-09", "2025-06-15", chamber="senate")
    assert 'href="/hearings?chamber=senate&amp;week=2025-06-16"' in html


def test_an_empty_week_points_to_the_nearest_meetings(
    make_client: Callable[..., TestClient],
) -> None:
    html = make_client(clock=datetime(2031, 1, 1, tzinfo=UTC)).get("/hearings").text
    assert "No meetings this week." in html
    assert "Latest before: week of" in html
    assert [h.strip() for h in day_headings(html)][0] == "Monday, December 30"


def test_a_query_or_a_sort_gives_a_ranked_or_ordered_list(client: TestClient) -> None:
    search = client.get("/hearings", params={"q": "veterans", "week": "2025-06-09"}).text
    assert "ranked by relevance" in search and "today-badge" not in search
    newest = client.get("/hearings", params={"sort": "newest"}).text
    assert 'class="pager"' in newest and "today-badge" not in newest


def test_a_page_past_the_end_goes_to_the_last_page(client: TestClient) -> None:
    answer = client.get("/hearings?sort=newest&page=999", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/hearings?sort=newest&page=6"
    assert "Page 6 of 6" in client.get("/hearings?sort=newest&page=999").text
    api = client.get("/api/hearings?sort=newest&page=999")
    assert api.status_code == 200 and api.json()["results"] == []
    witnesses = client.get("/witnesses?page=999", follow_redirects=False)
    assert witnesses.status_code == 303


def test_a_week_that_is_not_a_day_or_out_of_range_is_a_clear_400(client: TestClient) -> None:
    for week in ("abc", "2025-02-30", "9999-12-31", "0001-01-01"):
        answer = client.get("/hearings", params={"week": week})
        assert answer.status_code == 400, week
        assert "week" in answer.text
