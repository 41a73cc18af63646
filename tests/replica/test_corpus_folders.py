"""Corpus folders as a user hands them over: any file in them either loads as a record or is
refused with one sentence that names it, by `Corpus.load` and by `hearings replica --corpus`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearings.replica import DEFAULT_CORPUS_DIR, Corpus, ReplicaServer
from tests.sync.site import Site

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
# A meeting record whose fields may each be missing or of any type.
MEETINGS = st.fixed_dictionaries(
    {},
    optional={
        "eventId": st.one_of(st.just("115001"), JSON),
        "congress": st.one_of(st.just(118), st.just("x"), JSON),
        "chamber": st.one_of(st.just("House"), JSON),
        "updateDate": st.one_of(
            st.just("2023-03-24T13:00:00Z"), st.just("2023-03-24 13:00:00+00:00"), JSON
        ),
        "terms": JSON,
    },
)


def load_one(kind_path: str, content: bytes) -> tuple[Corpus | None, str | None]:
    """Load a corpus folder holding one file; the corpus, or the refusal's sentence."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / kind_path
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
        try:
            return Corpus.load(folder), None
        except ValueError as refused:
            assert str(path) in str(refused)
            return None, str(refused)


# Where each kind's file sits, the key its item response wraps it in, and the id its name gives.
PLACES = {
    "committee-meeting/118/house/115001.json": ("meeting", "committeeMeeting", "115001"),
    "hearing/118/house/51001.json": ("hearing", "hearing", "51001"),
    "committee/house/hsxx00.json": ("committee", "committee", "hsxx00"),
    "member/X000001.json": ("member", "member", "X000001"),
}
WRAPPERS = {key for _, key, _ in PLACES.values()}
RECORDS = MEETINGS | st.dictionaries(
    st.text(max_size=8).filter(lambda k: k not in WRAPPERS and not k.startswith("_")),
    JSON,
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(place=st.sampled_from(sorted(PLACES)), record=RECORDS, wrapped=st.booleans())
def test_any_record_file_is_served_where_it_sits_as_the_file_has_it(
    place: str, record: dict[str, Any], wrapped: bool
) -> None:
    """Wrong types, nulls, a missing or foreign id, an `updateDate` that is no date: the API can
    send all of it, so the replica serves it for the updater to cope with, under the file's id."""
    kind, key, ident = PLACES[place]
    corpus, refusal = load_one(place, json.dumps({key: record} if wrapped else record).encode())
    assert refusal is None and corpus is not None, refusal
    stored = corpus.record(kind, ident)
    assert stored is not None
    assert json.loads(corpus.item_text(stored)) == record
    listed, total = corpus.list_records(kind, limit=250)
    assert total == 1 and listed == [stored]
    entry = corpus.summary(stored, "http://replica/v3")
    assert entry["updateDate"] == record.get("updateDate")
    assert f"/{ident}" in entry["url"]


@pytest.mark.parametrize(
    ("place", "content"),
    [
        ("committee-meeting/118/house/115001.json", b'{"committeeMeeting": null}'),
        ("member/X000001.json", b'{"member": [1, 2]}'),
        ("committee-meeting/x118/house/115001.json", b'{"committeeMeeting": {}}'),
    ],
)
def test_a_file_with_no_record_or_no_congress_is_refused_naming_it(
    place: str, content: bytes
) -> None:
    corpus, refusal = load_one(place, content)
    assert corpus is None and refusal is not None and "\n" not in refusal


@pytest.mark.parametrize("content", [b"", b"[1", b"\xff\xfe", b"[]", b'"text"'])
def test_a_file_that_is_not_a_json_object_is_refused(content: bytes) -> None:
    corpus, refusal = load_one("committee-meeting/118/house/115001.json", content)
    assert corpus is None and refusal is not None


def test_the_command_refuses_a_folder_without_records_in_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "empty" / "notes").mkdir(parents=True)
    broken = tmp_path / "broken" / "committee-meeting" / "118" / "house"
    broken.mkdir(parents=True)
    (broken / "115001.json").write_text('{"committeeMeeting": {"eventId": "115001"')
    for folder in ("empty", "broken"):
        result = subprocess.run(
            [sys.executable, "-m", "hearings", "replica", "--corpus", str(tmp_path / folder)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "COLUMNS": "500", "LOG_DIR": str(tmp_path / "logs")},
        )
        assert result.returncode == 2, result.stderr
        assert result.stdout == ""
        line = result.stderr.strip()
        assert "\n" not in line and "Traceback" not in line, line
        assert line.startswith("Error: The replica cannot serve this corpus: "), line
        assert str(tmp_path / folder) in line, line


def test_an_import_from_a_hand_edited_corpus_quarantines_only_the_broken_files(
    tmp_path: Path,
) -> None:
    """A user's corpus folder with three meeting files broken by hand, served over HTTP: the
    import takes every other meeting and quarantines those three, each with its reason."""
    folder = tmp_path / "corpus"
    shutil.copytree(DEFAULT_CORPUS_DIR, folder)
    house = folder / "committee-meeting" / "119" / "house"
    broken = {
        "117819": {"updateDate": None, "eventId": 999},  # no list date, and another id
        "117783": {"congress": "119th", "chamber": None},
        "117775": {"updateDate": "2025-13-45T00:00:00Z"},
    }
    for event_id, fields in broken.items():
        path = house / f"{event_id}.json"
        item = json.loads(path.read_text())
        item["committeeMeeting"].update(fields)
        path.write_text(json.dumps(item))
    with ReplicaServer(Corpus.load(folder)) as replica:
        run = Site(tmp_path, replica).hearings("import", "--congress", "119", "--json")
    assert run.code == 3, run.err
    metrics = json.loads(run.out)
    reasons = {q["identifier"]: q["reason"] for q in metrics["quarantined_records"]}
    assert set(reasons) == set(broken), reasons
    assert reasons["117819"] == "eventId '999' is not the requested '117819'"
    assert "'congress'" in reasons["117783"]
    assert "not a date or date-time: '2025-13-45T00:00:00Z'" in reasons["117775"]
    assert not any("Value error" in reason for reason in reasons.values()), reasons
    assert metrics["hearings_added"] == 150 - len(broken)


def test_a_meeting_filed_under_two_congresses_is_refused(tmp_path: Path) -> None:
    # Event ids are unique across Congresses upstream; a corpus must not hide a duplicate.
    for congress in (118, 119):
        folder = tmp_path / f"congress-{congress}" / "committee-meeting" / str(congress) / "house"
        folder.mkdir(parents=True)
        meeting = {"congress": congress, "eventId": "115001", "updateDate": "2024-01-01T00:00:00Z"}
        (folder / "115001.json").write_text(json.dumps({"committeeMeeting": meeting}))
    with pytest.raises(
        ValueError, match=r"congress-119/.*115001\.json .* event id 115001 is filed"
    ):
        Corpus.load(tmp_path)
