"""Finding printed hearings: a search of meetings also lists the printed hearings whose meeting is
not in this database, the printed hearings list reads its words as that search does, its Congress
filter offers the Congresses of printed hearings, and a printed hearing whose meeting is missing
says what it knows of that meeting."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, insert, update

from hearings.store import schema
from hearings.store.search_index import rebuild_search_index, refresh_search_index
from tests.web.conftest import Scratch

ORPHAN_MEETING = "117791"
ORPHAN_PAGE = "/printed-hearings/119/60120"
ORPHAN_TITLE = "H.R. 1526 – NO ROGUE RULINGS ACT OF 2025"
PRINTED_IN_CORPUS = 11
GROUP_HEADING = '<h2 id="printed-hearings">Printed hearings whose meeting is not in this database'


def _forget_meetings(scratch: Scratch, *event_ids: str) -> None:
    """Meetings leave the database; their printed hearings stay, as after an import of another
    Congress, or of printed hearings whose meetings the API never served."""
    hearings = schema.hearings
    with scratch.engine.begin() as connection:
        if event_ids:
            connection.execute(delete(hearings).where(hearings.c.event_id.in_(event_ids)))
            refresh_search_index(connection, event_ids)
        else:
            connection.execute(delete(hearings))
            rebuild_search_index(connection)


def _jackets(client: TestClient, q: str, **params: str) -> set[int]:
    answer = client.get("/api/printed-hearings", params={"q": q, "per_page": "100", **params})
    assert answer.status_code == 200, answer.text
    return {p["jacket_number"] for p in answer.json()["results"]}


def _group(page: str) -> str:
    """The printed hearings section of a search page ('' when it has none)."""
    found = re.search(r'<section class="printed-matches".*?</section>', page, re.DOTALL)
    return found.group(0) if found else ""


def test_a_search_finds_a_printed_hearing_whose_meeting_is_not_here(scratch: Scratch) -> None:
    _forget_meetings(scratch, ORPHAN_MEETING)
    client = scratch.client()

    page = client.get("/hearings", params={"q": "rogue rulings"})

    assert page.status_code == 200
    assert "No meetings match." in page.text
    assert "Also 1 printed hearing whose meeting is not in this database" in page.text
    group = _group(page.text)
    assert GROUP_HEADING + " (1)</h2>" in group
    assert f'<a href="{ORPHAN_PAGE}">{ORPHAN_TITLE}' in group
    assert "H.Hrg.119 · jacket 60120 · 119th Congress · 2025-03-31" in group
    # The group is the first page's: the next pages of meetings do not repeat it.
    meetings = client.get("/api/hearings", params={"q": "act", "per_page": "5"}).json()["total"]
    first = client.get("/hearings", params={"q": "act", "per_page": "5"}).text
    second = client.get("/hearings", params={"q": "act", "per_page": "5", "page": "2"}).text
    assert meetings > 5 and f"1–5 of {meetings} meetings" in first
    assert ORPHAN_PAGE in _group(first)
    assert f"6–{min(10, meetings)} of {meetings} meetings" in second and _group(second) == ""


def test_a_printed_hearing_whose_meeting_is_here_is_found_as_that_meeting(
    client: TestClient,
) -> None:
    page = client.get("/hearings", params={"q": "rogue rulings"})
    found = client.get("/api/hearings", params={"q": "rogue rulings"}).json()

    assert [r["event_id"] for r in found["results"]] == [ORPHAN_MEETING]
    assert f'href="/hearings/{ORPHAN_MEETING}"' in page.text
    assert _group(page.text) == "" and "Also 1 printed hearing" not in page.text


def test_the_group_shows_five_and_links_the_rest_with_the_same_filters(
    scratch: Scratch,
) -> None:
    _forget_meetings(scratch)
    client = scratch.client()

    group = _group(client.get("/hearings", params={"q": "h.hrg.119", "chamber": "house"}).text)
    rest = "/printed-hearings?q=h.hrg.119&amp;chamber=house&amp;has_meeting=false"

    assert GROUP_HEADING + f" ({PRINTED_IN_CORPUS})</h2>" in group
    assert group.count('<a href="/printed-hearings/119/') == 5
    assert f'<a href="{rest}">All {PRINTED_IN_CORPUS} printed hearings matching' in group
    listed = client.get(rest.replace("&amp;", "&"))
    assert f"{PRINTED_IN_CORPUS} printed hearings matching" in listed.text
    # Filters narrow it as they narrow the printed hearings list; one that only a meeting can
    # pass (its status, its witnesses) leaves no printed hearing to show.
    assert _group(client.get("/hearings", params={"q": "rogue", "congress": "118"}).text) == ""
    assert _group(client.get("/hearings", params={"q": "rogue", "chamber": "senate"}).text) == ""
    assert _group(client.get("/hearings", params={"q": "rogue", "status": "canceled"}).text) == ""
    assert ORPHAN_PAGE in _group(client.get("/hearings", params={"q": "rogue"}).text)


def test_the_list_reads_words_as_the_search_of_meetings_does(client: TestClient) -> None:
    # Whole words, the last also as the start of one, as a meeting's title is searched.
    assert _jackets(client, "environ") == {61255}
    assert _jackets(client, "iron") == set()  # inside ENVIRONMENT, not a word of it
    assert _jackets(client, "art") == set()  # inside PART
    # Quoted phrases, in their order.
    assert _jackets(client, '"welfare state"') == {60558}
    assert _jackets(client, '"state welfare"') == set()
    # Bill citations as people write them, and only the bill cited.
    assert _jackets(client, "H.R. 1526") == _jackets(client, "hr1526") == {60120}
    assert _jackets(client, "H.R. 152") == set()
    assert _jackets(client, "H.Con.Res. 14 reconciliation") == {61528}
    # As before: a jacket number, words in any case, LIKE's wildcards as written.
    assert _jackets(client, "60120") == _jackets(client, "ROGUE rulings") == {60120}
    assert _jackets(client, "100%") == _jackets(client, "_") == set()


def test_an_acronym_finds_a_printed_hearing_by_its_full_name(scratch: Scratch) -> None:
    printed = schema.printed_hearings
    with scratch.engine.begin() as connection:
        connection.execute(
            update(printed)
            .where(printed.c.jacket_number == 60120)
            .values(title="Oversight of the Government Accountability Office")
        )
    _forget_meetings(scratch, ORPHAN_MEETING)
    client = scratch.client()

    assert _jackets(client, "GAO") == {60120}
    assert ORPHAN_PAGE in _group(client.get("/hearings", params={"q": "GAO"}).text)


def _congress_choices(page: str) -> list[str]:
    select = re.search(r'<select id="congress".*?</select>', page, re.DOTALL)
    assert select is not None
    return re.findall(r'<option value="(\d+)"', select.group(0))


def test_the_congress_filter_offers_the_congresses_of_printed_hearings(
    scratch: Scratch,
) -> None:
    now = datetime(2025, 6, 1, 12, 0)
    hearings = schema.hearings
    with scratch.engine.begin() as connection:
        connection.execute(
            insert(schema.printed_hearings).values(
                congress=105,
                jacket_number=41001,
                chamber="Senate",
                title="Year 2000 Computer Problem",
                citation="S.Hrg.105",
                dates=["1998-07-31"],
                formats=[],
                committee_codes=[],
                first_seen_at=now,
                last_changed_at=now,
            )
        )
        # A Congress with a meeting and no printed hearing.
        connection.execute(
            update(hearings).where(hearings.c.event_id == "118307").values(congress=118)
        )
    client = scratch.client()

    assert _congress_choices(client.get("/printed-hearings").text) == ["119", "105"]
    assert _congress_choices(client.get("/hearings?sort=newest").text) == ["119", "118"]
    only = client.get("/printed-hearings", params={"congress": "105"}).text
    assert '<option value="105" selected>105th</option>' in only
    assert "1 printed hearing of the 105th Congress" in only


def test_a_missing_meeting_is_described_from_its_printed_hearing(scratch: Scratch) -> None:
    _forget_meetings(scratch, ORPHAN_MEETING)
    client = scratch.client()

    page = client.get(ORPHAN_PAGE).text
    shown: dict[str, Any] = client.get("/api" + ORPHAN_PAGE).json()

    assert f"<strong>Meeting {ORPHAN_MEETING} is not in this database</strong>" in page
    assert (
        "What this printed hearing records of it: held 2025-03-31, House, 119th Congress, "
        'before <a href="/committees/hsap00">Appropriations Committee</a>.'
    ) in page
    url = f"https://www.congress.gov/event/119th-Congress/house-event/{ORPHAN_MEETING}"
    assert f'<a href="{url}" rel="external">Look for the meeting on congress.gov</a>' in page
    assert f'href="/hearings/{ORPHAN_MEETING}"' not in page
    assert shown["meetings"][0]["in_database"] is False
    assert shown["meetings"][0]["congress_gov_url"] == url


def test_a_missing_meeting_with_an_odd_id_is_shown_as_text(scratch: Scratch) -> None:
    printed = schema.printed_hearings
    odd = '<b>1"</b>/../x'
    with scratch.engine.begin() as connection:
        connection.execute(
            update(printed)
            .where(printed.c.jacket_number == 60120)
            .values(associated_event_id=odd, chamber="<i>Joint</i>")
        )
    _forget_meetings(scratch, ORPHAN_MEETING)
    client = scratch.client()

    page = client.get(ORPHAN_PAGE).text

    assert "<strong>Meeting &lt;b&gt;1&#34;&lt;/b&gt;/../x is not in this database" in page
    assert ", &lt;i&gt;Joint&lt;/i&gt;, 119th Congress" in page
    assert "congress.gov/event" not in page and "<b>1" not in page
    assert client.get("/api" + ORPHAN_PAGE).json()["meetings"][0]["congress_gov_url"] is None
