"""Screening a batch for suspicious changes before it loads (SUSPICIOUS_CHANGES).

`flag` (the default) lets a degraded version apply and records it in the run's metrics; `hold`
quarantines it for review instead, so the stored record stays. A version a reviewer rejected is
never applied again; one a reviewer accepted passes unflagged.
"""

from __future__ import annotations

import logging

from hearings.sync import quarantine as quarantine_store
from hearings.sync.batches import Change
from hearings.sync.gate import Quarantined
from hearings.sync.run_state import RunState
from hearings.sync.runlog import SuspiciousChange
from hearings.sync.suspicious import Degradation, degradations, shape_of, stored_shapes

log = logging.getLogger(__name__)

# A run lists this many suspicious changes in its metrics (and the webhook's body), and counts
# the rest: an upstream fault that empties thousands of meetings must not bloat every report.
SUSPICIOUS_LISTED = 1000


def screen_suspicious(state: RunState, changes: list[Change]) -> list[Change]:
    """The changes that may load: held and previously rejected versions are taken out."""
    if not changes:
        return changes
    incoming = {c.event_id: (version_hash(c), shape_of(c.meeting, c.rows)) for c in changes}
    with state.transaction() as connection:
        stored = stored_shapes(connection, incoming)
        marks = quarantine_store.review_marks(connection, "meeting", stored) if stored else {}
    if not stored:
        return changes
    now = state.now()
    hold = state.options.suspicious_changes == "hold"
    kept: list[Change] = []
    reopened: list[str] = []
    for change in changes:
        before = stored.get(change.event_id)
        mark = marks.get(change.event_id, {})
        digest, after = incoming[change.event_id]
        if before is not None and digest in quarantine_store.rejected_hashes(mark):
            _record(state, change, [], "skipped")
            if change.from_quarantine:
                reopened.append(change.event_id)
            continue
        if before is None or mark.get(quarantine_store.ACCEPTED_HASH) == digest:
            kept.append(change)
            continue
        found = degradations(before, after, now=now)
        if not found:
            kept.append(change)
        elif hold:
            _record(state, change, found, "held")
            state.quarantine(held_for_review(change, found))
        else:
            _record(state, change, found, "flagged")
            kept.append(change)
    if reopened and state.writes:
        # A rejected entry put back in line (Retry in /admin) is closed again: its version stays
        # rejected.
        with state.transaction() as connection:
            quarantine_store.resolve(connection, "meeting", reopened, state.now())
    return kept


def version_hash(change: Change) -> str:
    """The content hash of a change's version (the archive's: `updateDate` left out)."""
    return str(change.rows.hearing["content_hash"])


def held_for_review(change: Change, found: list[Degradation]) -> Quarantined:
    reasons = " ".join(d.sentence for d in found)
    return Quarantined(
        entity="meeting",
        identifier=change.event_id,
        stage="validate",
        reason=f"{quarantine_store.SUSPICIOUS_PREFIX}{reasons}",
        raw_payload=change.payload,
        locator=dict(change.locator),
    )


def _record(state: RunState, change: Change, found: list[Degradation], action: str) -> None:
    """Count and log each degradation, and list it in the metrics while there is room."""
    entries = [
        SuspiciousChange(change.event_id, d.reason, d.sentence, d.before, d.after, action)
        for d in found
    ] or [
        SuspiciousChange(
            change.event_id, "rejected_version", "A version rejected in review.", "", "", action
        )
    ]
    metrics = state.metrics
    for entry in entries:
        if not found:
            log.warning(
                "meeting %s: skipped the version with content hash %s, because a reviewer "
                "rejected it; the stored version stays.",
                entry.event_id,
                version_hash(change)[:12],
            )
        else:
            log.warning(
                "meeting %s: suspicious change %s (%s): %s → %s",
                entry.event_id,
                action,
                entry.reason,
                entry.before,
                entry.after,
            )
        metrics.suspicious_changes_total += 1
        if len(metrics.suspicious_changes) < SUSPICIOUS_LISTED:
            metrics.suspicious_changes.append(entry)
