"""A subcommittee is named with its parent wherever a committee is named: lists, the hearing
page, the calendar, the feeds, the committee filter and the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from hearings.web.committee_names import committee_label, short_name

# 118365 is held by the Economic Opportunity Subcommittee of Veterans' Affairs (hsvr10).
LABEL = "Economic Opportunity Subcommittee (Veterans&#39; Affairs)"


def test_parent_names_are_shortened_the_way_people_say_them() -> None:
    assert short_name("Energy and Commerce Committee") == "Energy and Commerce"
    assert short_name("Intelligence (Permanent Select) Committee") == "Intelligence"
    assert short_name("Committee on House Administration") == "House Administration"
    assert committee_label("Health Subcommittee", "hsif14", "Energy and Commerce Committee") == (
        "Health Subcommittee (Energy and Commerce)"
    )
    assert committee_label("Armed Services Committee", "hsas00", None) == (
        "Armed Services Committee"
    )


def test_lists_and_the_hearing_page(client: TestClient) -> None:
    assert LABEL in client.get("/hearings").text
    assert LABEL in client.get("/hearings", params={"q": "Pamperin"}).text
    assert LABEL in client.get("/hearings/118365").text


def test_the_calendar_and_the_committee_filter(client: TestClient) -> None:
    assert LABEL in client.get("/calendar", params={"month": "2025-06"}).text
    choices = client.get("/hearings", params={"sort": "newest"}).text
    assert f'<option value="hsvr10">House · {LABEL}</option>' in choices
    chosen = client.get("/hearings", params={"sort": "newest", "committee": "hsvr10"}).text
    assert f'<option value="hsvr10" selected>House · {LABEL}</option>' in chosen
    # The folded filters say what is applied, by name.
    assert f'<span class="muted">· {LABEL}, sorted</span>' in chosen


def test_the_feeds(client: TestClient) -> None:
    atom = client.get("/feeds/hearings.atom").text
    assert "Economic Opportunity Subcommittee (Veterans&#39; Affairs)" in atom or (
        "Economic Opportunity Subcommittee (Veterans' Affairs)" in atom
    )
    ics = client.get("/feeds/hearings.ics").text.replace("\r\n ", "")
    assert "Economic Opportunity Subcommittee (Veterans' Affairs)" in ics


def test_the_api(client: TestClient) -> None:
    result = client.get("/api/hearings", params={"q": "Pamperin"}).json()["results"][0]
    names = [c["name"] for c in result["committees"]]
    assert "Economic Opportunity Subcommittee (Veterans' Affairs)" in names
    detail = client.get("/api/hearings/118365").json()
    assert any(c.get("parent_name") == "Veterans' Affairs Committee" for c in detail["committees"])
