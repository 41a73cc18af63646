"""What the app emits when the data is hostile, over real HTTP: URLs from the API become links
only when they are http(s); CSV cells never start a formula; feeds take their absolute URLs from
PUBLIC_BASE_URL, not the Host header; error messages quote at most about 80 characters; a
direction control a value opens is closed where the value ends."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

import httpx
import pytest
from sqlalchemy import insert, select, update

from hearings.reports.export_formats import FORMULA_STARTS
from hearings.store import schema
from hearings.web.app import create_app
from tests.web.conftest import FIXED_NOW, Scratch
from tests.web.live import live_server

HOSTILE_URLS = [
    "javascript:alert(1)",
    " JavaScript:alert(document.cookie)",
    "java\tscript:alert(2)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example/page",
    "https:javascript:alert(3)",
]
SAFE_URL = "https://docs.house.gov/meetings/safe.pdf"
FORMULAS = [
    '=HYPERLINK("http://evil.example","Click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1d1+1",
]

# Generous: these pages are about what they show, not how fast, and CI shares a loaded machine
# (the first request of a PostgreSQL page once took more than httpx's default 5 s there).
_get = partial(httpx.get, timeout=60)


@dataclass
class Hostile:
    event_id: str
    jacket: int


def _plant_links(scratch: Scratch) -> Hostile:
    """Hostile and safe URLs in every place a URL from the API reaches a page."""
    with scratch.engine.begin() as connection:
        row = connection.execute(
            select(schema.hearing_transcripts.c.event_id, schema.printed_hearings.c.jacket_number)
            .join(
                schema.printed_hearings,
                schema.printed_hearings.c.jacket_number
                == schema.hearing_transcripts.c.jacket_number,
            )
            .limit(1)
        ).one()
        event_id, jacket = str(row.event_id), int(row.jacket_number)
        for ordinal, url in enumerate([*HOSTILE_URLS, SAFE_URL], start=100):
            connection.execute(
                insert(schema.meeting_documents).values(
                    event_id=event_id, ordinal=ordinal, url=url, name=f"Meeting doc {ordinal}"
                )
            )
            connection.execute(
                insert(schema.witness_documents).values(
                    event_id=event_id, ordinal=ordinal, url=url, name=f"Witness doc {ordinal}"
                )
            )
            connection.execute(
                insert(schema.videos).values(
                    event_id=event_id, ordinal=ordinal, url=url, name=None, kind="other"
                )
            )
        connection.execute(
            update(schema.printed_hearings)
            .where(schema.printed_hearings.c.jacket_number == jacket)
            .values(formats=[{"type": "PDF", "url": u} for u in [*HOSTILE_URLS, SAFE_URL]])
        )
    return Hostile(event_id, jacket)


@pytest.fixture
def hostile_site(scratch: Scratch) -> Iterator[tuple[str, Hostile]]:
    planted = _plant_links(scratch)
    app = create_app(scratch.engine, settings=scratch.database.settings(), clock=lambda: FIXED_NOW)
    with live_server(app) as base:
        yield base, planted


def test_only_http_urls_from_the_api_become_links(hostile_site: tuple[str, Hostile]) -> None:
    base, planted = hostile_site
    page = _get(f"{base}/hearings/{planted.event_id}")
    assert page.status_code == 200
    html = page.text
    hrefs = [part.split('"', 1)[0] for part in html.split('href="')[1:]]
    for href in hrefs:
        lowered = href.strip().lower().replace("\t", "")
        assert lowered.startswith(("/", "#", "http://", "https://", "?")), href
        assert not lowered.startswith("//"), href
    assert html.count(f'href="{SAFE_URL}"') == 4  # meeting, witness, video, transcript
    assert "not linked: javascript:alert(1)" in html
    assert "not linked: data:text/html;base64," in html


def test_feeds_take_absolute_urls_from_public_base_url(scratch: Scratch) -> None:
    settings = scratch.database.settings(public_base_url="https://hearings.example.org/app/")
    app = create_app(scratch.engine, settings=settings, clock=lambda: FIXED_NOW)
    poisoned = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    with live_server(app) as base:
        atom = _get(f"{base}/feeds/hearings.atom?x=1", headers=poisoned)
        ics = _get(f"{base}/feeds/hearings.ics", headers=poisoned)
    assert atom.status_code == 200 and ics.status_code == 200
    assert "evil.example" not in atom.text and "evil.example" not in ics.text
    assert 'href="https://hearings.example.org/app/feeds/hearings.atom?x=1"' in atom.text
    assert 'href="https://hearings.example.org/app/hearings"' in atom.text
    assert "https://hearings.example.org/app/hearings/" in ics.text.replace("\r\n ", "")


def test_public_base_url_must_be_an_http_url(scratch: Scratch) -> None:
    for bad in ("javascript:alert(1)", "hearings.example.org", "https://x.org/?q=1"):
        with pytest.raises(ValueError, match="PUBLIC_BASE_URL"):
            scratch.database.settings(public_base_url=bad)


def _plant_formulas(scratch: Scratch) -> list[str]:
    with scratch.engine.begin() as connection:
        ids = [
            str(r.event_id)
            for r in connection.execute(
                select(schema.hearings.c.event_id).order_by(schema.hearings.c.event_id).limit(8)
            )
        ]
        for event_id, formula in zip(ids, FORMULAS, strict=True):
            connection.execute(
                update(schema.hearings)
                .where(schema.hearings.c.event_id == event_id)
                .values(title=formula, room=formula)
            )
    return ids


def _assert_no_formula_cells(text: str) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    for row in rows:
        for name, cell in row.items():
            assert not cell.lstrip(" ").startswith(FORMULA_STARTS), (name, cell)
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
    return rows


def test_the_search_csv_neutralizes_formulas_and_json_stays_exact(scratch: Scratch) -> None:
    ids = _plant_formulas(scratch)
    app = create_app(scratch.engine, settings=scratch.database.settings(), clock=lambda: FIXED_NOW)
    with live_server(app) as base:
        table = _get(f"{base}/hearings.csv", params={"per_page": 100, "sort": "newest"})
        exact = _get(f"{base}/hearings.json", params={"per_page": 100, "sort": "newest"})
    assert table.status_code == 200 and exact.status_code == 200
    rows = {row["event_id"]: row for row in _assert_no_formula_cells(table.text)}
    titles = {r["event_id"]: r["title"] for r in json.loads(exact.text)}
    for event_id, formula in zip(ids, FORMULAS, strict=True):
        assert rows[event_id]["title"] == "'" + formula
        assert titles[event_id] == formula  # JSON is exact


def test_a_long_parameter_is_quoted_in_at_most_about_80_characters(
    hostile_site: tuple[str, Hostile],
) -> None:
    base, _ = hostile_site
    huge = "x" * 8_000  # long, and within the 8,192 characters an address may have (414 past it)
    for path in (f"/api/hearings?q={huge}", f"/hearings?congress={huge}", f"/api/hearings/{huge}"):
        answer = _get(base + path, headers={"Accept": "application/json"})
        assert answer.status_code == 400
        message = answer.json()["error"]["message"]
        assert len(message) < 300, message
        assert "x" * 100 not in message
        assert "8,000 characters" in message
    page = _get(f"{base}/hearings?q={huge}")
    assert page.status_code == 400
    shown = page.text.split('<p class="error-message">')[1].split("</p>")[0]
    assert "x" * 100 not in shown and "8,000 characters" in shown


def test_an_id_with_line_breaks_cannot_inject_calendar_lines(scratch: Scratch) -> None:
    from datetime import datetime

    from icalendar import Calendar

    hostile = "9\r\nBEGIN:VALARM\r\nX"
    moment = datetime(2025, 6, 12, 14, 0)
    with scratch.engine.begin() as connection:
        connection.execute(
            insert(schema.hearings).values(
                event_id=hostile,
                congress=119,
                chamber="House",
                title="Injected",
                start_at=moment,
                is_stub=False,
                content_hash="-",
                first_seen_at=moment,
                last_changed_at=moment,
            )
        )
    app = create_app(scratch.engine, settings=scratch.database.settings(), clock=lambda: FIXED_NOW)
    with live_server(app) as base:
        ics = _get(f"{base}/feeds/hearings.ics")
    assert ics.status_code == 200
    assert "\r\nBEGIN:VALARM" not in ics.text  # as text inside DESCRIPTION only
    calendar = Calendar.from_ical(ics.content)
    assert not list(calendar.walk("VALARM"))
    assert any("9%0D%0ABEGIN%3AVALARM" in str(e["UID"]) for e in calendar.walk("VEVENT"))


# Direction controls the API may send that are never closed: an override (RLO), an embedding
# (RLE) and an isolate (RLI). Each would reverse the rest of its block on the page.
OPENED_TITLE = "Budget \u202eHearing"
OPENED_WITNESS = "Dr. \u2067Jane Roe"
OPENED_COMMITTEE = "Oversight \u202bCommittee"
OPENERS = "\u202a\u202b\u202d\u202e\u2066\u2067\u2068"


def _left_open(text: str) -> int:
    """How many embeddings and isolates `text` leaves open (a simple count: enough here)."""
    depth = 0
    for character in text:
        if character in OPENERS:
            depth += 1
        elif character in "\u202c\u2069" and depth:
            depth -= 1
    return depth


def test_direction_controls_in_the_data_never_reverse_the_rest_of_a_page(
    scratch: Scratch,
) -> None:
    event_id = "118365"
    with scratch.engine.begin() as connection:
        connection.execute(
            update(schema.hearings)
            .where(schema.hearings.c.event_id == event_id)
            .values(title=OPENED_TITLE)
        )
        witness_id = connection.execute(
            select(schema.witness_appearances.c.witness_id).where(
                schema.witness_appearances.c.event_id == event_id,
                schema.witness_appearances.c.ordinal == 0,
            )
        ).scalar_one()
        connection.execute(
            update(schema.witnesses)
            .where(schema.witnesses.c.witness_id == witness_id)
            .values(display_name=OPENED_WITNESS)
        )
        connection.execute(
            update(schema.committees)
            .where(schema.committees.c.system_code == "hsgo00")
            .values(name=OPENED_COMMITTEE)
        )
    app = create_app(scratch.engine, settings=scratch.database.settings(), clock=lambda: FIXED_NOW)
    pages = [
        f"/hearings/{event_id}",
        "/hearings?sort=newest&per_page=100",
        f"/witnesses/{witness_id}",
        "/committees/hsgo00",
        "/committees",
    ]
    with live_server(app) as base:
        answers = {page: _get(base + page) for page in pages}
    for page, answer in answers.items():
        assert answer.status_code == 200, page
        texts = re.split(r"<[^>]*>", answer.text)
        shown = [t for t in texts if any(v in t for v in ("Budget", "Jane Roe", "Oversight"))]
        assert shown, page
        for text in texts:
            assert _left_open(text) == 0, (page, text)
    # Shown exactly as the API gave them, closed after.
    assert f"{OPENED_TITLE}\u202c" in answers[f"/hearings/{event_id}"].text
    assert f"{OPENED_WITNESS}\u2069" in answers[f"/witnesses/{witness_id}"].text
    assert f"{OPENED_COMMITTEE}\u202c" in answers["/committees/hsgo00"].text
