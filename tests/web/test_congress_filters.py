"""A database holding two Congresses, seen through the web app: the `congress` filter takes one
Congress, a range, a list or `all` on every page, export, feed and API list, and refuses
anything else with one sentence; /api/stats and committee pages count by Congress; a committee
and a witness seen in both Congresses are one entity each; this week's hearings are this week's.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import Engine, func, select

from hearings.config import Settings
from hearings.congresses import parse_congresses
from hearings.replica import Corpus
from hearings.store import schema
from hearings.store.opening import open_database
from hearings.web.app import create_app
from hearings.web.filters import congress_label
from tests.backends import BACKENDS, empty_database_url
from tests.two_congresses import COPIED, MEETINGS_118, import_congresses, two_congress_corpus
from tests.web.browser_support import CHROMIUM, CHROMIUM_ARGS, serve
from tests.web.conftest import FIXED_NOW

ALL_119 = 150
ALL = ALL_119 + len(MEETINGS_118)
# 117775 (House Appropriations with Oversight) and its 118th copy 115775 share committees and a
# witness, Hon. Martin O'Malley of the Social Security Administration. In the 118th Congress,
# Oversight (with its subcommittees) held only 115775.
SHARED_COMMITTEE = "hsgo00"
OMALLEY_MEETINGS = {"117775", "115775"}


@dataclass(frozen=True)
class TwoCongressSite:
    url: str
    engine: Engine
    app: FastAPI
    client: TestClient


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    packaged_corpus: Corpus,
) -> Iterator[TwoCongressSite]:
    """The 118th and the 119th Congress imported one after the other by the real pipeline."""
    folder = tmp_path_factory.mktemp("two-congresses")
    url = empty_database_url(request, folder)
    settings = Settings(database_url=url, backup_dir=folder / "backups", log_dir=folder / "logs")
    import_congresses(settings, two_congress_corpus(packaged_corpus))
    engine = open_database(url)
    app = create_app(engine, settings=settings, clock=lambda: FIXED_NOW)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield TwoCongressSite(url, engine, app, client)
    engine.dispose()


def listed(client: TestClient, **params: str) -> list[dict[str, object]]:
    answer = client.get("/api/hearings", params={"per_page": "100", **params})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    results: list[dict[str, object]] = body["results"]
    page = 1
    while body["next"]:
        page += 1
        body = client.get("/api/hearings", params={"per_page": "100", **params, "page": str(page)})
        results += body.json()["results"]
    return results


# ---- the filter --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("congress", "expected"),
    [
        ("119", ALL_119),
        ("118", len(MEETINGS_118)),
        ("118-119", ALL),
        ("118,119", ALL),
        ("117-118", len(MEETINGS_118)),
        ("all", ALL),
        ("ALL", ALL),
        (" 119 ", ALL_119),
        ("113-117", 0),
    ],
)
def test_the_congress_filter_takes_one_a_range_a_list_or_all(
    site: TwoCongressSite, congress: str, expected: int
) -> None:
    answer = site.client.get("/api/hearings", params={"congress": congress})
    assert answer.status_code == 200, answer.text
    assert answer.json()["total"] == expected
    wanted = parse_congresses(congress)
    assert all(wanted.includes(int(r["congress"])) for r in answer.json()["results"])


def test_the_old_single_congress_spelling_still_works(site: TwoCongressSite) -> None:
    only_118 = listed(site.client, congress="118")
    assert {r["event_id"] for r in only_118} == set(MEETINGS_118)
    assert {r["congress"] for r in only_118} == {118}


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("abc", "names no Congress"),
        ("119-115", "runs backwards"),
        ("0", "out of range"),
        ("1190", "out of range"),
        ("118,,119", "names no Congress"),
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/hearings",
        "/api/hearings",
        "/hearings.csv",
        "/changes",
        "/api/changes",
        "/api/stats",
        "/calendar",
        "/committees",
        "/api/committees",
        "/witnesses",
        "/api/witnesses",
    ],
)
def test_a_congress_that_names_no_congress_is_a_400_with_one_sentence(
    site: TwoCongressSite, path: str, value: str, words: str
) -> None:
    answer = site.client.get(path, params={"congress": value})
    assert answer.status_code == 400
    if path.startswith("/api/"):
        message = answer.json()["error"]["message"]
    else:
        assert "<h1>Bad request</h1>" in answer.text
        message = answer.text.split('<p class="error-message">')[1].split("</p>")[0]
    assert words in message and "congress" in message
    assert "Traceback" not in answer.text


@pytest.mark.parametrize(
    "path", ["/feeds/hearings.atom", "/feeds/hearings.ics", "/feeds/changes.atom"]
)
def test_feeds_refuse_a_bad_congress_in_json(site: TwoCongressSite, path: str) -> None:
    answer = site.client.get(path, params={"congress": "118-"})
    assert answer.status_code == 400
    assert "names no Congress" in answer.json()["error"]["message"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(value=st.text(max_size=40))
def test_any_congress_text_gets_an_answer_or_a_sentence_never_a_bug(
    site: TwoCongressSite, value: str
) -> None:
    answer = site.client.get("/api/hearings", params={"congress": value})
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 400:
        message = answer.json()["error"]["message"]
        assert message.endswith(".") and "\n" not in message and len(message) < 300


def test_a_text_search_keeps_to_the_selected_congresses(site: TwoCongressSite) -> None:
    def found(congress: str) -> set[str]:
        return {str(r["event_id"]) for r in listed(site.client, q="Malley", congress=congress)}

    assert found("118") == {"115775"}
    assert found("119") & OMALLEY_MEETINGS == {"117775"}
    assert found("117-119") >= OMALLEY_MEETINGS
    assert found("all") == found("118-119")


# ---- pages, exports, feeds ---------------------------------------------------------------------


def test_the_hearings_page_shows_a_range_readably_and_keeps_it_in_its_links(
    site: TwoCongressSite,
) -> None:
    page = site.client.get("/hearings", params={"congress": "118-119", "sort": "newest"})
    assert page.status_code == 200
    assert "118th–119th Congresses" in page.text
    assert '<option value="118-119" selected>118th–119th</option>' in page.text
    assert "congress=118-119" in page.text  # exports and pages keep the selection
    single = site.client.get("/hearings", params={"congress": "118", "sort": "newest"}).text
    assert '<option value="118" selected>118th</option>' in single
    assert '<option value="119" >119th</option>' in single
    listed_ids = {r["event_id"] for r in listed(site.client, congress="118")}
    for event_id in listed_ids:
        assert f'href="/hearings/{event_id}"' in single


def test_congress_labels_read_as_people_say_them() -> None:
    assert congress_label(parse_congresses("119")) == "119th Congress"
    assert congress_label(parse_congresses("115-119")) == "115th–119th Congresses"
    assert congress_label(parse_congresses("117,119")) == "117th and 119th Congresses"
    assert congress_label(parse_congresses("113-115,119")) == "113th–115th and 119th Congresses"
    assert congress_label([119, 118]) == "118th–119th Congresses"
    assert congress_label(None) == "every Congress"
    assert congress_label(parse_congresses("117,119"), noun=False) == "117th and 119th"


def test_exports_hold_exactly_the_selected_congresses(site: TwoCongressSite) -> None:
    as_csv = site.client.get("/hearings.csv", params={"congress": "118"})
    assert as_csv.status_code == 200
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {r["event_id"] for r in rows} == set(MEETINGS_118)
    as_json = site.client.get("/hearings.json", params={"congress": "118,119"})
    records = json.loads(as_json.text)
    assert len(records) == ALL and {r["congress"] for r in records} == {118, 119}


def test_feeds_narrow_to_the_selected_congresses(site: TwoCongressSite) -> None:
    ics = site.client.get("/feeds/hearings.ics", params={"congress": "118"})
    assert ics.status_code == 200
    uids = {str(e["UID"]) for e in Calendar.from_ical(ics.content).walk("VEVENT")}
    assert uids == {f"meeting-{event_id}@hearings" for event_id in MEETINGS_118}
    atom = site.client.get("/feeds/hearings.atom", params={"congress": "118"}).text
    assert atom.count("<entry>") == len(MEETINGS_118)
    assert "urn:hearings:feed:all:118" in atom
    committee = site.client.get(f"/feeds/committee/{SHARED_COMMITTEE}.ics?congress=118").content
    assert {str(e["UID"]) for e in Calendar.from_ical(committee).walk("VEVENT")} == {
        "meeting-115775@hearings"
    }


def test_changes_take_the_congress_filter(site: TwoCongressSite) -> None:
    answer = site.client.get("/api/changes", params={"congress": "118-119", "per_page": "1"})
    assert answer.status_code == 200
    page = site.client.get("/changes", params={"congress": "118"})
    assert page.status_code == 200
    assert '<option value="118" selected>118th</option>' in page.text


def test_the_openapi_document_says_congress_is_a_string_of_congresses(
    site: TwoCongressSite,
) -> None:
    document = site.client.get("/openapi.json").json()
    for path in ("/api/hearings", "/api/changes", "/api/stats", "/feeds/hearings.ics"):
        operation = document["paths"][path]["get"]
        (parameter,) = [p for p in operation["parameters"] if p["name"] == "congress"]
        schema_types = {s.get("type") for s in parameter["schema"].get("anyOf", [])}
        assert "string" in schema_types and "integer" not in schema_types
        assert "115-119" in parameter["description"] and "all" in parameter["description"]
        assert "400" in operation["responses"]


def test_the_calendar_shows_only_the_selected_congresses_and_keeps_them_in_its_links(
    site: TwoCongressSite,
) -> None:
    meetings_118 = listed(site.client, congress="118")
    months = {str(m["event_id"]): eastern_month(str(m["start"])) for m in meetings_118}
    month = max(months.values())
    in_month = {event_id for event_id, when in months.items() if when == month}
    page = site.client.get("/calendar", params={"month": month, "congress": "118"})
    assert page.status_code == 200
    text = page.text
    assert "118th Congress" in text
    assert '<option value="118" selected>118th</option>' in text
    assert all(f'href="/hearings/{e}"' in text for e in in_month)
    assert f'<span class="muted">({len(in_month)})</span>' in text
    for neighbour in ('rel="prev"', 'rel="next"'):
        link = text.split(neighbour + ' href="')[1].split('"')[0]
        assert "congress=118" in link, link
    assert "/feeds/hearings.ics?congress=118" in text

    # The 119th Congress held nothing that month; this month (June 2025) is the 119th's.
    other = site.client.get("/calendar", params={"month": month, "congress": "119"}).text
    assert not any(f'href="/hearings/{e}"' in other for e in MEETINGS_118)
    june = site.client.get("/calendar", params={"month": "2025-06", "congress": "118"}).text
    assert '<span class="muted">(0)</span>' in june
    # Nothing is coming up in the 118th: the way back is its latest month, still the 118th.
    assert f'href="/calendar?month={month}&amp;congress=118">Go to the latest month' in june
    ranged = site.client.get("/calendar", params={"month": month, "congress": "117-118"}).text
    assert '<option value="117-118" selected>117th–118th</option>' in ranged
    assert "congress=117-118" in ranged


def test_the_committee_list_counts_the_selected_congresses(site: TwoCongressSite) -> None:
    def counts(**params: str) -> dict[str, int]:
        answer = site.client.get("/api/committees", params=params)
        assert answer.status_code == 200, answer.text
        return {c["system_code"]: c["hearing_count"] for c in answer.json()["results"]}

    every, only_118, only_119 = counts(), counts(congress="118"), counts(congress="119")
    assert set(every) == set(only_118) == set(only_119)  # every committee is listed
    assert all(every[code] == only_118[code] + only_119[code] for code in every)
    assert counts(congress="118-119") == every == counts(congress="all")
    links = schema.hearing_committees
    with site.engine.connect() as connection:
        direct = dict(
            connection.execute(
                select(links.c.system_code, func.count())
                .join(schema.hearings, schema.hearings.c.event_id == links.c.event_id)
                .where(schema.hearings.c.congress == 118)
                .group_by(links.c.system_code)
            ).all()
        )
    assert {code: n for code, n in only_118.items() if n} == direct

    page = site.client.get("/committees", params={"congress": "118"}).text
    assert "Meetings in the 118th Congress" in page
    assert '<option value="118" selected>118th</option>' in page
    assert f'href="/committees/{SHARED_COMMITTEE}?congress=118"' in page
    assert 'href="/committees?chamber=house&amp;congress=118"' in page
    house = site.client.get("/committees", params={"congress": "118", "chamber": "house"}).text
    assert '<input type="hidden" name="chamber" value="house">' in house
    row = house.split(f'href="/committees/{SHARED_COMMITTEE}?congress=118"')[1]
    assert f'<td class="num">{only_118[SHARED_COMMITTEE]}</td>' in row.split("</tr>")[0]


def test_the_witness_list_holds_those_who_appeared_in_the_selected_congresses(
    site: TwoCongressSite,
) -> None:
    stats = {c["congress"]: c for c in site.client.get("/api/stats").json()["congresses"]}
    answer = site.client.get("/api/witnesses", params={"congress": "118", "per_page": "100"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == stats[118]["witnesses"] == len(body["results"])
    assert sum(w["appearance_count"] for w in body["results"]) == stats[118]["witness_appearances"]
    malley = site.client.get("/api/witnesses", params={"q": "malley social", "congress": "118"})
    (witness,) = malley.json()["results"]
    assert witness["appearance_count"] == 1  # 115775; in every Congress, two or more
    every = site.client.get("/api/witnesses", params={"q": "malley social"}).json()["results"]
    assert [w["appearance_count"] for w in every][0] >= 2

    page = site.client.get("/witnesses", params={"congress": "118"}).text
    assert f"{stats[118]['witnesses']} witnesses who appeared in the 118th Congress" in page
    assert '<option value="118" selected>118th</option>' in page
    pages = site.client.get("/witnesses", params={"congress": "118-119"}).text
    assert 'href="/witnesses?congress=118-119&amp;page=2"' in pages


def eastern_month(start: str) -> str:
    """`2023-03` for a meeting's UTC start as the API gives it, in Eastern Time as pages show."""
    moment = datetime.fromisoformat(start.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m")


# ---- counts by Congress ------------------------------------------------------------------------


def test_stats_break_counts_down_by_congress(site: TwoCongressSite) -> None:
    stats = site.client.get("/api/stats").json()
    by_congress = {c["congress"]: c for c in stats["congresses"]}
    assert [c["congress"] for c in stats["congresses"]] == [119, 118]
    hearings, printed = schema.hearings, schema.printed_hearings
    appearances, links = schema.witness_appearances, schema.hearing_committees
    with site.engine.connect() as connection:
        for congress, counts in by_congress.items():
            in_congress = select(hearings.c.event_id).where(hearings.c.congress == congress)
            expected = {
                "meetings": select(func.count())
                .select_from(hearings)
                .where(hearings.c.congress == congress),
                "printed_hearings": select(func.count())
                .select_from(printed)
                .where(printed.c.congress == congress),
                "witness_appearances": select(func.count())
                .select_from(appearances)
                .where(appearances.c.event_id.in_(in_congress)),
                "witnesses": select(func.count(func.distinct(appearances.c.witness_id))).where(
                    appearances.c.event_id.in_(in_congress)
                ),
                "committees_with_meetings": select(
                    func.count(func.distinct(links.c.system_code))
                ).where(links.c.event_id.in_(in_congress)),
            }
            for name, query in expected.items():
                assert counts[name] == connection.execute(query).scalar_one(), (congress, name)
    assert by_congress[118]["meetings"] == len(MEETINGS_118)
    assert by_congress[118]["printed_hearings"] == 1
    assert by_congress[118]["first_meeting"].startswith("2023-")
    assert by_congress[119]["first_meeting"].startswith("2025-")
    assert stats["by_congress"] == {"118": len(MEETINGS_118), "119": ALL_119}
    total_meetings = sum(c["meetings"] for c in stats["congresses"])
    assert total_meetings == stats["hearings"]


def test_stats_of_some_congresses_count_only_them(site: TwoCongressSite) -> None:
    whole = site.client.get("/api/stats").json()
    by_congress = {c["congress"]: c for c in whole["congresses"]}
    only_118 = site.client.get("/api/stats", params={"congress": "118"}).json()

    counts = by_congress[118]
    assert only_118["congresses"] == [counts]
    assert only_118["by_congress"] == {"118": len(MEETINGS_118)}
    assert only_118["hearings"] == counts["meetings"] == len(MEETINGS_118)
    assert only_118["printed_hearings"] == counts["printed_hearings"] == 1
    assert only_118["witnesses"] == counts["witnesses"]
    assert only_118["witness_appearances"] == counts["witness_appearances"]
    assert only_118["committees"] == counts["committees_with_meetings"]
    assert only_118["members"] is None
    assert sum(only_118["by_chamber"].values()) == len(MEETINGS_118)
    assert only_118["first_meeting"].startswith("2023-")
    assert only_118["last_meeting"] == counts["last_meeting"]
    assert 0 < only_118["documents"] < whole["documents"]

    both = site.client.get("/api/stats", params={"congress": "118-119"}).json()
    for name in ("hearings", "witness_appearances", "documents", "videos", "printed_hearings"):
        assert both[name] == whole[name], name
    assert both["by_congress"] == whole["by_congress"]
    everything = site.client.get("/api/stats", params={"congress": "all"}).json()
    assert everything["members"] == whole["members"] and everything["hearings"] == ALL


def test_a_committee_page_lists_its_meetings_by_congress_with_counts(
    site: TwoCongressSite,
) -> None:
    code = SHARED_COMMITTEE
    counts = {
        c["congress"]: c["meetings"]
        for c in site.client.get(f"/api/committees/{code}").json()["meetings_by_congress"]
    }
    for congress in (118, 119):
        assert counts[congress] == len(listed(site.client, committee=code, congress=str(congress)))
    assert counts[118] == 1
    page = site.client.get(f"/committees/{code}").text
    assert "Meetings by Congress" in page
    assert f'<a href="/committees/{code}?congress=118#meetings">118th Congress</a>' in page
    assert '<h3 class="congress-heading">118th Congress</h3>' in page
    narrowed = site.client.get(f"/committees/{code}", params={"congress": "118"}).text
    assert "Meetings in the 118th Congress" in narrowed
    assert 'href="/hearings/115775"' in narrowed and 'href="/hearings/117775"' not in narrowed


def test_a_committee_seen_in_two_congresses_is_one_committee(site: TwoCongressSite) -> None:
    committees = site.client.get("/api/committees").json()["results"]
    codes = [c["system_code"] for c in committees]
    assert codes.count(SHARED_COMMITTEE) == 1
    with site.engine.connect() as connection:
        congresses = connection.execute(
            select(func.count(func.distinct(schema.hearings.c.congress)))
            .join(
                schema.hearing_committees,
                schema.hearing_committees.c.event_id == schema.hearings.c.event_id,
            )
            .where(schema.hearing_committees.c.system_code == SHARED_COMMITTEE)
        ).scalar_one()
    assert congresses == 2


def test_a_witness_who_testified_in_two_congresses_is_one_witness(site: TwoCongressSite) -> None:
    found = site.client.get("/api/witnesses", params={"q": "malley"}).json()
    (witness,) = [
        w
        for w in found["results"]
        if "Malley" in w["name"] and "Social Security" in (w["organization"] or "")
    ]
    assert witness["appearance_count"] >= 2
    detail = site.client.get(f"/api/witnesses/{witness['witness_id']}").json()
    assert detail["congresses"] == [118, 119]
    assert {a["event_id"] for a in detail["appearances"]} >= OMALLEY_MEETINGS
    assert {a["congress"] for a in detail["appearances"]} == {118, 119}
    page = site.client.get(f"/witnesses/{witness['witness_id']}").text
    assert "118th–119th Congresses" in page
    for copied_from, copy in COPIED:
        with site.engine.connect() as connection:
            appearances = schema.witness_appearances
            people = [
                set(
                    connection.execute(
                        select(appearances.c.witness_id).where(appearances.c.event_id == event)
                    ).scalars()
                )
                for event in (copied_from, copy)
            ]
        assert people[0] == people[1]


def test_this_week_is_unaffected_by_old_congresses(site: TwoCongressSite) -> None:
    home = site.client.get("/", follow_redirects=True)
    assert home.status_code == 200 and "This week’s hearings" in home.text
    this_week = {
        r["event_id"]
        for r in listed(site.client, congress="119", **{"from": "2025-06-09", "to": "2025-06-15"})
    }
    assert this_week
    shown = {e for e in this_week if f'href="/hearings/{e}"' in home.text}
    assert shown == this_week
    for event_id in MEETINGS_118:
        assert f'href="/hearings/{event_id}"' not in home.text
    assert site.client.get("/hearings", params={"congress": "all"}).text.count(
        'class="result'
    ) == home.text.count('class="result')


# ---- in a browser ------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_committee_page_by_congress_in_chromium(site: TwoCongressSite) -> None:
    with serve(site.app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{base}/committees/{SHARED_COMMITTEE}")
        section = page.locator("section.by-congress")
        expect(section.locator("li[data-congress]")).to_have_count(2)
        expect(section.locator("li[data-congress='118']")).to_contain_text("1 meeting")
        section.get_by_role("link", name="118th Congress").click()
        heading = page.locator("h2#meetings")
        expect(heading).to_contain_text("in the 118th Congress")
        expect(heading).to_contain_text("(1)")
        expect(page.locator("ol.results > li")).to_have_count(1)
        expect(page.locator("ol.results a.title")).to_contain_text("118th Congress")
        section.get_by_role("link", name="Every Congress").click()
        expect(page.locator("h3.congress-heading")).to_have_count(2)

        # A range typed into the address is the filter's choice; picking one Congress narrows.
        page.goto(f"{base}/hearings?congress=118-119&sort=newest")
        expect(page.locator("#congress")).to_have_value("118-119")
        expect(page.locator("#congress option:checked")).to_have_text("118th–119th")
        expect(page.locator("p.count")).to_contain_text(str(ALL))
        page.select_option("#congress", "118")
        page.wait_for_url("**congress=118&**")
        expect(page.locator("ol.results > li")).to_have_count(len(MEETINGS_118))

        # The committee list and the calendar take the same choice, and keep it as one moves on.
        page.goto(f"{base}/committees")
        page.select_option("#congress", "118")
        page.wait_for_url("**/committees?congress=118")
        expect(page.locator("table.committees thead")).to_contain_text("in the 118th Congress")
        page.get_by_role("link", name="House", exact=True).click()
        page.wait_for_url("**/committees?chamber=house&congress=118")
        expect(page.locator("#congress")).to_have_value("118")
        page.goto(f"{base}/calendar?month=2025-06")
        page.select_option("#congress", "118")
        page.wait_for_url("**/calendar?month=2025-06&congress=118")
        page.get_by_role("link", name="Go to the latest month with meetings").click()
        expect(page.locator("#congress")).to_have_value("118")
        expect(page.locator(".month-grid a.event")).not_to_have_count(0)
        browser.close()
