"""The HTML pages: the hearing list and its filters, a hearing, entity pages, the calendar, and
the safety rules (escaping, CSP, clear 400s, 404 pages, no stack traces)."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, insert, select, text, update

from hearings.store import schema
from hearings.store.search_index import refresh_search_index
from tests.web.conftest import Scratch


def result_ids(html: str) -> list[str]:
    return re.findall(r'<a class="title" href="/hearings/(\w+)"', html)


def api_ids(client: TestClient, **params: str) -> list[str]:
    response = client.get("/api/hearings", params={"per_page": "100", **params})
    assert response.status_code == 200, response.text
    return [r["event_id"] for r in response.json()["results"]]


# ---- the list ----------------------------------------------------------------------------------


def test_filters_narrow_the_list(client: TestClient, engine: Engine) -> None:
    senate = client.get("/api/hearings", params={"chamber": "senate", "per_page": "100"}).json()
    assert senate["total"] == 70
    assert {r["chamber"] for r in senate["results"]} == {"Senate"}
    canceled = client.get("/api/hearings", params={"status": "canceled"}).json()["results"]
    assert {r["event_id"] for r in canceled} == {"336937", "336978", "118451", "117895"}
    assert client.get("/api/hearings?type=MARKUP").json()["total"] == 6
    assert client.get("/api/hearings?congress=119").json()["total"] == 150
    assert client.get("/api/hearings?congress=118").json()["total"] == 0
    with engine.connect() as connection:
        with_transcript = set(
            connection.execute(select(schema.hearing_transcripts.c.event_id)).scalars()
        ) | {
            e
            for e in connection.execute(
                select(schema.printed_hearings.c.associated_event_id)
            ).scalars()
            if e
        }
        witnessed = set(connection.execute(select(schema.witness_appearances.c.event_id)).scalars())
    assert set(api_ids(client, has_transcript="true")) == with_transcript
    assert client.get("/api/hearings?has_transcript=false").json()["total"] == 150 - len(
        with_transcript
    )
    assert client.get("/api/hearings?has_witnesses=true").json()["total"] == len(witnessed)
    assert not set(api_ids(client, has_witnesses="false")) & witnessed


def test_a_date_range_is_read_in_eastern_time(client: TestClient) -> None:
    # 118307 starts 2025-06-10 14:00 UTC, 10 a.m. Eastern.
    assert "118307" in api_ids(client, **{"from": "2025-06-10", "to": "2025-06-10"})
    assert "118307" not in api_ids(client, **{"from": "2025-06-11", "to": "2025-06-30"})


def test_a_committee_filter_includes_its_subcommittees(client: TestClient, engine: Engine) -> None:
    links = schema.hearing_committees
    with engine.connect() as connection:
        sub = set(
            connection.execute(
                select(links.c.event_id).where(links.c.system_code == "hsag29")
            ).scalars()
        )
    assert sub
    assert sub <= set(api_ids(client, committee="hsag00"))
    assert set(api_ids(client, committee="hsag29")) == sub


def test_pages_and_sorting(client: TestClient) -> None:
    first = api_ids(client, per_page="10", sort="newest")
    second = api_ids(client, per_page="10", sort="newest", page="2")
    assert len(first) == len(second) == 10 and not set(first) & set(second)
    everything = client.get("/api/hearings?per_page=100&sort=date&page=2").json()
    assert everything["total"] == 150 and len(everything["results"]) == 50
    assert everything["previous"] and everything["next"] is None
    page = client.get("/hearings?sort=newest&per_page=10&page=2")
    assert 'rel="prev"' in page.text and 'rel="next"' in page.text
    assert "11–20 of 150 meetings" in page.text


def test_a_form_sent_without_javascript_ignores_empty_fields(client: TestClient) -> None:
    page = client.get(
        "/hearings?q=Kurilla&congress=&chamber=&committee=&status=&type=&from=&to="
        "&has_witnesses=&has_transcript=&sort="
    )
    assert page.status_code == 200
    assert result_ids(page.text) == ["118307"]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("congress=abc", "congress"),
        ("chamber=moon", "chamber"),
        ("from=2025-13-45", "from"),
        ("page=0", "page"),
        ("per_page=5000", "per_page"),
        ("committee=%3Cscript%3E", "committee"),
        ("from=2025-07-01&to=2025-06-01", "after it ends"),
        # The last day of the calendar has no Eastern midnight after it (was a 500).
        ("to=9999-12-31", "expected a day from 1900 to 2200, got '9999-12-31'"),
        ("from=0001-01-01", "expected a day from 1900 to 2200, got '0001-01-01'"),
        ("sort=sideways", "sort"),
        ("has_witnesses=maybe", "has_witnesses"),
        # A number is not a day, though pydantic would read it as a Unix time.
        ("from=1735689600", "should be a day written YYYY-MM-DD"),
        ("to=-1", "should be a day written YYYY-MM-DD"),
    ],
)
def test_a_bad_parameter_gets_a_400_with_a_clear_message(
    client: TestClient, query: str, words: str
) -> None:
    page = client.get(f"/hearings?{query}")
    assert page.status_code == 400
    assert words in html.unescape(page.text)
    assert "<h1>Bad request</h1>" in page.text
    api = client.get(f"/api/hearings?{query}")
    assert api.status_code == 400
    assert words in api.json()["error"]["message"]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("page=abc", "Parameter 'page': expected a whole number, got 'abc'."),
        (
            "has_witnesses=maybe",
            "Parameter 'has_witnesses': expected true or false (also 1/0, yes/no, on/off), "
            "got 'maybe'.",
        ),
        # Not pydantic's "Input should be a valid date or datetime, day value is outside…".
        (
            "from=2025-02-30",
            "Parameter 'from': expected a date such as 2025-06-24, got '2025-02-30' (day value "
            "is outside expected range).",
        ),
        # Not "String should match pattern '^[A-Za-z]{2,8}[0-9]{2}$'".
        (
            "committee=agriculture",
            "Parameter 'committee': expected a committee code such as hsag00 (`/committees` "
            "lists them), got 'agriculture'.",
        ),
    ],
)
def test_a_parameter_that_is_not_a_number_or_boolean_says_what_is_accepted(
    client: TestClient, query: str, says: str
) -> None:
    api = client.get(f"/api/hearings?{query}")
    assert api.status_code == 400
    assert api.json()["error"]["message"] == says
    page = client.get(f"/hearings?{query}")
    assert page.status_code == 400
    assert says.replace("'", "&#39;") in page.text
    # The page's JSON twin answers as the API does, whatever the client accepts.
    twin = client.get(f"/hearings.json?{query}", headers={"Accept": "*/*"})
    assert twin.status_code == 400
    assert twin.json()["error"]["message"] == says


def test_a_month_that_is_not_one_says_how_to_write_it(client: TestClient) -> None:
    page = client.get("/calendar?month=13")
    assert page.status_code == 400
    assert "Parameter 'month': expected a month such as 2025-06, got '13'." in html.unescape(
        page.text
    )
    for month, says in (("2025-13", "such as 2025-06"), ("0100-01", "from 1900 to 2200")):
        page = client.get(f"/calendar?month={month}")
        assert page.status_code == 400
        assert f"Parameter 'month': expected a month {says}, got '{month}'." in html.unescape(
            page.text
        )


def test_a_long_value_that_is_not_a_number_is_quoted_cut(client: TestClient) -> None:
    message = client.get("/api/hearings", params={"page": "9x" * 500}).json()["error"]["message"]
    assert message.startswith("Parameter 'page': expected a whole number, got '9x9x")
    assert message.endswith("(1,000 characters).") and len(message) < 150


@pytest.mark.parametrize(
    "address", ["/hearings", "/api/hearings", "/hearings.csv", "/changes", "/api/witnesses"]
)
def test_a_parameter_given_twice_is_refused_not_silently_narrowed(
    client: TestClient, address: str
) -> None:
    """The last of two values won unseen: chamber=house&chamber=senate was the Senate alone."""
    answer = client.get(f"{address}?chamber=house&chamber=senate")
    assert answer.status_code == 400
    assert "given more than once; give it once" in answer.text
    twice = client.get(f"{address}?congress=118&congress=119")
    assert twice.status_code == 400 and "congress=118,119" in twice.text


def test_a_week_is_a_day_written_out(client: TestClient) -> None:
    page = client.get("/hearings?week=20250101")
    assert page.status_code == 400 and "should be a day written YYYY-MM-DD" in page.text
    assert client.get("/hearings?week=2025-01-01").status_code == 200


# ---- a hearing ---------------------------------------------------------------------------------


def test_a_hearing_page_shows_the_whole_record(client: TestClient) -> None:
    page = client.get("/hearings/118365")
    assert page.status_code == 200
    html = page.text
    assert "Legislative Hearing on: H.R. 2334" in html
    assert "Wednesday, June 11, 2025, 10 a.m. ET" in html
    assert "2167, Longworth House Office Building" in html
    assert 'href="/committees/hsgo00"' in html and "Economic Opportunity Subcommittee" in html
    assert "Nick Pamperin" in html and "The American Legion" in html
    assert "HHRG-119-GO00-Wstate-PamperinN-20250611.pdf" in html
    assert "Hearing Notice" in html
    # The video is a link card; nothing loads from YouTube until the reader asks for it.
    assert 'href="https://www.youtube.com/watch?v=RdkqjVPvkoX"' in html
    assert "<iframe" not in html and 'data-youtube-id="RdkqjVPvkoX"' in html
    assert "Economic Opportunity Subcommittee (Veterans" in html
    assert "https://www.congress.gov/bill/119th-congress/house-bill/2334" in html
    assert "https://www.congress.gov/event/119th-Congress/house-event/118365" in html
    assert "Our copy changed" in html and "Congress.gov: Wednesday, October 1, 2025" in html


def test_only_youtube_itself_becomes_a_youtube_card(scratch: Scratch) -> None:
    """A host that only ends in the letters of youtube.com or youtu.be (notyoutube.com) got a
    "Watch on YouTube" card for the id in its address, a video the API never named."""
    urls = [
        "https://notyoutube.com/watch?v=AAAAAAAAAAA",
        "https://evilyoutu.be/BBBBBBBBBBB",
        "https://m.youtube.com/watch?v=CCCCCCCCCCC",
    ]
    with scratch.engine.begin() as connection:
        connection.execute(delete(schema.videos).where(schema.videos.c.event_id == "118365"))
        for ordinal, url in enumerate(urls):
            connection.execute(
                insert(schema.videos).values(
                    event_id="118365", ordinal=ordinal, url=url, name=None, kind="youtube"
                )
            )
    html = scratch.client().get("/hearings/118365").text
    assert "AAAAAAAAAAA" in html and "BBBBBBBBBBB" in html  # listed as links, as the API gave
    assert 'data-youtube-id="AAAAAAAAAAA"' not in html
    assert 'data-youtube-id="BBBBBBBBBBB"' not in html
    assert 'data-youtube-id="CCCCCCCCCCC"' in html


def test_a_canceled_hearing_says_so_first(client: TestClient) -> None:
    page = client.get("/hearings/118451")
    assert page.status_code == 200
    assert '<p class="alert alert-canceled" role="alert"><strong>Canceled.</strong>' in page.text
    postponed = client.get("/hearings/118521")
    assert "<strong>Postponed.</strong>" in postponed.text


def test_a_printed_hearing_links_its_transcript(client: TestClient) -> None:
    page = client.get("/hearings/117775")
    assert "H.Hrg.119" in page.text
    assert "https://congress.gov/119/chrg/CHRG-119hhrg60035/CHRG-119hhrg60035.htm" in page.text
    assert "https://congress.gov/119/chrg/CHRG-119hhrg60035/CHRG-119hhrg60035.pdf" in page.text


def test_an_unknown_hearing_is_a_404_page(client: TestClient) -> None:
    page = client.get("/hearings/0000000")
    assert page.status_code == 404
    assert "There is no meeting with id" in page.text and "<h1>Not found</h1>" in page.text
    assert client.get("/no/such/page").status_code == 404


# ---- entities ----------------------------------------------------------------------------------


def test_a_witness_page_lists_appearances_and_organizations(client: TestClient) -> None:
    page = client.get("/witnesses/craig-singleton-f4f1496895")
    assert page.status_code == 200
    assert "Craig Singleton" in page.text
    assert 'href="/hearings/117895"' in page.text and 'href="/hearings/117903"' in page.text
    assert 'href="/organizations/foundation-for-defense-of-democracies"' in page.text
    assert "Organizations over time" in page.text
    assert client.get("/witnesses/nobody-0000").status_code == 404


def test_an_organization_page_lists_its_witnesses_and_their_hearings(client: TestClient) -> None:
    page = client.get("/organizations/department-of-veterans-affairs")
    assert page.status_code == 200
    assert page.text.count('<section class="org-witness">') == 7
    assert client.get("/organizations/no-such-org").status_code == 404
    assert client.get("/organizations/..%2F..").status_code == 404


def test_committee_pages_list_subcommittees_and_meetings(client: TestClient) -> None:
    index = client.get("/committees")
    assert index.status_code == 200 and 'href="/committees/hsag00"' in index.text
    page = client.get("/committees/hsag00")
    assert page.status_code == 200
    assert 'href="/committees/hsag29"' in page.text
    assert "/feeds/committee/hsag00.ics" in page.text
    assert client.get("/committees/zzzz99").status_code == 404


@pytest.mark.parametrize(
    ("reason", "then"),
    [
        ("field 'date': not a date", "the next update tries the newer one again."),
        ("suspicious: every witness was removed", "applied if a reviewer accepts it."),
    ],
)
def test_a_hearing_whose_newer_version_is_quarantined_says_so(
    scratch: Scratch, reason: str, then: str
) -> None:
    with scratch.engine.begin() as connection:
        connection.execute(
            insert(schema.import_errors).values(
                entity="meeting",
                identifier="118365",
                stage="validate",
                reason=reason,
                raw_payload="{}",
                locator={"congress": 119, "chamber": "house"},
                first_seen_at=datetime(2025, 6, 12, 13, 30),
                last_seen_at=datetime(2025, 6, 12, 13, 30),
                attempts=1,
                resolved=False,
            )
        )
    words = " ".join(scratch.client().get("/hearings/118365").text.split())
    assert (
        "A newer version of this meeting came from the Congress.gov API on Thursday, June 12, "
        "2025, 9:30 a.m. ET and waits in this database’s quarantine: "
    ) in words
    assert then in words
    assert "Legislative Hearing on: H.R. 2334" in words  # the version before it, still shown
    assert "waits in this database" not in scratch.client().get("/hearings/118307").text


def test_a_member_page_shows_testimony_under_their_name(scratch: Scratch) -> None:
    with scratch.engine.begin() as connection:
        member = connection.execute(
            select(schema.members).where(schema.members.c.name == "Tom Cole")
        ).one()
        connection.execute(
            insert(schema.witnesses).values(
                witness_id="tom-cole-test",
                normalized_name="tom cole",
                organization_key="",
                display_name="Hon. Tom Cole",
                first_seen_at=datetime(2025, 1, 1),
            )
        )
        connection.execute(
            insert(schema.witness_appearances).values(
                event_id="118307",
                ordinal=99,
                witness_id="tom-cole-test",
                name_as_given="Hon. Tom Cole",
            )
        )
    client = scratch.client()
    page = client.get(f"/members/{member.bioguide_id}")
    assert page.status_code == 200
    assert "Tom Cole" in page.text and 'href="/hearings/118307"' in page.text
    assert client.get("/members?q=cole").status_code == 200
    assert client.get("/members/Z999999").status_code == 404


def test_witness_and_member_lists_search_by_name(client: TestClient) -> None:
    assert "Craig Singleton" in client.get("/witnesses?q=singleton").text
    assert "Tom Cole" in client.get("/members?q=tom+cole").text


# ---- calendar ----------------------------------------------------------------------------------


def test_the_calendar_shows_a_month_and_what_is_coming(client: TestClient) -> None:
    page = client.get("/calendar")
    assert page.status_code == 200
    assert "June 2025" in page.text and "Coming up" in page.text
    assert 'href="/hearings/118365"' in page.text
    other = client.get("/calendar?month=2025-03&committee=hsag00")
    assert other.status_code == 200 and "/feeds/committee/hsag00.ics" in other.text
    assert client.get("/calendar?month=2025-13").status_code == 400


# ---- safety ------------------------------------------------------------------------------------


def test_every_response_carries_a_content_security_policy(client: TestClient) -> None:
    for url in (
        "/hearings",
        "/api/hearings",
        "/hearings/0",
        "/feeds/hearings.ics",
        "/static/style.css",
    ):
        policy = client.get(url).headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "cdn" not in policy


def test_no_page_loads_anything_from_another_site(client: TestClient) -> None:
    for url in ("/hearings", "/hearings/118365", "/calendar", "/api", "/committees/hsgo00"):
        html = client.get(url).text
        for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
            assert src.startswith("/"), (url, src)


def test_stored_text_is_escaped_everywhere(scratch: Scratch) -> None:
    evil = '<script>alert("x")</script> Budget <img src=x onerror=alert(1)>'
    with scratch.engine.begin() as connection:
        connection.execute(
            update(schema.hearings).where(schema.hearings.c.event_id == "118307").values(title=evil)
        )
        refresh_search_index(connection, ["118307"])
    client = scratch.client()
    for url in (
        "/hearings/118307",
        "/hearings?q=budget",
        "/feeds/hearings.atom",
        "/calendar?month=2025-06",
    ):
        body = client.get(url).text
        assert "<script>alert" not in body and "<img src=x" not in body, url
        assert "&lt;script&gt;" in body, url


def test_a_bug_shows_one_sentence_and_no_stack_trace(scratch: Scratch) -> None:
    with scratch.engine.begin() as connection:  # a missing table is refused before the app starts
        connection.execute(text("ALTER TABLE videos RENAME COLUMN ordinal TO gone"))
    client = scratch.client()
    page = client.get("/hearings/118307")
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.text
    assert "Traceback" not in page.text and "videos" not in page.text
    api = client.get("/api/hearings/118307")
    assert api.status_code == 500 and api.json()["error"]["status"] == 500


def test_the_banner_says_when_the_data_was_last_updated(client: TestClient, engine: Engine) -> None:
    with engine.connect() as connection:
        end = connection.execute(
            select(schema.update_logs.c.end_time).where(schema.update_logs.c.success.is_(True))
        ).scalar_one()
    page = client.get("/hearings").text
    assert "Data as of" in page
    assert end.strftime("%Y-%m-%dT%H:%M:%SZ") in page
