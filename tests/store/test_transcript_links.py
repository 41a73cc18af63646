"""A meeting's transcript links (`store.records`): each names its printed hearing by Congress and
jacket number, the Congress its API url names, else the meeting's own."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from hearings.congress_api.models import Meeting, parse_record
from hearings.store.records import meeting_rows

MEETING_118 = (
    Path(__file__).parents[1]
    / "samples"
    / "variants"
    / "committee-meeting-item-118-house-115538-2023.json"
)
NOW = datetime(2026, 12, 2, 15, 0)


def links(transcripts: list[dict[str, object]]) -> list[tuple[object, object]]:
    body = json.loads(MEETING_118.read_text())["committeeMeeting"]
    body["hearingTranscript"] = transcripts
    rows = meeting_rows(parse_record(Meeting, body, entity="meeting"), "a-hash", NOW)
    return [(t["congress"], t["jacket_number"]) for t in rows.transcripts]


def test_a_transcript_link_takes_the_congress_its_url_names_else_the_meetings() -> None:
    url = "https://api.congress.gov/v3/hearing/{}/house/51692?format=json"
    assert links(
        [
            {"jacketNumber": 51692, "url": url.format(118)},
            {"jacketNumber": 51692, "url": url.format(119)},  # printed in the next Congress
            {"jacketNumber": 60035},
            {"jacketNumber": 60036, "url": "https://www.congress.gov/event/118th-congress"},
            {"jacketNumber": 51692, "url": url.format(118)},  # named twice: linked once
        ]
    ) == [(118, 51692), (119, 51692), (118, 60035), (118, 60036)]
