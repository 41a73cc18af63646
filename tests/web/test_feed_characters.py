"""Feeds stay well-formed whatever characters the API sends: a title, witness or committee name
with a control character or a noncharacter (which XML 1.0 cannot carry, not even as a character
reference) loses that character in the Atom feeds and the calendar, and keeps the rest."""

from __future__ import annotations

import re
from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar
from markupsafe import Markup, escape
from sqlalchemy import func, select, update

from hearings.store import schema
from hearings.store.archive import Version, archive_versions, versions_of
from hearings.web.feeds import ics_text
from hearings.web.templating import full_stop, xml_legal
from tests.web.conftest import Scratch

ATOM = "{http://www.w3.org/2005/Atom}"
# The characters XML 1.0 forbids (section 2.2): what no feed may contain.
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

FORM_FEED_TITLE = "Budget\x0cHearing"
NONCHARACTER_TITLE = "Nonchar \ufffe only"
WITNESS = "Evil\x1b[31mRed\x1b[0m Person"
COMMITTEE = "Oversight\x0b and\ufffe Reform"
WITNESSED = "118307"  # of hsas00 and hsgo00


@pytest.fixture
def hostile_feeds(scratch: Scratch) -> Scratch:
    """Two meetings of hsgo00 with such titles, the committee with such a name, and a new
    version of the first that adds such a witness: every text that reaches a feed. Both are
    the latest changed, so the feeds of the 100 latest hold them."""
    hearings, links = schema.hearings, schema.hearing_committees
    with scratch.engine.begin() as connection:
        latest = connection.execute(select(func.max(hearings.c.last_changed_at))).scalar_one()
        changed_at = latest + timedelta(minutes=1)
        other = (
            connection.execute(
                select(links.c.event_id)
                .where(links.c.system_code == "hsgo00", links.c.event_id != WITNESSED)
                .order_by(links.c.event_id)
            )
            .scalars()
            .first()
        )
        [first] = versions_of(connection, "meeting", WITNESSED)
        witnesses = [*first.payload.get("witnesses", []), {"name": WITNESS, "position": "CEO"}]
        changed = {**first.payload, "title": FORM_FEED_TITLE, "witnesses": witnesses}
        version = Version("meeting", WITNESSED, "changed", changed, first.update_date)
        archive_versions(connection, [version], run_id=None, now=changed_at)
        for event_id, title in ((WITNESSED, FORM_FEED_TITLE), (other, NONCHARACTER_TITLE)):
            connection.execute(
                update(hearings)
                .where(hearings.c.event_id == event_id)
                .values(title=title, last_changed_at=changed_at)
            )
        connection.execute(
            update(schema.committees)
            .where(schema.committees.c.system_code == "hsgo00")
            .values(name=COMMITTEE)
        )
    return scratch


def _well_formed_feed(body: bytes) -> tuple[ElementTree.Element, str]:
    """The parsed feed and its text, after a real XML parser and feedparser both accepted it."""
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    text = body.decode("utf-8")
    assert not XML_ILLEGAL.search(text)
    return ElementTree.fromstring(body), text


@pytest.mark.parametrize(
    "path",
    ["/feeds/hearings.atom", "/feeds/committee/hsgo00.atom"],
)
def test_a_meeting_feed_drops_characters_xml_cannot_carry(
    hostile_feeds: Scratch, path: str
) -> None:
    response = hostile_feeds.client().get(path)
    assert response.status_code == 200
    feed, text = _well_formed_feed(response.content)
    titles = [entry.findtext(f"{ATOM}title", "") for entry in feed.iter(f"{ATOM}entry")]
    assert "Changed: BudgetHearing" in titles
    assert "Changed: Nonchar  only" in titles
    assert "Oversight and Reform" in text  # the committee's category and summary


@pytest.mark.parametrize(
    "path",
    ["/feeds/changes.atom", "/feeds/committee/hsgo00/changes.atom"],
)
def test_a_change_feed_drops_characters_xml_cannot_carry(hostile_feeds: Scratch, path: str) -> None:
    response = hostile_feeds.client().get(path)
    assert response.status_code == 200
    feed, _ = _well_formed_feed(response.content)
    [entry] = [
        e
        for e in feed.iter(f"{ATOM}entry")
        if e.findtext(f"{ATOM}id") == "urn:hearings:meeting:118307:version:2"
    ]
    assert "Witness added: Evil[31mRed[0m Person" in entry.findtext(f"{ATOM}title", "")
    assert entry.findtext(f"{ATOM}summary", "").startswith("BudgetHearing. ")
    labels = {c.get("label") for c in entry.iter(f"{ATOM}category")}
    assert "Oversight and Reform" in labels


