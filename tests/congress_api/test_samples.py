"""Every real API sample and every file of the bundled corpus parses into its typed model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import hearings
from hearings.congress_api.committee_models import Committee, CommitteeSummary
from hearings.congress_api.member_models import Member
from hearings.congress_api.models import (
    ApiModel,
    Meeting,
    MeetingSummary,
    PrintedHearing,
    PrintedHearingSummary,
    parse_record,
)

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CORPUS = Path(hearings.__file__).parent / "replica" / "corpus"

# Envelope key -> model of the record under it.
ITEM_MODELS: dict[str, type[ApiModel]] = {
    "committeeMeeting": Meeting,
    "hearing": PrintedHearing,
    "committee": Committee,
    "member": Member,
}
LIST_MODELS: dict[str, type[ApiModel]] = {
    "committeeMeetings": MeetingSummary,
    "hearings": PrintedHearingSummary,
    "committees": CommitteeSummary,
    "members": Member,
}


def _sample_files() -> list[Path]:
    # Bills are only linked from meetings; there is no bill model to parse them into.
    files = sorted(SAMPLES.glob("*.json")) + sorted((SAMPLES / "variants").glob("*.json"))
    return [f for f in files if not f.name.startswith("bill-")]


def _records(body: dict[str, Any]) -> list[tuple[str, type[ApiModel], Any]]:
    """(envelope key, model, record) for every record in a response body."""
    found: list[tuple[str, type[ApiModel], Any]] = []
    for key, value in body.items():
        if key in ITEM_MODELS:
            found.append((key, ITEM_MODELS[key], value))
        elif key in LIST_MODELS:
            found.extend((key, LIST_MODELS[key], entry) for entry in value)
    return found


def test_the_samples_are_there() -> None:
    assert len(_sample_files()) >= 20


@pytest.mark.parametrize("path", _sample_files(), ids=lambda p: p.name)
def test_sample_parses_into_its_model(path: Path) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))
    records = _records(body)
    assert records, f"{path.name}: no record under a known envelope key"
    for key, model, record in records:
        parsed = parse_record(model, record, entity=key)
        assert type(parsed) is model


@pytest.mark.parametrize(
    ("file_name", "model", "count"),
    [
        ("committee-meeting-list.json", MeetingSummary, 3),
        ("hearing-list.json", PrintedHearingSummary, 3),
        ("committee-list.json", CommitteeSummary, 20),
        ("member-list.json", Member, 3),
        ("variants/committee-meeting-list-all-2023.json", MeetingSummary, 20),
        ("variants/hearing-list-all-2023.json", PrintedHearingSummary, 20),
        ("variants/member-list-all-2025.json", Member, 19),
        ("variants/member-list-congress-117-ny-2025.json", Member, 20),
    ],
)
def test_list_entries_parse_into_summaries(
    file_name: str, model: type[ApiModel], count: int
) -> None:
    body = json.loads((SAMPLES / file_name).read_text(encoding="utf-8"))
    records = _records(body)
    assert len(records) == count
    assert all(isinstance(parse_record(m, r, entity=k), model) for k, m, r in records)


def test_every_corpus_file_parses() -> None:
    files = sorted(CORPUS.rglob("*.json"))
    assert len(files) > 900
    counts: dict[str, int] = {}
    for path in files:
        body = json.loads(path.read_text(encoding="utf-8"))
        records = _records(body)
        assert len(records) == 1, f"{path}: expected one record"
        key, model, record = records[0]
        parse_record(model, record, entity=key, identifier=path.stem)
        counts[key] = counts.get(key, 0) + 1
    assert set(counts) == set(ITEM_MODELS)


def test_error_bodies_are_not_records() -> None:
    for path in sorted((SAMPLES / "errors").glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        assert "error" in body
        assert not _records(body), path.name
