"""History on the web: a meeting's versions in the JSON API and on its page, recent changes across
the database at /changes (and /api/changes) with their filters, the change feeds parsed by a real
feed parser, and iCalendar SEQUENCE as the version number. One database per backend: the corpus
imported, then two updates of upstream edits through the real replica."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import Engine

from hearings.replica import Corpus, ReplicaServer
from hearings.web.app import create_app
from tests.backends import BACKENDS, empty_database_url
from tests.sync.harness import Harness, api_time
from tests.web.browser_support import CHROMIUM, CHROMIUM_ARGS, serve

PUBLIC = "https://hearings.example.org"
MOVED = "118278"  # House, hsvr10: postponed, then rescheduled with much else changed
CANCELED = "336604"  # Senate, ssju00: canceled
WITNESSED = "118307"  # House, hsas00 and hsgo00: a witness with markup in the name added
UNCHANGED = "118521"
HOSTILE = '<script>alert("x")</script> Jane Doe'

RESCHEDULED = [
    "Status: Postponed → Rescheduled",
    "Moved from Wed May 21, 10:30 a.m. to Fri May 23, 2:00 p.m. ET",
    "Title changed",
    "Room 1324 Rayburn → 1100 Longworth",
    "Witness added: Dr. Jane Roe (GAO)",
    "Witness removed: Rachel McArdle (Department of Veterans Affairs)",
    "Witness changed: Prof. Joel Scholten: position Executive Director, Physical Medicine and "
    "Rehabilitation Service → Chief of Staff; organization Department of Veterans Affairs → GAO",
    "Documents: +2",
    "Video removed",
    "Bill added: H.R. 1",
]
# (event id, version) -> (kinds, sentences)
CHANGES: dict[tuple[str, int], tuple[list[str], list[str]]] = {
    (MOVED, 2): (["postponed"], ["Status: Scheduled → Postponed"]),
    (CANCELED, 2): (["canceled"], ["Status: Scheduled → Canceled"]),
    (MOVED, 3): (["rescheduled", "witnesses"], RESCHEDULED),
    (WITNESSED, 2): (["witnesses"], [f"Witness added: {HOSTILE} (Evil & Co)"]),
}


def _postpone(body: dict[str, Any]) -> None:
    body["meetingStatus"] = "Postponed"


def _cancel(body: dict[str, Any]) -> None:
    body["meetingStatus"] = "Canceled"


def _reschedule(body: dict[str, Any]) -> None:
    body["meetingStatus"] = "Rescheduled"
    body["date"] = "2025-05-23T18:00:00Z"
    body["location"] = {"building": "Longworth House Office Building", "room": "1100"}
    body["title"] = body["title"] + " (rescheduled)"
    body["witnesses"].pop(0)
    body["witnesses"][0].update(position="Chief of Staff", organization="GAO")  # the same person
    body["witnesses"].append(
        {"name": "Dr. Jane Roe", "organization": "GAO", "position": "Director"}
    )
    body["meetingDocuments"] += [
        {"name": "Memo", "url": "https://example.org/a.pdf", "documentType": "Other"},
        {"name": "Memo 2", "url": "https://example.org/b.pdf", "documentType": "Other"},
    ]
    body["videos"] = body["videos"][:1]
    body["relatedItems"] = {"bills": [{"congress": 119, "type": "HR", "number": "1"}]}


def _add_witness(body: dict[str, Any]) -> None:
    body["witnesses"].append({"name": HOSTILE, "organization": "Evil & Co", "position": "CEO"})


@dataclass
class Site:
    client: TestClient
    engine: Engine


def _edit(corpus: Corpus, event_id: str, edit: Callable[[dict[str, Any]], None], ago: int) -> None:
    body = corpus.meeting(event_id)
    assert body is not None
    edit(body)
    body["updateDate"] = api_time(datetime.now(UTC) - timedelta(minutes=ago))
    corpus.put_meeting(body)


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    packaged_corpus: Corpus,
) -> Iterator[Site]:
    folder: Path = tmp_path_factory.mktemp("changes")
    url = empty_database_url(request, folder)
    with ReplicaServer(packaged_corpus.copy()) as replica:
        harness = Harness(tmp_path=folder, database_url=url, replica=replica)
        assert harness.run("import").success
        _edit(harness.corpus, MOVED, _postpone, 30)
        _edit(harness.corpus, CANCELED, _cancel, 30)
        assert harness.run("update").success
        _edit(harness.corpus, MOVED, _reschedule, 10)
        _edit(harness.corpus, WITNESSED, _add_witness, 10)
        assert harness.run("update").success
    engine = harness.engine()
    settings = harness.settings(public_base_url=PUBLIC)
    app = create_app(engine, settings=settings, clock=lambda: datetime.now(UTC))
    with TestClient(app) as client:
        yield Site(client, engine)
    harness.close()


def _keys(results: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(r["event_id"], r["version"]) for r in results]


# ---- a meeting's history ---------------------------------------------------------------------


def test_the_history_api_gives_every_version_with_what_changed(site: Site) -> None:
    response = site.client.get(f"/api/hearings/{MOVED}/history")
    assert response.status_code == 200
    shown = response.json()
    assert shown["version_count"] == 3
    versions = shown["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [v["changes"] for v in versions] == [
        ["First seen"],
        ["Status: Scheduled → Postponed"],
        RESCHEDULED,
    ]
    assert all(v["first_seen_eastern"].endswith(" ET") for v in versions)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", v["first_seen"]) for v in versions)
    once = site.client.get(f"/api/hearings/{UNCHANGED}/history").json()
    assert once["version_count"] == 1 and once["versions"][0]["changes"] == ["First seen"]
    missing = site.client.get("/api/hearings/999999/history")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == (
        "There is no meeting with id '999999' in this database."
    )


def test_the_hearing_page_shows_history_newest_first_in_eastern_time(site: Site) -> None:
    page = site.client.get(f"/hearings/{MOVED}").text
    section = page[page.index('<section id="history"') :]
    section = section[: section.index("</section>")]
    order = [section.index(f"<strong>Version {n}</strong>") for n in (3, 2, 1)]
    assert order == sorted(order)
    for sentence in RESCHEDULED[1:]:
        assert f"<li>{sentence}</li>" in section
    assert section.count(" ET</time>") == 3
    assert "Times are Eastern Time" in section
    assert 'id="history"' not in site.client.get(f"/hearings/{UNCHANGED}").text


def test_history_sentences_are_escaped(site: Site) -> None:
    page = site.client.get(f"/hearings/{WITNESSED}").text
    section = page[page.index('<section id="history"') :]
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Jane Doe (Evil &amp; Co)" in section
    assert "<script>alert" not in page
    assert "<script>alert" not in site.client.get("/changes").text


# ---- changes across the database ----------------------------------------------------------------


def test_the_changes_api_lists_each_change_newest_first_with_its_kinds(site: Site) -> None:
    listed = site.client.get("/api/changes").json()
    assert listed["total"] == 4
    results = listed["results"]
    assert set(_keys(results)) == set(CHANGES)
    seen = [r["first_seen"] for r in results]
    assert seen == sorted(seen, reverse=True)
    assert _keys(results).index((MOVED, 3)) < _keys(results).index((MOVED, 2))
    for result in results:
        kinds, sentences = CHANGES[(result["event_id"], result["version"])]
        assert (result["kinds"], result["changes"]) == (kinds, sentences)
        assert result["first_seen_eastern"].endswith(" ET")
    canceled = next(r for r in results if r["event_id"] == CANCELED)
    assert canceled["chamber"] == "Senate"
    assert [c["system_code"] for c in canceled["committees"]] == ["ssju00"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("chamber=senate", {(CANCELED, 2)}),
        ("chamber=house", {(MOVED, 2), (MOVED, 3), (WITNESSED, 2)}),
        ("committee=hsgo00", {(WITNESSED, 2)}),
        ("committee=HSVR00", {(MOVED, 2), (MOVED, 3)}),  # the parent finds its subcommittee's
        ("kind=postponed", {(MOVED, 2)}),
        ("kind=canceled", {(CANCELED, 2)}),
        ("kind=rescheduled", {(MOVED, 3)}),
        ("kind=witnesses", {(MOVED, 3), (WITNESSED, 2)}),
        ("kind=witnesses&committee=hsvr00", {(MOVED, 3)}),
        ("kind=canceled&chamber=house", set()),
    ],
)
def test_changes_filter_like_hearings_and_by_kind(
    site: Site, query: str, expected: set[tuple[str, int]]
) -> None:
    listed = site.client.get(f"/api/changes?{query}").json()
    assert set(_keys(listed["results"])) == expected
    assert listed["total"] == len(expected)


def test_changes_are_paginated(site: Site) -> None:
    first = site.client.get("/api/changes?per_page=3").json()
    assert (first["pages"], first["previous"], first["next"]) == (
        2,
        None,
        "/api/changes?page=2&per_page=3",
    )
    second = site.client.get(first["next"]).json()
    assert len(first["results"]) == 3 and len(second["results"]) == 1
    assert set(_keys(first["results"] + second["results"])) == set(CHANGES)
    beyond_api = site.client.get("/api/changes?page=3&per_page=3")
    assert beyond_api.status_code == 200 and beyond_api.json()["results"] == []
    html = site.client.get("/changes?per_page=3")
    assert 'href="/changes?page=2&amp;per_page=3"' in html.text
    beyond = site.client.get("/changes?per_page=3&page=9", follow_redirects=False)
    assert beyond.status_code == 303
    assert site.client.get("/api/changes?kind=moved").status_code == 400
    assert site.client.get("/api/changes?days=0").status_code == 400


def test_changes_before_the_period_are_left_out(site: Site) -> None:
    old = create_app(site.engine, clock=lambda: datetime.now(UTC) + timedelta(days=40))
    with TestClient(old) as client:
        assert client.get("/api/changes").json()["total"] == 0
        assert client.get("/api/changes?days=60").json()["total"] == 4


def test_the_changes_page_shows_and_filters_changes(site: Site) -> None:
    response = site.client.get("/changes")
    assert response.status_code == 200
    page = response.text
    assert '<a href="/changes">Changes</a>' in page  # in the navigation
    assert "4 changes" in page
    assert f'href="/hearings/{MOVED}#history"' in page
    assert "<li>Room 1324 Rayburn → 1100 Longworth</li>" in page
    assert "Status: Scheduled → Canceled" in page
    assert page.count(" ET</time>") >= 4
    canceled = site.client.get("/changes?kind=canceled&chamber=senate").text
    assert "1 change" in canceled and "Status: Scheduled → Canceled" in canceled
    assert "Postponed" not in canceled.split("<ol", 1)[-1]
    assert '<option value="canceled" selected>' in canceled
    empty = site.client.get("/changes?kind=canceled&chamber=house").text
    assert "No changes match." in empty
    assert site.client.get("/changes?committee=bad!").status_code == 400


# ---- feeds and the calendar ------------------------------------------------------------------


def test_each_change_shows_the_meeting_as_its_version_had_it(site: Site) -> None:
    """Postponed, then rescheduled under a new title: the postponement's entry keeps the status,
    title and time it was made with, in the API, on the page and in the feed, whose entries
    must not change once published."""
    results = site.client.get("/api/changes").json()["results"]
    postponed = next(r for r in results if (r["event_id"], r["version"]) == (MOVED, 2))
    rescheduled = next(r for r in results if (r["event_id"], r["version"]) == (MOVED, 3))
    assert postponed["start"] == "2025-05-21T14:30:00Z"
    assert rescheduled["start"] == "2025-05-23T18:00:00Z"
    assert not postponed["title"].endswith("(rescheduled)")
    assert rescheduled["title"] == postponed["title"] + " (rescheduled)"
    page = site.client.get("/changes?kind=postponed").text
    assert "(rescheduled)" not in page and "status-postponed" in page
    assert "Wednesday, May 21, 2025" in page
    feed = feedparser.parse(site.client.get("/feeds/changes.atom").content)
    entry = next(e for e in feed.entries if e.id == f"urn:hearings:meeting:{MOVED}:version:2")
    assert "Wednesday, May 21, 2025, 10:30 a.m. ET" in entry.summary
    assert "(rescheduled)" not in entry.summary


def test_the_change_feed_has_one_entry_per_change_titled_with_its_sentences(site: Site) -> None:
    response = site.client.get("/feeds/changes.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Changes to congressional hearings"
    assert len(feed.entries) == 4
    by_id = {entry.id: entry for entry in feed.entries}
    for (event_id, version), (kinds, sentences) in CHANGES.items():
        entry = by_id[f"urn:hearings:meeting:{event_id}:version:{version}"]
        assert entry.title == "; ".join(sentences)
        assert entry.link == f"{PUBLIC}/hearings/{event_id}#history"
        assert set(kinds) <= {tag.term for tag in entry.tags}
    updated = [entry.updated_parsed for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == f"{PUBLIC}/feeds/changes.atom"


def test_a_committee_change_feed_covers_its_subcommittees(site: Site) -> None:
    feed = feedparser.parse(site.client.get("/feeds/committee/hsvr00/changes.atom").content)
    assert not feed.bozo
    assert {e.id for e in feed.entries} == {
        f"urn:hearings:meeting:{MOVED}:version:2",
        f"urn:hearings:meeting:{MOVED}:version:3",
    }
    witnessed = feedparser.parse(site.client.get("/feeds/committee/hsgo00/changes.atom").content)
    [entry] = witnessed.entries
    assert entry.title == f"Witness added: {HOSTILE} (Evil & Co)"
    missing = site.client.get("/feeds/committee/zzzz99/changes.atom")
    assert missing.status_code == 404 and "error" in missing.json()


def test_the_calendar_sequence_is_the_version_number(site: Site) -> None:
    calendar = Calendar.from_ical(site.client.get("/feeds/hearings.ics").text)
    sequence = {
        str(event["UID"]).removeprefix("meeting-").removesuffix("@hearings"): int(event["SEQUENCE"])
        for event in calendar.walk("VEVENT")
    }
    assert (sequence[MOVED], sequence[CANCELED], sequence[WITNESSED]) == (3, 2, 2)
    assert sequence[UNCHANGED] == 1
    assert set(sequence.values()) == {1, 2, 3}


def test_the_api_page_documents_history_and_changes(site: Site) -> None:
    page = site.client.get("/api").text
    assert "<code>GET /api/hearings/{event_id}/history</code>" in page
    assert "<code>GET /api/changes</code>" in page
    assert "<code>kind</code>" in page


# ---- in a browser ----------------------------------------------------------------------------


@pytest.mark.browser
def test_back_shows_the_filters_the_results_were_filtered_by(site: Site) -> None:
    """Chromium restored the form as it was left: Back from `kind=postponed` showed every
    change of the House under a form saying Postponed, and Apply would have combined them."""
    app = create_app(site.engine, clock=lambda: datetime.now(UTC))
    with serve(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{base}/changes?chamber=house")
        expect(page.locator("p.count")).to_have_text("3 changes")
        page.select_option("#kind", "postponed")
        page.locator("form.filters button[type=submit]").click()
        page.wait_for_url("**kind=postponed**")
        expect(page.locator("p.count")).to_have_text("1 change")
        page.go_back()
        page.wait_for_url(f"{base}/changes?chamber=house")
        expect(page.locator("p.count")).to_have_text("3 changes")
        expect(page.locator("#kind")).to_have_value("")
        expect(page.locator("#chamber")).to_have_value("house")
        page.go_forward()
        page.wait_for_url("**kind=postponed**")
        expect(page.locator("#kind")).to_have_value("postponed")

        page.goto(f"{base}/hearings?chamber=senate")  # its choices apply as they change
        page.select_option("#chamber", "house")
        page.wait_for_url("**chamber=house**")
        page.go_back()
        page.wait_for_url(f"{base}/hearings?chamber=senate")
        expect(page.locator("#chamber")).to_have_value("senate")
        browser.close()


@pytest.mark.browser
def test_a_long_unbroken_value_never_widens_a_phone_page(site: Site) -> None:
    """A room, a name or a link given as one long string made its grid column as wide as the
    string: on a 375 px phone /changes was 2,563 px wide and a hearing page 831 px."""
    app = create_app(site.engine, clock=lambda: datetime.now(UTC))
    long = "SD-" + "9" * 150
    with serve(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 375, "height": 740})
        for path, selector in [
            ("/changes", "ul.history-changes li"),
            ("/changes", "p.muted"),
            (f"/hearings/{MOVED}", "dl.facts dd"),
            ("/hearings?congress=119", "ol.results .meta"),
        ]:
            page.goto(f"{base}{path}")
            page.locator(selector).first.evaluate("(element, text) => element.append(text)", long)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, (path, selector, width)
        browser.close()
