"""The report's changed meetings: which meetings the runs of a period added or changed, and what
changed, field by field, before and after.

Before and after come from the payload archive: the version before the period's first one and
the period's last, both read with today's parser. Meetings the archive has no version of in the
period (runs before the database archived) fall back to the before-images of `batch_checkpoints`
compared with the meeting as it is now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from hearings.reports.export import iso_utc
from hearings.reports.meeting_compare import (
    FieldChange,
    Image,
    compare_meeting,
    current_image,
    payload_image,
)
from hearings.store import schema
from hearings.store.archive_changes import payloads_of
from hearings.store.meeting_record import Meeting, load_meetings
from hearings.store.meeting_start import start_iso

_CHUNK = 500


@dataclass
class ChangedHearing:
    """A meeting added or changed in the period. `run_id` is the last run that did so and
    `change` what that run did; `changes` compare the meeting before the period's first change
    with the meeting after its last (empty for a meeting added and not changed since)."""

    event_id: str
    # added | updated
    change: str
    # None when no run applied it: a version a reviewer accepted from the quarantine.
    run_id: int | None
    changed_at: str | None
    title: str | None
    start: str | None
    chamber: str
    committees: list[str]
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Archived:
    """A meeting's versions first seen in the period: the first and the last, the version before
    the first (None when the first is the meeting's first), and whether it was seen at all."""

    first_id: int
    last_id: int
    previous_id: int | None
    last_seen: datetime
    run_id: int | None


def changed_hearings(
    connection: Connection, start: datetime, end: datetime
) -> list[ChangedHearing]:
    """Meetings some run in the period added or changed, newest change first."""
    archived = _archived_in_period(connection, start, end)
    touches = _touches(connection, start, end)
    current = load_meetings(connection, set(archived) | set(touches), ("committees", "witnesses"))
    changed: list[ChangedHearing] = []
    from_archive: dict[str, tuple[_Archived, int]] = {}
    for event_id, versions in archived.items():
        meeting = current.get(event_id)
        if meeting is None:  # gone since
            continue
        added_in_period = meeting.first_seen_at >= start
        if versions.previous_id is not None:
            from_archive[event_id] = (versions, versions.previous_id)
        elif added_in_period and versions.first_id == versions.last_id:
            changed.append(_changed(meeting, "added", versions.run_id, versions.last_seen, []))
        elif added_in_period or event_id not in touches:
            # Added in the period and changed since; or first archived in it, nothing before.
            if versions.first_id != versions.last_id:
                from_archive[event_id] = (versions, versions.first_id)
        else:
            continue  # a meeting older than its archive: the checkpoints know its changes
        touches.pop(event_id, None)
    payloads = payloads_of(
        connection, [i for v, base in from_archive.values() for i in (base, v.last_id)]
    )
    for event_id, (versions, base) in from_archive.items():
        before = payload_image(payloads.get(base))
        after = payload_image(payloads.get(versions.last_id))
        # Two versions always differ in content: when no field shown differs, something else did.
        differences = compare_meeting(before, after) if before and after else []
        differences = differences or [FieldChange("other", None, None)]
        meeting = current[event_id]
        changed.append(
            _changed(meeting, "updated", versions.run_id, versions.last_seen, differences)
        )
    changed += _from_checkpoints(touches, current)
    # Newest change first; within one batch, by event id (numerically). Both sorts are stable.
    changed.sort(key=lambda h: (len(h.event_id), h.event_id))
    # Timestamps have whole seconds, so an import and an update can tie: the later run wins.
    changed.sort(key=lambda h: (h.changed_at or "", h.run_id or 0), reverse=True)
    return changed


def _changed(
    meeting: Meeting,
    change: str,
    run_id: int | None,
    at: datetime,
    changes: list[FieldChange],
) -> ChangedHearing:
    return ChangedHearing(
        event_id=meeting.event_id,
        change=change,
        run_id=run_id,
        changed_at=iso_utc(at),
        title=meeting.title,
        start=start_iso(meeting.start),
        chamber=meeting.chamber,
        committees=[c.system_code for c in meeting.committees],
        changes=changes,
    )


def _archived_in_period(
    connection: Connection, start: datetime, end: datetime
) -> dict[str, _Archived]:
    archive = schema.payload_archive
    rows = connection.execute(
        select(
            archive.c.identifier, archive.c.version_id, archive.c.first_seen_at, archive.c.run_id
        )
        .where(
            archive.c.entity == "meeting",
            archive.c.first_seen_at >= start,
            archive.c.first_seen_at <= end,
        )
        .order_by(archive.c.identifier, archive.c.version_id)
    ).all()
    in_period: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        in_period[row.identifier].append(row)
    previous: dict[str, int] = {}
    for chunk in _chunks(sorted(in_period)):
        previous.update(
            (identifier, int(version_id))
            for identifier, version_id in connection.execute(
                select(archive.c.identifier, func.max(archive.c.version_id))
                .where(
                    archive.c.entity == "meeting",
                    archive.c.identifier.in_(chunk),
                    archive.c.first_seen_at < start,
                )
                .group_by(archive.c.identifier)
            )
        )
    return {
        identifier: _Archived(
            first_id=int(versions[0].version_id),
            last_id=int(versions[-1].version_id),
            previous_id=previous.get(identifier),
            last_seen=versions[-1].first_seen_at,
            run_id=versions[-1].run_id,
        )
        for identifier, versions in in_period.items()
    }


# ---- before the archive: the checkpoints' before-images ---------------------------------------


@dataclass
class _Touch:
    """A batch in the period that included a meeting, with the meeting's before-image."""

    run_id: int
    at: datetime
    before: Image | None


def _touches(connection: Connection, start: datetime, end: datetime) -> dict[str, list[_Touch]]:
    checkpoints = schema.batch_checkpoints
    touches: dict[str, list[_Touch]] = {}
    # Pending checkpoints never committed and rolled-back ones changed nothing; a partial batch
    # committed some of its meetings, which the comparison of before-images sorts out.
    for row in connection.execute(
        select(checkpoints)
        .where(
            checkpoints.c.created_at >= start,
            checkpoints.c.created_at <= end,
            checkpoints.c.status.in_(["committed", "partial"]),
        )
        .order_by(checkpoints.c.checkpoint_id)
    ):
        images = row.before_images if isinstance(row.before_images, dict) else {}
        for event_id in row.event_ids or []:
            image = images.get(str(event_id))
            touches.setdefault(str(event_id), []).append(
                _Touch(int(row.run_id), row.created_at, image if isinstance(image, dict) else None)
            )
    return touches


def _from_checkpoints(
    touches: dict[str, list[_Touch]], current: dict[str, Meeting]
) -> list[ChangedHearing]:
    """Each touch's before-image compared with the next one (or the meeting now) tells which run
    really changed what."""
    changed = []
    for event_id, seen in touches.items():
        meeting = current.get(event_id)
        if meeting is None:  # never applied (quarantined), or gone since
            continue
        now = current_image(meeting)
        states = [t.before for t in seen[1:]] + [now]
        last: _Touch | None = None
        for touch, after in zip(seen, states, strict=True):
            if after is not None and (touch.before is None or compare_meeting(touch.before, after)):
                last = touch
        if last is None:
            continue
        first_image = next((t.before for t in seen if t.before is not None), None)
        changes = compare_meeting(first_image, now) if first_image else []
        change = "added" if last.before is None else "updated"
        changed.append(_changed(meeting, change, last.run_id, last.at, changes))
    return changed


def _chunks(items: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield list(items[start : start + _CHUNK])
