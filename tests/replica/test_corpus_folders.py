"""Corpus folders as a user hands them over: any file in them either loads as a record or is
refused with one sentence that names it, by `Corpus.load` and by `hearings replica --corpus`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearings.replica import Corpus

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


@settings(max_examples=150, deadline=None)
@given(
    kind_path=st.sampled_from(
        [
            "committee-meeting/118/house/115001.json",
            "hearing/118/house/51001.json",
            "committee/house/hsxx00.json",
            "member/X000001.json",
        ]
    ),
    record=MEETINGS | JSON,
    wrapped=st.booleans(),
)
def test_any_file_loads_or_is_refused_naming_it(kind_path: str, record: Any, wrapped: bool) -> None:
    key = {"committee-meeting": "committeeMeeting", "hearing": "hearing"}.get(
        kind_path.split("/")[0]
    )
    key = key or kind_path.split("/")[0]
    body = {key: record} if wrapped else record
    if isinstance(
        body, dict
    ):  # fields the other kinds need, so more files get past the first check
        record_fields = body.get(key) if wrapped else body
        if isinstance(record_fields, dict):
            record_fields.setdefault("jacketNumber", 51001)
            record_fields.setdefault("systemCode", "hsxx00")
            record_fields.setdefault("bioguideId", "X000001")
    corpus, refusal = load_one(kind_path, json.dumps(body).encode())
    assert (corpus is None) != (refusal is None)
    if refusal is not None:
        assert "\n" not in refusal


@pytest.mark.parametrize("content", [b"", b"[1", b"\xff\xfe", b"[]", b'"text"'])
def test_a_file_that_is_not_a_json_object_is_refused(content: bytes) -> None:
    corpus, refusal = load_one("committee-meeting/118/house/115001.json", content)
    assert corpus is None and refusal is not None


def test_the_command_refuses_a_folder_without_records_in_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "empty" / "notes").mkdir(parents=True)
    broken = tmp_path / "broken" / "committee-meeting" / "118" / "house"
    broken.mkdir(parents=True)
    (broken / "115001.json").write_text('{"committeeMeeting": {"eventId": "115001"}}')
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
