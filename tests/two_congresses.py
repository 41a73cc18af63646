"""A two-Congress corpus for tests: the bundled 119th Congress plus a few 118th-Congress records,
imported Congress by Congress with the real pipeline from the real replica.

The 118th records are one real meeting (tests/samples/variants, event 115538) and synthesized
ones: copies of 119th meetings moved two years back under 118th event ids, with the same
committees and witnesses. They are what a committee or a witness seen in two Congresses looks
like, which the real sample alone cannot show. The printed hearing of 115538 is synthesized too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hearings.config import Settings
from hearings.congress_api.client import CongressClient
from hearings.replica import Corpus, ReplicaServer
from hearings.store.opening import open_database
from hearings.sync.pipeline import SyncOptions
from hearings.sync.runner import RunEnvironment, run_sync

SAMPLES = Path(__file__).parent / "samples" / "variants"
REAL_118_MEETING = "115538"
# 119th meetings copied into the 118th Congress: (119th event id, 118th event id).
COPIED = (("117775", "115775"), ("117838", "115838"), ("117214", "115214"))
COPIED_IDS = tuple(old for _, old in COPIED)
MEETINGS_118 = (REAL_118_MEETING, *COPIED_IDS)
PRINTED_118 = 51692


@dataclass(frozen=True)
class TwoCongresses:
    """What the 118th Congress adds, for tests to name."""

    meetings_118: tuple[str, ...] = MEETINGS_118
    copied: tuple[tuple[str, str], ...] = COPIED
    printed_118: int = PRINTED_118


def _two_years_back(stamp: str) -> str:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment.replace(year=moment.year - 2).strftime("%Y-%m-%dT%H:%M:%SZ")


def copied_meeting(original: dict[str, Any], event_id: str) -> dict[str, Any]:
    """A 119th meeting as if held two years earlier in the 118th Congress (same committees and
    witnesses; documents and videos, whose addresses name the 119th, left out)."""
    return {
        "chamber": original["chamber"],
        "committees": original["committees"],
        "congress": 118,
        "date": _two_years_back(str(original["date"])),
        "eventId": event_id,
        "location": original.get("location"),
        "meetingStatus": "Scheduled",
        "title": f"{original.get('title') or 'Hearing'} (118th Congress)",
        "type": original.get("type") or "Hearing",
        "updateDate": _two_years_back(str(original["updateDate"])),
        "witnesses": original.get("witnesses") or [],
    }


def printed_hearing_118() -> dict[str, Any]:
    """The printed hearing the real 115538 names in `hearingTranscript` (synthesized)."""
    return {
        "associatedMeeting": {
            "eventId": REAL_118_MEETING,
            "url": f"https://api.congress.gov/v3/committee-meeting/118/house/{REAL_118_MEETING}",
        },
        "chamber": "House",
        "citation": "H.Hrg.118-9",
        "committees": [{"name": "Indian and Insular Affairs Subcommittee", "systemCode": "hsii24"}],
        "congress": 118,
        "dates": [{"date": "2023-03-24"}],
        "formats": [],
        "jacketNumber": PRINTED_118,
        "title": "LEGISLATIVE HEARING ON H.R. 1246 AND H.R. 1532",
        "updateDate": "2023-10-01T04:18:38Z",
    }


def two_congress_corpus(packaged: Corpus) -> Corpus:
    """The bundled 119th Congress plus the 118th records above (and no other 118th records,
    whatever the bundled corpus holds, so the counts here are the tests' own)."""
    corpus = packaged.copy()
    for event_id in corpus.ids("meeting"):
        record = corpus.record("meeting", event_id)
        if record is not None and record.congresses != (119,):
            corpus.remove_meeting(event_id)
    for jacket in corpus.ids("hearing"):
        record = corpus.record("hearing", jacket)
        if record is not None and record.congresses != (119,):
            corpus.remove_printed_hearing(jacket)
    real = json.loads((SAMPLES / "committee-meeting-item-118-house-115538-2023.json").read_text())
    corpus.put_meeting(real)
    for current, old in COPIED:
        original = corpus.meeting(current)
        assert original is not None, current
        corpus.put_meeting(copied_meeting(original, old))
    corpus.put_printed_hearing(printed_hearing_118())
    return corpus


def import_congresses(
    settings: Settings, corpus: Corpus, congresses: tuple[int, ...] = (118, 119)
) -> None:
    """Import each Congress in turn with the real pipeline from a replica serving `corpus`."""
    with ReplicaServer(corpus) as replica:
        live = Settings(
            **{
                **settings.model_dump(),
                "congress_api_base_url": replica.base_url,
                "congress_api_key": "two-congresses",
                "api_max_retries": 2,
                "api_concurrency": 4,
            }
        )
        engine = open_database(live.database_url)
        try:
            with CongressClient.from_settings(live) as client:
                for congress in congresses:
                    metrics = run_sync(
                        RunEnvironment(settings=live, engine=engine, client=client),
                        SyncOptions(congress=congress, batch_size=50, concurrency=4),
                        command="import",
                    )
                    assert metrics.success, metrics.errors
        finally:
            engine.dispose()
