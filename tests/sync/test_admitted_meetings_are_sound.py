"""What the gate admits is sound: after a day upstream with a malformed meeting in it, served over
HTTP by the replica and applied by `hearings update`, `hearings verify` finds no problem, and
`hearings rebuild` gives back every export byte for byte. What the gate cannot admit so (a witness
without a name, a meeting that names no committee, an event id that is not a plain number) is
quarantined with its reason, and the stored meeting stays as it was.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from hearings.replica import Corpus, Faults, ReplicaServer
from tests.sync.mutations import touch
from tests.sync.site import CliRun, Site, copy_database, stamp_for

#: A House meeting with witnesses, witness and meeting documents, a video and a transcript.
VICTIM = "117838"
#: A meeting whose relatedItems name bills (H.R. 1526 among them) that other meetings name too.
WITH_BILLS = "117791"
#: A meeting of the same day that nothing is wrong with.
MATE = "117846"
EXPORTS = ("hearings", "witnesses", "committees", "appearances")

Edit = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Base:
    database: Path
    corpus: Corpus


@pytest.fixture(scope="module")
def base(imported_119: Path) -> Base:
    """The bundled Congress imported once through the CLI; every day copies the file."""
    return Base(imported_119, Corpus.load())


def a_day(base: Base, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("day")
    copy_database(base.database, folder / "hearings.db")
    with ReplicaServer(base.corpus.copy(), faults=Faults(retry_after=0)) as replica:
        yield Site(folder, replica)


@pytest.fixture
def day(base: Base, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from a_day(base, tmp_path_factory)


def serve_edited(site: Site, event_id: str, edit: Edit) -> None:
    """A change of the day to `event_id` and to `MATE`; the replica serves `event_id` edited."""
    stamp = stamp_for(datetime.now(UTC))
    for changed in (event_id, MATE):
        touch(site.corpus, "meeting", changed, stamp)
    site.replica.overrides.set_item("meeting", event_id, lambda m: edit(copy.deepcopy(m)))


def exports(site: Site) -> dict[str, str]:
    found = {}
    for entity in EXPORTS:
        run = site.hearings("export", entity)
        assert run.code == 0, run.err
        found[entity] = run.out
    return found


def assert_verify_clean(site: Site) -> None:
    run = site.hearings("verify", "--json")
    problems = json.loads(run.out)["problems"]
    assert run.code == 0 and problems == [], problems


def assert_rebuild_gives_it_back(site: Site) -> None:
    before = exports(site)
    run = site.hearings("rebuild")
    assert run.code == 0, run.err[-2000:]
    assert exports(site) == before


def assert_sound_day(site: Site, run: CliRun) -> None:
    site.assert_sound(run)
    assert run.code in (0, 3), (run.code, run.err[-2000:])
    mate = site.row("meeting", MATE)
    assert mate is not None and str(mate["title"]).endswith("(revised)")
    assert_verify_clean(site)


def assert_quarantined(site: Site, run: CliRun, event_id: str, reason: str) -> None:
    assert run.code == 3, (run.code, run.err[-2000:])
    entry = site.quarantine().get(("meeting", event_id))
    assert entry is not None, f"meeting {event_id} was not quarantined"
    assert reason in entry["reason"], entry["reason"]


# ---- witnesses: every stored witness has a name -------------------------------------------


def _first_witness(value: Any) -> Edit:
    def edit(meeting: dict[str, Any]) -> dict[str, Any]:
        meeting["witnesses"][0] = value(meeting["witnesses"][0])
        return meeting

    return edit


@pytest.mark.parametrize(
    "edit",
    [
        _first_witness(lambda w: {**w, "name": None}),
        _first_witness(lambda w: {**w, "name": "   "}),
        _first_witness(lambda w: {**w, "name": "\x00"}),
        _first_witness(lambda w: {**w, "name": "..."}),
        _first_witness(lambda w: {**w, "name": "Dr."}),
        _first_witness(lambda w: {k: v for k, v in w.items() if k != "name"}),
        _first_witness(lambda w: {}),
    ],
    ids=["null", "blank", "NUL", "punctuation", "a title alone", "missing", "an empty object"],
)
def test_a_witness_without_a_name_quarantines_its_meeting(day: Site, edit: Edit) -> None:
    before = day.stored("meeting", VICTIM)
    serve_edited(day, VICTIM, edit)
    run = day.update()
    assert_sound_day(day, run)
    assert_quarantined(day, run, VICTIM, "has no name")
    assert day.stored("meeting", VICTIM) == before


# ---- committees: a meeting may name none, as a real Senate conferee meeting did ------------


@pytest.mark.parametrize(
    "edit",
    [
        lambda m: {**m, "committees": []},
        lambda m: {**m, "committees": None},
        lambda m: {k: v for k, v in m.items() if k != "committees"},
    ],
    ids=["empty", "null", "missing"],
)
def test_a_meeting_that_names_no_committee_is_stored_and_verify_warns(
    day: Site, edit: Edit
) -> None:
    serve_edited(day, VICTIM, edit)
    run = day.update()
    assert_sound_day(day, run)
    assert run.code == 0, run.err[-2000:]
    assert day.quarantine().get(("meeting", VICTIM)) is None
    row = day.row("meeting", VICTIM)
    assert row is not None and not row["is_stub"]
    verified = json.loads(day.hearings("verify", "--json").out)
    assert {"check": "committees", "detail": "1 meeting has no committee", "ids": [VICTIM]} in [
        {k: w[k] for k in ("check", "detail", "ids")} for w in verified["warnings"]
    ], verified["warnings"]
    assert_rebuild_gives_it_back(day)


def test_an_empty_stub_may_name_no_committee(day: Site) -> None:
    serve_edited(day, VICTIM, lambda m: {**m, "committees": [], "title": None, "date": None})
    run = day.update()
    assert_sound_day(day, run)
    assert run.code == 0, run.err[-2000:]
    row = day.row("meeting", VICTIM)
    assert row is not None and row["is_stub"]


# ---- documents and videos: one per URL, as verify counts them ------------------------------


def _again_with_url(key: str, respell: Callable[[str], str]) -> Edit:
    def edit(meeting: dict[str, Any]) -> dict[str, Any]:
        first = meeting[key][0]
        meeting[key].append({**first, "url": respell(first["url"])})
        return meeting

    return edit


@pytest.mark.parametrize("key", ["witnessDocuments", "meetingDocuments", "videos"])
@pytest.mark.parametrize(
    "respell",
    [lambda u: u + " ", lambda u: " " + u, lambda u: u.replace("://", ":// ")],
    ids=["trailing space", "leading space", "space inside"],
)
def test_a_url_listed_twice_in_other_spacing_is_stored_once(
    day: Site, key: str, respell: Callable[[str], str]
) -> None:
    serve_edited(day, VICTIM, _again_with_url(key, respell))
    run = day.update()
    assert_sound_day(day, run)
    assert run.code == 0, run.err[-2000:]
    assert_rebuild_gives_it_back(day)


# ---- bills: one row per bill, whatever the spelling, and a rebuild agrees -----------------


def _first_bill(**respelled: str) -> Edit:
    def edit(meeting: dict[str, Any]) -> dict[str, Any]:
        bill = meeting["relatedItems"]["bills"][0]
        bill.update(respelled)
        return meeting

    return edit


@pytest.mark.parametrize(
    "edit",
    [
        _first_bill(type="hr"),
        _first_bill(type="H.R."),
        _first_bill(type=" HR "),
        _first_bill(type="H R"),
        _first_bill(number="01526"),
        _first_bill(number=" 1526 "),
    ],
    ids=["lower case", "dotted", "spaced around", "spaced inside", "leading zero", "spaced number"],
)
def test_a_bill_spelled_otherwise_is_the_same_bill(day: Site, edit: Edit) -> None:
    serve_edited(day, WITH_BILLS, edit)
    run = day.update()
    assert_sound_day(day, run)
    assert run.code == 0, run.err[-2000:]
    assert_rebuild_gives_it_back(day)


@pytest.mark.parametrize(
    "edit", [_first_bill(type=" "), _first_bill(number=""), _first_bill(type="..")]
)
def test_a_bill_without_a_type_or_number_quarantines_its_meeting(day: Site, edit: Edit) -> None:
    serve_edited(day, WITH_BILLS, edit)
    run = day.update()
    assert_sound_day(day, run)
    assert_quarantined(day, run, WITH_BILLS, "bill 1 of relatedItems")


# ---- event ids: a plain number, so no two meetings share one -------------------------------


@pytest.mark.parametrize("event_id", ["0117838", "00990001", "A12345", "990-01"])
def test_a_meeting_whose_event_id_is_not_a_plain_number_is_quarantined(
    day: Site, event_id: str
) -> None:
    """`0117838` is `117838` to `hearings verify` and to the search index, whose rows are keyed
    by the number: stored, it would take over that meeting's search row."""
    victim = copy.deepcopy(day.corpus.meeting(VICTIM))
    assert victim is not None
    victim.update(eventId=event_id, title="A twin", updateDate=stamp_for(datetime.now(UTC)))
    day.corpus.put_meeting(victim)
    touch(day.corpus, "meeting", MATE, stamp_for(datetime.now(UTC)))
    before = day.stored("meeting", VICTIM)
    run = day.update()
    assert_sound_day(day, run)
    assert_quarantined(day, run, event_id.lower(), "eventId")
    assert day.row("meeting", event_id) is None
    assert day.stored("meeting", VICTIM) == before
    assert_rebuild_gives_it_back(day)


