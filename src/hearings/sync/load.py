"""The batched load of meetings: checkpoint → validate → apply → validate → commit, one batch at a
time, with bisection so a bad record costs only itself; on long runs consecutive clean batches
commit together (sync/commit_units.py). In single-transaction mode the same steps run inside the
run's one transaction. What each applied batch records is sync/batch_accounting.py."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from hearings.store.writer import known_committee_codes
from hearings.sync.batch_accounting import after_apply, record_outcome, record_run_progress
from hearings.sync.batches import (
    BatchOutcome,
    Change,
    Rejection,
    apply_batch_isolated,
    apply_changes,
    validate_before_apply,
)
from hearings.sync.checkpoints import (
    checkpoint_in_transaction,
    create_checkpoint,
    finish_checkpoint,
)
from hearings.sync.commit_units import CommitUnit, PendingBatch, grouping_enabled
from hearings.sync.dry_run import classify_dry_run
from hearings.sync.failpoints import failpoint
from hearings.sync.gate import Quarantined
from hearings.sync.run_state import RunState
from hearings.sync.runlog import BatchError
from hearings.sync.screening import screen_suspicious

log = logging.getLogger(__name__)

# Stores committees that meetings name but the database lacks (code → path chamber).
CommitteeLoader = Callable[[dict[str, str]], None]

# Each run's commit unit being gathered (kept beside the run's state, which it outlives only
# until the run is dropped).
_UNITS: WeakKeyDictionary[RunState, CommitUnit] = WeakKeyDictionary()


def load_batch(state: RunState, changes: list[Change], load_committees: CommitteeLoader) -> None:
    """Validate and apply one batch of admitted meetings."""
    state.batch_number += 1
    batch_number = state.batch_number
    # Versions held for review (SUSPICIOUS_CHANGES=hold) or rejected in review go no further.
    changes = screen_suspicious(state, changes)
    _load_unknown_committees(state, changes, load_committees)
    valid, rejected = validate_before_apply(changes)
    for rejection in rejected:
        state.quarantine(_quarantined(rejection))
    if not valid:
        return
    if state.options.dry_run:
        classify_dry_run(state, valid)
        return
    state.metrics.batch_processing.batch_count += 1
    if state.single is not None:
        _apply_in_run_transaction(state, valid, batch_number)
        return
    options = state.options
    if not grouping_enabled(options.commit_unit_limit, options.batch_size):
        _apply_in_own_transaction(state, valid, batch_number)
        return
    unit = _UNITS.setdefault(state, CommitUnit(options.commit_unit_limit, options.batch_size))
    unit.batches.append(PendingBatch(batch_number, valid))
    if unit.full:
        _commit_unit(state, unit)


def finish_loading(state: RunState) -> None:
    """Commit the batches still waiting in the run's commit unit (the stage's last ones)."""
    unit = _UNITS.get(state)
    if unit is not None and unit.batches:
        _commit_unit(state, unit)


def _commit_unit(state: RunState, unit: CommitUnit) -> None:
    """Apply the unit's batches in one transaction, each checkpointed and validated; when any
    fails, roll back and apply them one by one, each bisected as usual."""
    batches = unit.take()
    if len(batches) == 1:
        if _apply_in_own_transaction(state, batches[0].changes, batches[0].number):
            unit.grow(len(batches[0].changes))
        else:
            unit.shrink()
        return
    outcomes = []
    try:
        with state.transaction() as connection:
            for pending in batches:
                checkpoint_in_transaction(
                    connection,
                    run_id=state.metrics.run_id or 0,
                    batch_number=pending.number,
                    changes=pending.changes,
                    now=state.now(),
                )
                result = apply_changes(
                    connection,
                    pending.changes,
                    injector=state.options.failure_injector,
                    now=state.clock(),
                )
                failpoint("batch_applied")
                after_apply(state, connection, pending.changes)
                outcome = BatchOutcome()
                outcome.absorb(result, pending.changes)
                outcomes.append(outcome)
            failpoint("batch_before_commit")
        failpoint("batch_committed")
    except Exception as exc:  # rolled back already: each batch again, on its own
        log.info(
            "commit unit of %d batches failed (%s: %s); applying them one by one",
            len(batches),
            type(exc).__name__,
            exc,
        )
        unit.shrink()
        for pending in batches:
            _apply_in_own_transaction(state, pending.changes, pending.number)
        return
    stats = state.metrics.batch_processing
    stats.commit_units += 1
    records = sum(len(p.changes) for p in batches)
    stats.largest_commit_unit = max(stats.largest_commit_unit, records)
    for outcome in outcomes:
        record_outcome(state, outcome, progress=False)
        stats.batches_succeeded += 1
    record_run_progress(state)  # once for the unit: a write per batch would be a commit per batch
    log.info(
        "batches %d-%d committed as one unit of %d meetings",
        batches[0].number,
        batches[-1].number,
        records,
    )
    unit.grow(records)


def _apply_in_own_transaction(state: RunState, changes: list[Change], batch_number: int) -> bool:
    """One batch, checkpointed in its own transaction and then applied in another, bisected when
    it fails. Returns whether every record committed."""
    metrics = state.metrics
    checkpoint_id = create_checkpoint(
        state.connection,
        run_id=metrics.run_id or 0,
        batch_number=batch_number,
        changes=changes,
        now=state.now(),
    )
    outcome = apply_batch_isolated(
        state.connection,
        changes,
        injector=state.options.failure_injector,
        now=state.clock(),
        after_apply=lambda connection, applied: after_apply(state, connection, applied),
        checkpoint_id=checkpoint_id,
    )
    record_outcome(state, outcome)
    stats = metrics.batch_processing
    if outcome.committed:
        stats.commit_units += 1
        stats.largest_commit_unit = max(stats.largest_commit_unit, len(outcome.committed))
    if not outcome.failed:
        stats.batches_succeeded += 1
        log.info(
            "batch %d committed: %d added, %d updated, %d unchanged",
            batch_number,
            len(outcome.added),
            len(outcome.updated),
            len(outcome.unchanged),
        )
        return True
    stats.batches_failed += 1
    stats.batch_errors.append(
        BatchError(
            batch_number=batch_number,
            event_ids=[r.change.event_id for r in outcome.failed],
            reason=outcome.first_error or "apply failed",
        )
    )
    status = "partial" if outcome.committed else "rolled_back"
    with state.transaction() as connection:
        finish_checkpoint(connection, checkpoint_id, status, state.now(), outcome.first_error)
    log.warning(
        "batch %d: %d committed, %d quarantined (%s)",
        batch_number,
        len(outcome.committed),
        len(outcome.failed),
        outcome.first_error,
    )
    for rejection in outcome.failed:
        state.quarantine(_quarantined(rejection))
    return False


def _apply_in_run_transaction(state: RunState, changes: list[Change], batch_number: int) -> None:
    """Single-transaction mode: any exception propagates and rolls back the whole run."""
    connection = state.single
    if connection is None:
        raise RuntimeError("single-transaction mode without its transaction")
    checkpoint_in_transaction(
        connection,
        run_id=state.metrics.run_id or 0,
        batch_number=batch_number,
        changes=changes,
        now=state.now(),
    )
    result = apply_changes(
        connection, changes, injector=state.options.failure_injector, now=state.clock()
    )
    after_apply(state, connection, changes)
    outcome = BatchOutcome()
    outcome.absorb(result, changes)
    record_outcome(state, outcome)
    state.metrics.batch_processing.batches_succeeded += 1


def _quarantined(rejection: Rejection) -> Quarantined:
    change = rejection.change
    return Quarantined(
        entity="meeting",
        identifier=change.event_id,
        stage="validate" if rejection.stage == "validate" else "apply",
        reason=rejection.reason,
        raw_payload=change.payload,
        locator=change.locator,
    )


def _load_unknown_committees(
    state: RunState, changes: list[Change], load_committees: CommitteeLoader
) -> None:
    """Committees a meeting names but the database lacks are stored first; they are never a
    reason for a batch to fail (a placeholder row stands in when one cannot be fetched)."""
    referenced: dict[str, str] = {}
    for change in changes:
        for ref in change.rows.committee_refs:
            referenced.setdefault(ref["system_code"], committee_path_chamber(ref))
    if not referenced:
        return
    with state.transaction() as connection:
        known = known_committee_codes(connection, referenced)
    missing = {code: chamber for code, chamber in referenced.items() if code not in known}
    if missing:
        log.info("fetching %d committees new to the database: %s", len(missing), sorted(missing))
        load_committees(missing)


def committee_path_chamber(ref: dict[str, Any]) -> str:
    """The path chamber for a committee reference: the one its `url` names, else the first
    letter of a standard code. The url comes first because the API files some codes under
    another chamber than their letter says: jsec03, a Joint Economic subcommittee, is at
    /committee/senate/jsec03 while its parent is at /committee/joint/jsec00."""
    named = _url_chamber(ref.get("url"))
    if named:
        return named
    code = str(ref["system_code"])
    guessed = {"h": "house", "s": "senate", "j": "joint"}.get(code[:1].lower())
    if guessed and code[1:2].isalpha():
        return guessed
    fallback = str(ref.get("chamber") or "").lower()
    return fallback if fallback in ("house", "senate", "joint") else "house"


def _url_chamber(url: object) -> str | None:
    """The chamber segment after `committee/` in an API url, if it is one of the three."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url).path.lower().split("/")
    except ValueError:  # a url the API mangled names no chamber
        return None
    for before, after in zip(parts, parts[1:], strict=False):
        if before == "committee" and after in ("house", "senate", "joint"):
            return after
    return None
