"""Suspicious changes: a new version that degrades a meeting against what is stored is flagged
(SUSPICIOUS_CHANGES=flag) or held for review (hold); ordinary edits never are.

The comparison runs on real sample meetings from the bundled corpus, varied by Hypothesis; the
runs go through the real CLI against the replica and a real database file.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine

from hearings.replica import Corpus
from hearings.sync.gate import Admitted, Request, admit_item
from hearings.sync.suspicious import (
    MeetingShape,
    degradations,
    is_placeholder,
    shape_of,
    stored_shapes,
)
from tests.sync.site import copy_database

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NAIVE_NOW = NOW.replace(tzinfo=None)
Payload = dict[str, Any]


def admitted(body: Payload) -> Admitted:
    request = Request(
        "meeting", int(body["congress"]), str(body["chamber"]).lower(), body["eventId"]
    )
    verdict = admit_item(request, copy.deepcopy(body), now=NOW)
    assert isinstance(verdict, Admitted), verdict
    return verdict


def shape(body: Payload) -> MeetingShape:
    verdict = admitted(body)
    assert verdict.rows is not None
    return shape_of(verdict.record, verdict.rows)


def flagged(before: Payload, after: Payload) -> set[str]:
    return {d.reason for d in degradations(shape(before), shape(after), now=NAIVE_NOW)}


@functools.cache
def titled() -> list[Payload]:
    """The bundled corpus's meetings that have a real title."""
    corpus = Corpus.load()
    bodies = (corpus.meeting(event_id) for event_id in sorted(corpus.ids("meeting")))
    return [b for b in bodies if b is not None and not is_placeholder(b.get("title"))]


def documents(body: Payload) -> int:
    return len(body.get("meetingDocuments") or []) + len(body.get("witnessDocuments") or [])


# ---- ordinary edits ----------------------------------------------------------------------------

ORDINARY_TITLES = st.sampled_from(
    [
        "Oversight of the Federal Aviation Administration",
        "Member Day",
        "Markup of H.R. 1234, the Clean Water Act Amendments",
        "Hearing on the Nomination of Jane Roe to be Secretary of Agriculture",
        "Business meeting to consider S. 12",
    ]
)


@st.composite
def ordinary_edit(draw: st.DrawFn, body: Payload) -> Payload:
    """One version later, edited the way upstream edits a meeting every day."""
    edited = copy.deepcopy(body)
    kinds = draw(
        st.sets(
            st.sampled_from(
                ["status", "title", "retitle", "date", "room", "witness+", "witness-", "doc-"]
            ),
            min_size=1,
        )
    )
    if "status" in kinds:
        edited["meetingStatus"] = draw(
            st.sampled_from(["Scheduled", "Postponed", "Canceled", "Rescheduled"])
        )
    if "title" in kinds:
        edited["title"] = (edited.get("title") or "") + draw(
            st.sampled_from([" (revised)", " — Part II", ": Day 2"])
        )
    if "retitle" in kinds:
        edited["title"] = draw(ORDINARY_TITLES)
    if "date" in kinds and edited.get("date"):
        moved = datetime.fromisoformat(edited["date"].replace("Z", "+00:00")) + timedelta(
            hours=draw(st.integers(-24 * 60, 24 * 60))
        )
        edited["date"] = moved.strftime("%Y-%m-%dT%H:%M:%SZ")
    if "room" in kinds:
        edited["location"] = {"room": str(draw(st.integers(100, 2400))), "building": "Rayburn"}
    witnesses = edited.get("witnesses") or []
    if "witness-" in kinds and len(witnesses) > 1:
        keep = draw(st.integers(1, len(witnesses) - 1))
        edited["witnesses"] = witnesses[:keep]
    if "witness+" in kinds:
        edited["witnesses"] = [
            *(edited.get("witnesses") or []),
            {"name": "Dr. Ada Quill", "organization": "Institute of Tests", "position": "Fellow"},
        ]
    meeting_documents = edited.get("meetingDocuments") or []
    if "doc-" in kinds and len(meeting_documents) > 1:
        edited["meetingDocuments"] = meeting_documents[1:]
    edited["updateDate"] = "2026-11-30T10:00:00Z"
    return edited


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_ordinary_edits_to_real_meetings_are_never_flagged(data: st.DataObject) -> None:
    before = data.draw(st.sampled_from(titled()))
    after = data.draw(ordinary_edit(before))
    assert flagged(before, after) == set()


# ---- each degradation ----------------------------------------------------------------------


def _committee_title(body: Payload) -> Payload:
    body["title"] = body["committees"][0]["name"]
    return body


