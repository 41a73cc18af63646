"""The sync pipeline shared by `hearings import` and `hearings update`.

A run lists, selects, then runs its stages in order — committees, members (import only),
meetings, printed hearings — each one list → fetch → gate → load. The gate (`sync.gate`) stands
between the API and everything else: what it refuses is quarantined, never raised.

An import lists everything; an update lists what changed since each stage's high-water mark (with
an overlap) or the lookback, whichever reaches further back. Both skip records whose stored
`updateDate` equals the listed one, so reruns cost requests in proportion to what changed.

In batch mode each stage commits on its own: a stage that fails is recorded as failed, and the
stages before and after it keep what they committed. In single-transaction mode the whole run is
one transaction, and any failure rolls all of it back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from hearings.congress_api.errors import ApiKeyMissing, ApiKeyRejected
from hearings.congress_api.models import chamber_path
from hearings.errors import error_text
from hearings.store.engine import writing
from hearings.sync.committee_congresses import committee_chambers
from hearings.sync.committees import (
    CommitteeFetch,
    committees_stage,
    load_committees_by_code,
    prefetch_committees,
)
from hearings.sync.failpoints import failpoint
from hearings.sync.listing import ApiClient, Listing, combined, read_list, record_refusals
from hearings.sync.marks import advance_high_water_mark, update_window
from hearings.sync.meetings import (
    ChangeRatioExceeded,
    MeetingPlan,
    check_change_ratio,
    meetings_stage,
    select_meetings,
)
from hearings.sync.member_lists import (
    MemberLists,
    member_congresses,
    member_lists_stage,
    read_member_lists,
)
from hearings.sync.options import ProgressFn, SyncOptions, no_progress
from hearings.sync.run_state import RunState
from hearings.sync.runlog import RunMetrics, StageOutcome
from hearings.sync.stages import list_printed_hearings, printed_hearings_stage

__all__ = ["ApiClient", "ChangeRatioExceeded", "ProgressFn", "SyncOptions", "run_pipeline"]

log = logging.getLogger(__name__)

# Errors after which no stage can succeed: stop the run rather than fail every stage in turn.
FATAL = (ApiKeyMissing, ApiKeyRejected)


def run_pipeline(
    engine: Any,
    client: ApiClient,
    options: SyncOptions,
    metrics: RunMetrics,
    *,
    incremental: bool,
    clock: Callable[[], datetime],
    progress: ProgressFn = no_progress,
    redact: Callable[[str], str] = str,
) -> None:
    """Run an import (incremental=False) or an update (incremental=True), filling `metrics`.
    Each stage's outcome is in `metrics.stages`. Raises only for a failure that ends the whole
    run; in single-transaction mode nothing is then kept."""
    state = RunState(engine, options, metrics, clock, redact)
    state.requests_made = lambda: client.request_count  # a run's client is its own
    # Up to six lists and fetches at once beside the meeting list: three committee lists and
    # the committee fetch waiting on them, the printed-hearing list, the member list.
    background = ThreadPoolExecutor(max_workers=6, thread_name_prefix="list")
    try:
        _run(state, client, background, incremental=incremental, progress=progress)
    finally:
        background.shutdown(wait=True, cancel_futures=True)
        state.close()


def _run(
    state: RunState,
    client: ApiClient,
    background: ThreadPoolExecutor,
    *,
    incremental: bool,
    progress: ProgressFn,
) -> None:
    options = state.options
    chamber = chamber_path(options.chamber) if options.chamber else None
    since = _windows(state, incremental)
    now = state.clock()

    # The reference lists do not depend on the meetings: read them while the meetings are.
    committees: Future[CommitteeFetch] | None = None
    printed: Future[Listing] | None = None
    members: Future[MemberLists] | None = None
    if options.include_reference_data:
        # One list per chamber, side by side: each is a round trip of its own.
        committee_lists = [
            background.submit(
                read_list,
                "committee",
                client.list_committees,
                options,
                committee_chamber,
                since["committees"],
                now,
            )
            for committee_chamber in committee_chambers(options)
        ]
        # Read here: the run's own thread quarantines while the background one fetches.
        quarantined_in_run = state.quarantined_in_run("committee")
        committees = background.submit(
            lambda: prefetch_committees(
                state.engine,
                client,
                options,
                combined([future.result() for future in committee_lists]),
                since["committees"],
                quarantined_in_run,
            )
        )
        printed = background.submit(
            list_printed_hearings, client, options, chamber, since["printed_hearings"], now
        )
        # An import's member list; an update's only where an earlier run read it short.
        if member_lists := member_congresses(state.engine, options, incremental):
            members = background.submit(read_member_lists, client, member_lists)

    # The stages in the order they run (the meetings are listed first, but applied third).
    for name, runs in (
        ("committees", committees is not None),
        ("members", members is not None),
        ("meetings", True),
        ("printed hearings", printed is not None),
    ):
        if runs:
            state.metrics.stages.setdefault(name, StageOutcome())

    # List and select the meetings before writing anything, so --max-change-ratio can refuse.
    plan = _stage(
        state,
        "meetings",
        lambda: _plan_meetings(state, client, chamber, since["meetings"], incremental),
    )
    failpoint("before_apply")
    failpoint("listed")

    load_committees = lambda codes: load_committees_by_code(state, client, codes, no_progress)  # noqa: E731
    with _run_transaction(state):
        if committees is not None:
            _stage(
                state,
                "committees",
                lambda: committees_stage(state, client, committees.result(), progress),
            )
        if members is not None:
            _stage(state, "members", lambda: member_lists_stage(state, members.result(), progress))
        if plan is not None:
            _stage(
                state,
                "meetings",
                lambda: meetings_stage(state, client, plan, load_committees, progress),
            )
            _listed_through(state, plan)
        if printed is not None:
            _stage(
                state,
                "printed hearings",
                lambda: printed_hearings_stage(
                    state, client, printed.result(), since["printed_hearings"], progress
                ),
            )


def _windows(state: RunState, incremental: bool) -> dict[str, datetime | None]:
    """Where each stage's list starts: nowhere for an import; for an update, its own window."""
    entities = ("meetings", "committees", "printed_hearings")
    if not incremental:
        return dict.fromkeys(entities)
    now = state.clock()
    with state.engine.connect() as connection:
        windows: dict[str, datetime | None] = {
            entity: update_window(connection, state.options, now, entity) for entity in entities
        }
        # Databases from before committees had a mark of their own followed printed hearings'.
        windows["committees"] = min(
            windows["committees"] or now,
            update_window(connection, state.options, now, "printed_hearings"),
        )
    state.metrics.window_start = windows["meetings"]
    state.metrics.window_end = now
    return windows


