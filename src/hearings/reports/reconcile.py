"""`hearings verify --reconcile`: the API's counts and ids of meetings against the stored ones,
per Congress and chamber; every id missing on either side is a problem.

A list entry is named as the gate names it (sync/gate/), by the id its API `url` names, else by
its `eventId`: so an id here is the one an update fetches, stores and quarantines. An entry whose
`eventId` names another meeting is named by both, so the two can be matched."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Engine, func, select

from hearings.congress_api.paging import ListShortfall
from hearings.reports.verify_result import Problem, ReconcileResult, VerifyResult, sorted_ids
from hearings.store import schema
from hearings.sync.gate import field_id, name_of
from hearings.sync.marks import held_congresses


class MeetingLister(Protocol):
    """What `reconcile` needs from `hearings.congress_api.CongressClient`."""

    def count_list(self, path: str) -> int: ...

    def list_meetings(
        self, congress: int, chamber: str | None = None
    ) -> Iterator[dict[str, Any] | ListShortfall]: ...


def local_chambers(engine: Engine, congress: int) -> list[str]:
    """The path chambers to reconcile: House and Senate, and NoChamber when the database has it."""
    hearings = schema.hearings
    with engine.connect() as connection:
        stored = set(
            connection.execute(
                select(hearings.c.chamber).where(hearings.c.congress == congress).distinct()
            ).scalars()
        )
    return ["house", "senate"] + (["nochamber"] if "NoChamber" in stored else [])


def local_congresses(engine: Engine) -> list[int]:
    """The Congresses the database holds, as `hearings update` counts them."""
    return list(held_congresses(engine))


def reconcile_meetings(
    engine: Engine, client: MeetingLister, congress: int, chambers: Sequence[str]
) -> list[ReconcileResult]:
    """For each chamber: the API's `pagination.count` (one request) and its listed ids (a few
    pages) against the meetings stored for that congress and chamber."""
    results = []
    hearings, errors = schema.hearings, schema.import_errors
    for chamber in chambers:
        path = f"committee-meeting/{int(congress)}/{chamber.lower()}"
        api_count = client.count_list(path)
        entries = list(client.list_meetings(congress, chamber))
        upstream, listed_event_ids = listed_names(entries)
        shortfall = next((e for e in entries if isinstance(e, ListShortfall)), None)
        with engine.connect() as connection:
            local = set(
                connection.execute(
                    select(hearings.c.event_id).where(
                        hearings.c.congress == congress,
                        func.lower(hearings.c.chamber) == chamber.lower(),
                    )
                ).scalars()
            )
            waiting = set(
                connection.execute(
                    select(errors.c.identifier).where(
                        errors.c.entity == "meeting", errors.c.resolved.is_(False)
                    )
                ).scalars()
            )
        missing_locally = sorted_ids(upstream - local)
        # A list read short names only part of what the API holds: a stored meeting it did not
        # reach may well be listed past that point, so it is counted as not compared, never
        # called missing upstream (a finding a user would act on by deleting or re-importing).
        unseen = sorted_ids(local - upstream)
        results.append(
            ReconcileResult(
                congress=congress,
                chamber=chamber.lower(),
                api_count=api_count,
                local_count=len(local),
                missing_locally=missing_locally,
                missing_upstream=[] if shortfall else unseen,
                quarantined=[i for i in missing_locally if i in waiting],
                listed_event_ids=listed_event_ids,
                list_shortfall=shortfall.reason if shortfall else None,
                not_compared=len(unseen) if shortfall else 0,
            )
        )
    return results


def listed_names(entries: Iterable[object]) -> tuple[set[str], dict[str, str]]:
    """The meetings a list names, as the gate names them, and for each entry whose `eventId`
    names another meeting than its `url`, that `eventId` (by the name). Entries that name no
    meeting at all are left out, as the gate rejects them."""
    names: set[str] = set()
    other_event_ids: dict[str, str] = {}
    for entry in entries:
        name = name_of("meeting", entry)
        if name is None:
            continue
        names.add(name)
        event_id = field_id("meeting", entry) if isinstance(entry, Mapping) else None
        if event_id is not None and event_id != name:
            other_event_ids[name] = event_id
    return names, {name: other_event_ids[name] for name in sorted_ids(other_event_ids)}


def _both_names(ids: Iterable[str], event_ids: Mapping[str, str]) -> list[str]:
    """`118278 (eventId 1)` for each of `ids` whose list entry gives another eventId."""
    return [f"{i} (eventId {event_ids[i]})" for i in ids if i in event_ids]


def _other_event_ids(r: ReconcileResult) -> str:
    """The warning for list entries whose url and eventId name different meetings."""
    one = len(r.listed_event_ids) == 1
    entries = "1 list entry" if one else f"{len(r.listed_event_ids)} list entries"
    return (
        f"Congress {r.congress}, {r.chamber}: the url and the eventId of {entries} name "
        f"different meetings; named by {'its' if one else 'their'} url, as an update names "
        f"{'it' if one else 'them'}: "
        + ", ".join(_both_names(r.listed_event_ids, r.listed_event_ids))
    )


def _read_short(r: ReconcileResult, where: str, counts: str) -> str:
    """The problem for a list the API did not serve to its end: why, and what went unchecked."""
    held = "meeting" if r.local_count == 1 else "meetings"
    unchecked = (
        f"{r.not_compared} of the {r.local_count} {held} the database holds "
        f"{'was' if r.not_compared == 1 else 'were'} not in the part it served and "
        f"{'was' if r.not_compared == 1 else 'were'} not compared, so none is reported as no "
        "longer listed"
        if r.not_compared
        else f"every one of the {r.local_count} {held} the database holds was in the part it "
        "served, but meetings the database lacks may be listed past that point"
    )
    return (
        f"{where}: {counts}; the API's list of meetings could not be read to its end "
        f"({r.list_shortfall}): {unchecked}. Run `hearings verify --reconcile` again later"
    )


def add_reconciliation(result: VerifyResult, reconciled: Sequence[ReconcileResult]) -> None:
    """Record the reconciliation in `result`: every id missing on either side is a problem."""
    result.reconciled = list(reconciled)
    result.checks.append("reconcile")
    for r in reconciled:
        where = f"Congress {r.congress}, {r.chamber}"
        counts = f"the API counts {r.api_count} meetings, the database holds {r.local_count}"
        if r.missing_locally:
            waiting = f" ({len(r.quarantined)} of them in the quarantine)" if r.quarantined else ""
            both = _both_names(r.missing_locally, r.listed_event_ids)
            also = f"; listed with another eventId: {', '.join(both)}" if both else ""
            result.problems.append(
                Problem(
                    "reconcile",
                    f"{where}: {counts}; the database lacks {len(r.missing_locally)} the API "
                    f"lists{waiting}{also}",
                    list(r.missing_locally),
                )
            )
        if r.missing_upstream:
            result.problems.append(
                Problem(
                    "reconcile",
                    f"{where}: {counts}; the API no longer lists {len(r.missing_upstream)} the "
                    "database holds",
                    list(r.missing_upstream),
                )
            )
        if r.list_shortfall is not None:
            result.problems.append(Problem("reconcile", _read_short(r, where, counts)))
        if r.listed_event_ids:
            result.warnings.append(
                Problem("reconcile", _other_event_ids(r), list(r.listed_event_ids))
            )
        if r.agrees and r.api_count != r.local_count:
            result.warnings.append(
                Problem(
                    "reconcile",
                    f"{where}: {counts}, but every id it lists is stored (its count includes "
                    "repeated entries)",
                )
            )


# The name the design notes use.
reconcile = reconcile_meetings