DEGRADATIONS: dict[str, tuple[Callable[[Payload], bool], Callable[[Payload], Payload]]] = {
    "title_placeholder": (
        lambda b: True,
        lambda b: {**b, "title": b["_placeholder"]},
    ),
    "title_committee_name": (
        lambda b: bool(b.get("committees") and b["committees"][0].get("name")),
        _committee_title,
    ),
    "witnesses_removed": (
        lambda b: bool(b.get("witnesses") and b.get("date")),
        lambda b: {**b, "witnesses": []},
    ),
    "date_removed": (lambda b: bool(b.get("date")), lambda b: {**b, "date": None}),
    "documents_removed": (
        lambda b: documents(b) > 0,
        lambda b: {**b, "meetingDocuments": [], "witnessDocuments": []},
    ),
    "chamber_changed": (
        lambda b: str(b["chamber"]).lower() == "house",
        lambda b: {**b, "chamber": "Senate"},
    ),
    "congress_changed": (lambda b: True, lambda b: {**b, "congress": int(b["congress"]) - 1}),
}
PLACEHOLDERS = ["", "TBD", "Hearing", "Meeting", "Markup", "Untitled", "Full Committee Markup"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), reason=st.sampled_from(sorted(DEGRADATIONS)))
def test_each_degradation_of_a_real_meeting_is_always_flagged(
    data: st.DataObject, reason: str
) -> None:
    applies, degrade = DEGRADATIONS[reason]
    candidates = [b for b in titled() if applies(b)]
    before = data.draw(st.sampled_from(candidates))
    # Ordinary edits alongside do not hide it.
    edited = data.draw(ordinary_edit(before)) if reason != "title_committee_name" else before
    edited = copy.deepcopy(edited)
    edited["_placeholder"] = data.draw(st.sampled_from(PLACEHOLDERS))
    after = degrade(edited)
    after.pop("_placeholder", None)
    assert reason in flagged(before, after)


def test_each_degradation_says_what_it_was_before_and_after() -> None:
    before = next(b for b in titled() if b.get("witnesses") and documents(b) and b.get("date"))
    after = {**before, "title": "TBD", "witnesses": [], "date": None}
    after.update(meetingDocuments=[], witnessDocuments=[])
    found = {d.reason: d for d in degradations(shape(before), shape(after), now=NAIVE_NOW)}
    assert set(found) == {"title_placeholder", "witnesses_removed", "date_removed",
                          "documents_removed"}  # fmt: skip
    assert (found["title_placeholder"].before, found["title_placeholder"].after) == (
        before["title"],
        "TBD",
    )
    assert found["witnesses_removed"].after == "no witnesses"
    assert found["date_removed"].sentence == "The date was removed."
    moment = datetime.fromisoformat(before["date"].replace("Z", ""))
    assert found["date_removed"].before == f"{moment:%Y-%m-%d %H:%M} UTC"
    # A day that came without a time is said as that day, not as its midnight in UTC.
    day = {**before, "date": "2025-06-24"}
    removed = [d for d in degradations(shape(day), shape(after), now=NAIVE_NOW)]
    assert [d.before for d in removed if d.reason == "date_removed"] == ["2025-06-24"]


def test_witnesses_removed_from_a_meeting_still_ahead_is_an_ordinary_edit() -> None:
    before = next(b for b in titled() if b.get("witnesses") and b.get("date"))
    after = {**before, "witnesses": []}
    earlier = datetime.fromisoformat(before["date"].replace("Z", "")) - timedelta(days=1)
    reasons = {d.reason for d in degradations(shape(before), shape(after), now=earlier)}
    assert "witnesses_removed" not in reasons


def test_a_title_that_was_a_placeholder_already_is_not_flagged_again() -> None:
    before = {**titled()[0], "title": "Hearing"}
    assert "title_placeholder" not in flagged(before, {**before, "title": "TBD"})


# ---- the stored side ---------------------------------------------------------------------------


def test_the_stored_shape_of_an_imported_meeting_is_the_shape_of_its_payload(
    imported_database: str,
) -> None:
    bodies = {b["eventId"]: b for b in titled()}
    # A new version with another title and no witnesses or documents: every stored fact is read.
    emptied = MeetingShape("Another title", None, "house", 119, 0, 0)
    engine = create_engine(imported_database)
    try:
        with engine.connect() as connection:
            stored = stored_shapes(connection, dict.fromkeys(bodies, ("another version", emptied)))
    finally:
        engine.dispose()
    assert set(stored) == set(bodies)
    for event_id, body in bodies.items():
        incoming = shape(body)
        assert stored[event_id].title == incoming.title
        assert stored[event_id].start_at == incoming.start_at
        assert (stored[event_id].chamber, stored[event_id].congress) == (
            incoming.chamber,
            incoming.congress,
        )
        assert stored[event_id].witnesses == incoming.witnesses
        assert stored[event_id].documents == incoming.documents
        assert bool(stored[event_id].committee_names) == bool(body.get("committees"))


def test_only_what_a_new_version_could_have_lost_is_read(imported_database: str) -> None:
    engine = create_engine(imported_database)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT event_id, content_hash, title FROM hearings WHERE event_id IN "
                "(SELECT event_id FROM witness_appearances) LIMIT 2"
            ).all()
            same, other = rows
            kept = MeetingShape(other.title, None, "house", 119, witnesses=3, documents=2)
            found = stored_shapes(
                connection,
                {same.event_id: (same.content_hash, kept), other.event_id: ("new", kept)},
            )
    finally:
        engine.dispose()
    # The same content is not read at all; the other keeps witnesses and documents and its
    # title, so neither is counted nor are committee names read.
    assert list(found) == [other.event_id]
    assert (found[other.event_id].witnesses, found[other.event_id].documents) == (0, 0)
    assert found[other.event_id].committee_names == frozenset()


@pytest.fixture(scope="module")
def imported_database(imported_119: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    database = tmp_path_factory.mktemp("suspicious") / "hearings.db"
    copy_database(imported_119, database)
    return f"sqlite:///{database}"