def _plan_meetings(
    state: RunState,
    client: ApiClient,
    chamber: str | None,
    since: datetime | None,
    incremental: bool,
) -> MeetingPlan:
    listing = read_list(
        "meeting", client.list_meetings, state.options, chamber, since, state.clock()
    )
    plan = select_meetings(state, listing)
    if incremental:
        # Before the refusals are quarantined: a run the guard stops writes nothing at all.
        check_change_ratio(state, plan.requests)
    record_refusals(state, listing, "meetings", since)
    metrics = state.metrics
    metrics.hearings_unchanged += plan.unchanged
    metrics.hearings_checked += plan.unchanged + len(plan.refused)
    metrics.list_entries_elsewhere += listing.ignored
    for congress, unchanged in plan.unchanged_by_congress.items():
        figures = metrics.figures(congress)
        if figures is not None:
            figures.hearings_unchanged += unchanged
            figures.hearings_checked += unchanged
    for refused_in in plan.refused.values():
        figures = metrics.figures(refused_in)
        if figures is not None:
            figures.hearings_checked += 1
    log.info(
        "%d %s listed, %d to fetch%s",
        len(listing.listed),
        "meeting" if len(listing.listed) == 1 else "meetings",
        len(plan.requests),
        f" ({listing.ignored} of other Congresses ignored)" if listing.ignored else "",
    )
    return plan


def _listed_through(state: RunState, plan: MeetingPlan) -> None:
    """After a run across Congresses lists and loads its meetings, every Congress it covers is
    current up to the newest entry listed, changed or not: without this, a Congress where
    nothing changes would keep an old mark and pull every later entry of every Congress into the
    list, every day."""
    stage = state.metrics.stages.get("meetings")
    if not state.options.across_congresses or plan.newest_listed is None or not state.writes:
        return
    if "meetings" in state.lists_not_whole:
        return  # what the list did not reach is older than what it did: the mark would pass it
    if stage is None or stage.status == "failed":
        return
    with state.transaction() as connection:
        advance_high_water_mark(
            connection,
            state.options,
            "meetings",
            plan.newest_listed,
            run_id=state.metrics.run_id,
            run_started=state.started,
            now=state.now(),
        )


def _stage(state: RunState, name: str, step: Callable[[], Any]) -> Any:
    """Run one stage's step, recording its outcome. In batch mode a failure ends the stage, not
    the run; in single-transaction mode it ends the run (and rolls it back)."""
    outcome = state.metrics.stages.setdefault(name, StageOutcome())
    if outcome.status == "failed":
        return None
    try:
        return step()
    except (ChangeRatioExceeded, *FATAL):
        outcome.status = "failed"
        raise
    except Exception as exc:
        outcome.status = "failed"
        outcome.error = error_text(exc)
        if state.all_or_nothing:
            raise
        log.error("the %s stage failed: %s", name, outcome.error, exc_info=_is_bug(exc))
        return None


def _is_bug(exc: Exception) -> bool:
    from hearings.errors import HearingsError

    return not isinstance(exc, HearingsError)


@contextmanager
def _run_transaction(state: RunState) -> Iterator[None]:
    """Single-transaction mode's one transaction (batch and dry runs have none)."""
    if not state.all_or_nothing:
        yield
        return
    try:
        with writing(state.engine).begin() as connection:
            state.single = connection
            yield
    finally:
        state.single = None
        state.flush_deferred_quarantine()