# ---- any value at the places a meeting's child rows come from ------------------------------

_PLACES = [
    ("witnesses", "name"),
    ("witnesses", "organization"),
    ("witnessDocuments", "url"),
    ("meetingDocuments", "url"),
    ("videos", "url"),
    ("committees", "systemCode"),
]
_text = st.text(alphabet=st.sampled_from([" ", ".", "\x00", "a", "A", "\u00a0", "\t", "0"]))


@st.composite
def child_edits(draw: st.DrawFn) -> tuple[str, Edit]:
    """A meeting whose first child of some kind is repeated, respelled, or given a new value."""
    key, field = draw(st.sampled_from(_PLACES))
    value: Any = draw(_text | st.none() | st.just(""))
    repeat = draw(st.booleans())

    def edit(meeting: dict[str, Any]) -> dict[str, Any]:
        first = meeting[key][0]
        changed = {**first, field: value if not repeat else f"{value or ''}{first[field]}"}
        meeting[key] = [*meeting[key], changed] if repeat else [changed, *meeting[key][1:]]
        return meeting

    return f"{key}.{field} = {value!r} ({'repeated' if repeat else 'replaced'})", edit


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=child_edits())
def test_what_the_gate_admits_verify_accepts_and_a_rebuild_gives_back(
    base: Base, tmp_path_factory: pytest.TempPathFactory, case: tuple[str, Edit]
) -> None:
    label, edit = case
    note(label)
    for site in a_day(base, tmp_path_factory):
        before = site.stored("meeting", VICTIM)
        serve_edited(site, VICTIM, edit)
        run = site.update()
        assert_sound_day(site, run)
        if ("meeting", VICTIM) in site.quarantine():
            assert site.stored("meeting", VICTIM) == before
        assert_rebuild_gives_it_back(site)
