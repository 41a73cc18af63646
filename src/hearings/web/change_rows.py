"""A change as /changes, its API and the change feeds show it: the meeting as that version had it
(title, status, time, place, committees), not as it is now. Shown as it is now, an old entry
("Status: Scheduled → Postponed") sat beside the badge and date of a later reschedule, and a
feed entry's text changed after it was published."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, select

from hearings.congress_api.models import Meeting as ApiMeeting
from hearings.reports.recent_changes import MeetingChange
from hearings.store import schema
from hearings.store.archive_changes import payloads_of
from hearings.store.records import hearing_row
from hearings.web.committee_names import committee_labels
from hearings.web.summaries import SUMMARY_COLUMNS, HearingSummary, attach_children, summary

# The fields of a meeting's row a version sets for its change's entry.
_VERSION_FIELDS = (
    "title",
    "meeting_type",
    "status",
    "chamber",
    "start_at",
    "start_date_only",
    "room",
    "building",
    "address",
)


@dataclass
class ChangeRow:
    change: MeetingChange
    # The meeting as the change's version had it (None when the database no longer holds it).
    meeting: HearingSummary | None


def change_rows(connection: Connection, changes: Sequence[MeetingChange]) -> list[ChangeRow]:
    """Each change with its meeting as of its version: the meeting's summary, with the fields
    and committees that version gave."""
    current = summaries_of(connection, {c.event_id for c in changes})
    payloads = payloads_of(connection, [c.version_id for c in changes])
    versions = {c.version_id: _parsed(payloads.get(c.version_id)) for c in changes}
    codes_of = {
        version_id: list(dict.fromkeys(ref.system_code for ref in parsed.committees))
        for version_id, parsed in versions.items()
        if parsed is not None
    }
    labels = committee_labels(connection, [code for codes in codes_of.values() for code in codes])
    rows = []
    for change in changes:
        now, parsed = current.get(change.event_id), versions[change.version_id]
        if now is None or parsed is None:  # a damaged version: the meeting as it is now
            rows.append(ChangeRow(change, now))
            continue
        row = hearing_row(parsed, "", change.first_seen_at)
        then = dataclasses.replace(now.meeting, **{name: row[name] for name in _VERSION_FIELDS})
        committees: list[tuple[str, str | None]] = [
            (code, labels.get(code, code)) for code in codes_of[change.version_id]
        ]
        rows.append(ChangeRow(change, HearingSummary(then, committees)))
    return rows


def summaries_of(connection: Connection, event_ids: set[str]) -> dict[str, HearingSummary]:
    if not event_ids:
        return {}
    hearings = schema.hearings
    rows = connection.execute(
        select(*SUMMARY_COLUMNS).where(hearings.c.event_id.in_(sorted(event_ids)))
    )
    found = [summary(row) for row in rows]
    attach_children(connection, found)
    return {s.event_id: s for s in found}


def _parsed(payload: dict[str, Any] | None) -> ApiMeeting | None:
    """A version as the import parses it; None for a damaged one, or one today's parser reads
    otherwise than when it was admitted."""
    if payload is None:
        return None
    try:
        return ApiMeeting.model_validate(payload)
    except ValidationError:
        return None
