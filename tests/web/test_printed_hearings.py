"""Every printed hearing has a page, a place in the printed hearings list and on its committee's
page, and a JSON twin: also one whose meeting is not in the database (a meeting of an earlier
Congress, or one the API never served), which no meeting's page can show."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update

from hearings.store import schema
from tests.web.conftest import Scratch

# Printed hearing 60120 of the 119th Congress records meeting 117791 of the Appropriations
# Committee (hsap00), with its transcript as formatted text and PDF.
ORPHAN_MEETING = "117791"
ORPHAN_PAGE = "/printed-hearings/119/60120"
ORPHAN_TITLE = "H.R. 1526 – NO ROGUE RULINGS ACT OF 2025"
PRINTED_IN_CORPUS = 11


def _forget_meeting(scratch: Scratch, event_id: str) -> None:
    """The meeting leaves the database (its transcript links go with it); its printed hearing
    stays, as after an import of its Congress alone."""
    with scratch.engine.begin() as connection:
        connection.execute(delete(schema.hearings).where(schema.hearings.c.event_id == event_id))


def _results(client: TestClient, **params: str) -> list[dict[str, Any]]:
    answer = client.get("/api/printed-hearings", params={"per_page": "100", **params})
    assert answer.status_code == 200, answer.text
    results: list[dict[str, Any]] = answer.json()["results"]
    return results


def test_a_printed_hearing_whose_meeting_is_gone_has_its_own_page(scratch: Scratch) -> None:
    _forget_meeting(scratch, ORPHAN_MEETING)
    client = scratch.client()

    page = client.get(ORPHAN_PAGE)

    assert page.status_code == 200
    assert f'<h1 class="long">{ORPHAN_TITLE}' in page.text
    assert "<dt>Citation</dt><dd>H.Hrg.119</dd>" in page.text
    assert "<dt>Jacket number</dt><dd>60120</dd>" in page.text
    assert "<dd>2025-03-31</dd>" in page.text
    assert "119th Congress" in page.text
    pdf = "https://congress.gov/119/chrg/CHRG-119hhrg60120/CHRG-119hhrg60120.pdf"
    assert f'<a href="{pdf}" rel="external">PDF</a>' in page.text
    assert '<a href="/committees/hsap00">Appropriations Committee</a>' in page.text
    assert f"<strong>Meeting {ORPHAN_MEETING} is not in this database</strong>" in page.text
    assert f'href="/hearings/{ORPHAN_MEETING}"' not in page.text


def test_the_list_and_the_committee_page_lead_to_it(scratch: Scratch) -> None:
    _forget_meeting(scratch, ORPHAN_MEETING)
    client = scratch.client()

    listing = client.get("/printed-hearings")
    committee = client.get("/committees/hsap00")
    only_orphans = client.get("/printed-hearings", params={"has_meeting": "false"})

    assert f'<a href="{ORPHAN_PAGE}">{ORPHAN_TITLE}' in listing.text
    assert f"{PRINTED_IN_CORPUS} printed hearings" in listing.text
    assert f'<a href="{ORPHAN_PAGE}">' in committee.text
    assert '<h2 id="printed-hearings">Printed hearings, subcommittees included (4)' in (
        committee.text
    )
    assert "1 printed hearing " in only_orphans.text and ORPHAN_PAGE in only_orphans.text
    assert '<a href="/printed-hearings">Printed hearings</a>' in listing.text  # in the nav


def test_its_json_twin_and_the_list_name_it_without_a_meeting(scratch: Scratch) -> None:
    _forget_meeting(scratch, ORPHAN_MEETING)
    client = scratch.client()

    orphans = _results(client, has_meeting="false")
    shown = client.get("/api" + ORPHAN_PAGE).json()

    assert [(p["congress"], p["jacket_number"]) for p in orphans] == [(119, 60120)]
    assert orphans[0]["url"] == ORPHAN_PAGE and orphans[0]["api_url"] == "/api" + ORPHAN_PAGE
    assert orphans[0]["meeting_url"] is None
    assert shown["title"].startswith(ORPHAN_TITLE)
    assert shown["citation"] == "H.Hrg.119" and shown["dates"] == ["2025-03-31"]
    assert shown["associated_event_id"] == ORPHAN_MEETING and shown["has_meeting"] is False
    assert shown["library_of_congress_id"] == "LC70282"
    assert [f["type"] for f in shown["formats"]] == ["Formatted Text", "PDF"]
    assert shown["committees"] == [
        {"system_code": "hsap00", "label": "Appropriations Committee", "url": "/committees/hsap00"}
    ]
    assert shown["meetings"] == [
        {
            "event_id": ORPHAN_MEETING,
            "in_database": False,
            "congress": None,
            "title": None,
            "start": None,
            "url": None,
            "congress_gov_url": (
                f"https://www.congress.gov/event/119th-Congress/house-event/{ORPHAN_MEETING}"
            ),
        }
    ]
    with_meeting = _results(client, has_meeting="true")
    assert len(with_meeting) == PRINTED_IN_CORPUS - 1
    assert all(p["has_meeting"] for p in with_meeting)


def test_a_printed_hearing_that_names_no_meeting_says_so(scratch: Scratch) -> None:
    printed = schema.printed_hearings
    with scratch.engine.begin() as connection:
        connection.execute(
            update(printed).where(printed.c.jacket_number == 60120).values(associated_event_id=None)
        )
        connection.execute(
            delete(schema.hearing_transcripts).where(
                schema.hearing_transcripts.c.jacket_number == 60120
            )
        )
    client = scratch.client()

    assert "The API names no meeting for this printed hearing." in client.get(ORPHAN_PAGE).text
    assert client.get("/api" + ORPHAN_PAGE).json()["meetings"] == []
    assert [p["jacket_number"] for p in _results(client, has_meeting="false")] == [60120]


def test_a_meeting_whose_transcript_links_name_it_is_its_meeting(scratch: Scratch) -> None:
    # The meeting it names is of another Congress, not imported; meeting 117775 links it.
    printed = schema.printed_hearings
    with scratch.engine.begin() as connection:
        connection.execute(
            update(printed)
            .where(printed.c.jacket_number == 60035)
            .values(associated_event_id="115999")
        )
    client = scratch.client()

    shown = client.get("/api/printed-hearings/119/60035").json()
    listed = [p for p in _results(client, has_meeting="true") if p["jacket_number"] == 60035]

    assert shown["has_meeting"] is True and shown["meeting_url"] == "/hearings/117775"
    assert [(m["event_id"], m["in_database"]) for m in shown["meetings"]] == [
        ("115999", False),
        ("117775", True),
    ]
    assert listed and listed[0]["meeting_url"] == "/hearings/117775"
    assert '<a href="/hearings/117775">Meeting 117775</a>' in client.get("/printed-hearings").text


def test_words_find_a_printed_hearing_by_title_citation_or_jacket(client: TestClient) -> None:
    def jackets(q: str) -> set[int]:
        return {p["jacket_number"] for p in _results(client, q=q)}

    assert jackets("rogue RULINGS") == {60120}
    assert jackets("60120") == {60120}
    assert len(jackets("h.hrg.119")) == PRINTED_IN_CORPUS
    assert jackets("rogue nothing-like-this") == set()
    assert jackets("100%") == jackets("_") == set()  # LIKE's wildcards are read as written
    page = client.get("/printed-hearings", params={"q": "rogue <b>"})
    assert page.status_code == 200 and "matching “rogue &lt;b&gt;”" in page.text


def test_a_meeting_page_links_its_printed_hearing_page(client: TestClient) -> None:
    page = client.get("/hearings/117775")
    meeting = client.get("/api/hearings/117775").json()

    assert '<a href="/printed-hearings/119/60035">H.Hrg.119</a>' in page.text
    assert [p["url"] for p in meeting["printed_hearings"]] == ["/printed-hearings/119/60035"]
    shown = client.get("/api/printed-hearings/119/60035").json()
    assert shown["has_meeting"] is True
    assert shown["meetings"][0]["url"] == "/hearings/117775"
    assert shown["meetings"][0]["in_database"] is True


def test_the_filters_narrow_the_list(client: TestClient) -> None:
    assert len(_results(client)) == PRINTED_IN_CORPUS
    assert _results(client, congress="118") == []
    assert len(_results(client, congress="118-119")) == PRINTED_IN_CORPUS
    assert len(_results(client, chamber="House")) == PRINTED_IN_CORPUS
    assert _results(client, chamber="senate") == _results(client, chamber="nochamber") == []
    # The Appropriations Committee's own, and its subcommittees' (hsap18, hsap24).
    appropriations = {p["jacket_number"] for p in _results(client, committee="HSAP00")}
    assert appropriations == {60035, 60120, 60803, 60861}
    assert {p["jacket_number"] for p in _results(client, committee="hsap24")} == {60803}
    assert _results(client, has_meeting="false") == []
    assert client.get("/api/committees/hsap00").json()["printed_hearings"] == (
        "/api/printed-hearings?committee=hsap00"
    )


def test_the_list_pages_as_every_api_list_does(client: TestClient) -> None:
    first = client.get("/api/printed-hearings", params={"per_page": "5"}).json()
    past = client.get("/api/printed-hearings", params={"per_page": "5", "page": "9"}).json()

    assert (first["total"], first["pages"], len(first["results"])) == (PRINTED_IN_CORPUS, 3, 5)
    assert first["next"] == "/api/printed-hearings?page=2&per_page=5"
    assert first["previous"] is None
    # Newest Congress first, then the jacket numbers GPO gave last.
    jackets = [p["jacket_number"] for p in first["results"]]
    assert jackets == sorted(jackets, reverse=True)
    assert past["results"] == [] and past["previous"] == "/api/printed-hearings?page=3&per_page=5"
    html = client.get("/printed-hearings?page=9&congress=119", follow_redirects=False)
    assert html.status_code == 303 and html.headers["location"] == "/printed-hearings?congress=119"


def test_what_names_no_printed_hearing_is_a_404_or_a_400(client: TestClient) -> None:
    for path in ("/printed-hearings/119/1", "/printed-hearings/118/60120"):
        assert client.get(path).status_code == 404
        missing = client.get("/api" + path)
        message = missing.json()["error"]["message"]
        assert missing.status_code == 404 and "There is no printed hearing with jacket" in message
    # Past what an INTEGER column holds: a bad number, not a database error.
    for path in ("/printed-hearings/119/2147483648", "/printed-hearings/x/1"):
        assert client.get(path).status_code == 400
        assert client.get("/api" + path).status_code == 400
    for bad in ({"committee": "not a code"}, {"has_meeting": "maybe"}, {"chamber": "moon"}):
        assert client.get("/api/printed-hearings", params=bad).status_code == 400
        assert client.get("/printed-hearings", params=bad).status_code == 400


def test_values_from_the_api_are_escaped_and_only_http_addresses_linked(scratch: Scratch) -> None:
    printed = schema.printed_hearings
    formats = [
        {"type": "PDF", "url": "javascript:alert(1)"},
        {"type": "Text", "url": "//evil.example/x"},
    ]
    with scratch.engine.begin() as connection:
        connection.execute(
            update(printed)
            .where(printed.c.jacket_number == 60120)
            .values(title="<script>alert(1)</script>", citation="<b>H.Hrg.</b>", formats=formats)
        )
    client = scratch.client()

    for path in (ORPHAN_PAGE, "/printed-hearings", "/committees/hsap00"):
        page = client.get(path)
        assert page.status_code == 200
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    page = client.get(ORPHAN_PAGE).text
    assert "&lt;b&gt;H.Hrg.&lt;/b&gt;" in page
    assert 'href="javascript:' not in page and 'href="//evil.example' not in page
    assert "(not linked: javascript:alert(1))" in page


def test_stored_values_of_another_shape_do_not_break_it(scratch: Scratch) -> None:
    # JSON a hand or another program left (`hearings verify` names it): shown as nothing.
    printed = schema.printed_hearings
    with scratch.engine.begin() as connection:
        connection.execute(
            update(printed)
            .where(printed.c.jacket_number == 60120)
            .values(dates=5, formats="PDF", committee_codes={"code": "hsap00"})
        )
        connection.execute(
            update(printed).where(printed.c.jacket_number == 60035).values(committee_codes="hsap00")
        )
        total = connection.execute(select(func.count()).select_from(printed)).scalar_one()
    client = scratch.client()

    assert client.get(ORPHAN_PAGE).status_code == 200
    assert client.get("/api" + ORPHAN_PAGE).json()["committees"] == []
    assert {p["jacket_number"] for p in _results(client, committee="hsap00")} == {60803, 60861}
    assert len(_results(client)) == total
    assert client.get("/committees/hsap00").status_code == 200