def test_the_committee_feed_title_drops_them_too(hostile_feeds: Scratch) -> None:
    feed, _ = _well_formed_feed(hostile_feeds.client().get("/feeds/committee/hsgo00.atom").content)
    assert feed.findtext(f"{ATOM}title") == "Oversight and Reform: new and changed hearings"


@pytest.mark.parametrize("path", ["/feeds/hearings.ics", "/feeds/committee/hsgo00.ics"])
def test_the_calendar_carries_no_control_characters(hostile_feeds: Scratch, path: str) -> None:
    response = hostile_feeds.client().get(path)
    assert response.status_code == 200
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", response.text)
    calendar = Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    # A summary is one line: the form feed, like any white space in it, became a space.
    assert str(events[f"meeting-{WITNESSED}@hearings"]["SUMMARY"]) == "Budget Hearing"
    description = str(events[f"meeting-{WITNESSED}@hearings"]["DESCRIPTION"])
    assert "Oversight and Reform" in description


def test_the_calendar_closes_a_direction_a_value_leaves_open(scratch: Scratch) -> None:
    """An override the API never closes (RLO) reversed what follows it on its line of the
    calendar, as on a page: the building after the room, the committees after the first; and
    a committee's name the rest of its feeds' titles."""
    with scratch.engine.begin() as connection:
        connection.execute(
            update(schema.hearings)
            .where(schema.hearings.c.event_id == WITNESSED)
            .values(room="1324 \u202eA", title="Budget \u2067Hearing")
        )
        connection.execute(
            update(schema.committees)
            .where(schema.committees.c.system_code == "hsas00")
            .values(name="Armed \u202bServices")
        )
    response = scratch.client().get("/feeds/committee/hsas00.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]).startswith("Armed \u202bServices\u202c")
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    event = events[f"meeting-{WITNESSED}@hearings"]
    assert str(event["LOCATION"]) == "1324 \u202eA\u202c, Rayburn House Office Building"
    assert str(event["SUMMARY"]) == "Budget \u2067Hearing\u2069"
    assert str(event["DESCRIPTION"]).startswith(
        "Armed \u202bServices\u202c; Oversight and Government Reform Committee\n"
    )
    atom = scratch.client().get("/feeds/committee/hsas00.atom")
    feed, _ = _well_formed_feed(atom.content)
    assert feed.findtext(f"{ATOM}title") == "Armed \u202bServices\u202c: new and changed hearings"


@given(st.text(st.characters(blacklist_categories=())))
def test_any_text_made_xml_legal_parses_back_unchanged_but_for_the_illegal(text: str) -> None:
    legal = xml_legal(text)
    assert legal == XML_ILLEGAL.sub("", text)
    parsed = ElementTree.fromstring(f"<t>{escape(legal)}</t>".encode()).text or ""
    # An XML parser reads every line break as \n (section 2.11).
    assert parsed == legal.replace("\r\n", "\n").replace("\r", "\n")


def test_markup_stays_markup_so_it_is_not_escaped_twice() -> None:
    cleaned = xml_legal(Markup("<b>A\x0cB</b>"))
    assert isinstance(cleaned, Markup) and cleaned == Markup("<b>AB</b>")


@given(st.text(st.characters(blacklist_categories=())))
def test_calendar_text_has_no_control_character_but_tab(text: str) -> None:
    assert not re.search("[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]", ics_text(text))


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("Oversight hearing", "Oversight hearing."),
        (
            "…to be Secretary for the term of four years.",
            "…to be Secretary for the term of four years.",
        ),
        ('Amending the "Clean Air Act."', 'Amending the "Clean Air Act."'),
        ("Who pays?", "Who pays?"),
        ("Energy and Commerce Committee  ", "Energy and Commerce Committee."),
    ],
)
def test_a_feed_summary_ends_each_part_with_one_full_stop(text: str, sentence: str) -> None:
    """A title that ends a sentence already read `years..` in the change feed's summaries."""
    assert full_stop(text) == sentence
