"""Upstream edits the benchmarks apply to a scaled corpus: a day of about 60 changes, and a
revision of every meeting."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hearings.congress_api.models import parse_api_datetime
from hearings.replica import Corpus

NEW_SUBCOMMITTEE = "hsap77"
NEW_IDS_FROM = 990_001


@dataclass
class DayOfChanges:
    """What the day changed, and what a correct incremental update must fetch."""

    edited: int
    added: int
    touched: int
    malformed: int
    new_committees: int

    @property
    def changed_meetings(self) -> int:
        return self.edited + self.added + self.touched + self.malformed

    @property
    def changed_records(self) -> int:
        """Details an incremental update has to fetch: every changed meeting and committee."""
        return self.changed_meetings + self.new_committees

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "changed_meetings": self.changed_meetings,
            "changed_records": self.changed_records,
        }


def api_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_of_changes(corpus: Corpus, now: datetime) -> DayOfChanges:
    """About 60 changes spread over the whole Congress: statuses, titles and witnesses edited,
    meetings added (one under a new subcommittee), records touched but unchanged, and two
    malformed records that must be quarantined."""
    stamp = api_time(now - timedelta(hours=2))
    ids = sorted(corpus.ids("meeting"), key=int)
    step = max(1, len(ids) // 48)
    chosen = ids[::step][:48]
    edited = touched = 0
    template: dict[str, Any] | None = None
    for index, event_id in enumerate(chosen):
        body = corpus.meeting(event_id)
        assert body is not None
        if index < 2:
            touched += 1  # the update must find these unchanged
        elif index % 3 == 0:
            body["meetingStatus"] = (
                "Canceled" if body.get("meetingStatus") == "Postponed" else "Postponed"
            )
            edited += 1
        elif index % 3 == 1 and body.get("witnesses"):
            body["witnesses"] = [
                *body["witnesses"],
                {
                    "name": "Dr. Ada Quill",
                    "organization": "Institute of Tests",
                    "position": "Fellow",
                },
            ]
            edited += 1
        else:
            body["title"] = f"{body.get('title') or 'Meeting'} (revised)"
            edited += 1
        if template is None and body.get("witnesses") and body.get("title"):
            template = copy.deepcopy(body)
        body["updateDate"] = stamp
        corpus.put_meeting(body)
    assert template is not None, "the corpus has no meeting with witnesses to copy"
    template.pop("hearingTranscript", None)

    corpus.put_committee(
        {
            "history": [
                {
                    "committeeTypeCode": "Subcommittee",
                    "libraryOfCongressName": "Benchmark Readiness Subcommittee",
                    "officialName": "Benchmark Readiness Subcommittee",
                    "startDate": stamp,
                    "updateDate": stamp,
                }
            ],
            "isCurrent": True,
            "parent": {
                "name": "Appropriations Committee",
                "systemCode": "hsap00",
                "url": "https://api.congress.gov/v3/committee/house/hsap00?format=json",
            },
            "systemCode": NEW_SUBCOMMITTEE,
            "type": "Subcommittee",
            "updateDate": stamp,
        },
        chamber="house",
        congresses=[corpus.newest_congress()],
    )
    added = 10
    for index in range(added):
        body = copy.deepcopy(template)
        body.update(
            eventId=str(NEW_IDS_FROM + index),
            title=f"New hearing number {index + 1}",
            updateDate=stamp,
        )
        if index == 0:
            body["committees"] = [
                {
                    "name": "Benchmark Readiness Subcommittee",
                    "systemCode": NEW_SUBCOMMITTEE,
                    "url": f"https://api.congress.gov/v3/committee/house/{NEW_SUBCOMMITTEE}",
                }
            ]
        corpus.put_meeting(body)
    bad_date = copy.deepcopy(template)
    bad_date.update(eventId="990101", date="the day after tomorrow", updateDate=stamp)
    bad_witness = copy.deepcopy(template)
    bad_witness.update(eventId="990102", updateDate=stamp)
    bad_witness["witnesses"] = [{"name": 12345, "organization": ["not", "text"]}]
    corpus.put_meeting(bad_date)
    corpus.put_meeting(bad_witness)
    return DayOfChanges(edited=edited, added=added, touched=touched, malformed=2, new_committees=1)


def revise_every_meeting(corpus: Corpus, shift: timedelta) -> Corpus:
    """A corpus (to be scaled afterwards) in which every sample meeting has a new title and an
    updateDate `shift` later, so that every clone of it changes too."""
    revised = corpus.copy()
    for event_id in corpus.ids("meeting"):
        body = corpus.meeting(event_id)
        assert body is not None
        moment = parse_api_datetime(body["updateDate"])
        assert moment is not None
        body["title"] = f"{body.get('title') or 'Meeting'} (revised)"
        body["updateDate"] = api_time(moment + shift)
        revised.put_meeting(body)
    return revised
