"""One day upstream with malformed records in it, run through `hearings` and judged.

`Cast` picks, from the imported corpus, the good changes of the day (meetings, a new meeting, a
printed hearing, a committee, a member), records to stand in for identity mismatches, and a pool
of victims per entity. `stage_day` puts it all on the replica; `judge` checks the promises.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from hearings.replica import Corpus, ReplicaServer
from tests.sync.mutations import (
    ENTITIES,
    ID_FIELD,
    KIND,
    MISSING,
    Entity,
    Mutation,
    apply,
    touch,
)
from tests.sync.site import REQUIRED, CliRun, Site, sentence

NEW_MEETING = "990001"
#: Printed hearings the base corpus adds (the bundled one has only 11), from this jacket up.
EXTRA_JACKETS_FROM = 99_001


def with_more_printed_hearings(corpus: Corpus, count: int = 24) -> Corpus:
    """The corpus plus `count` printed hearings cloned under new jacket numbers, so that every
    field of a printed hearing can have a victim of its own."""
    bigger = corpus.copy()
    originals = sorted(corpus.ids("hearing"), key=int)
    for index in range(count):
        body = corpus.printed_hearing(originals[index % len(originals)])
        assert body is not None
        body["jacketNumber"] = EXTRA_JACKETS_FROM + index
        body["title"] = f"{body.get('title')} (part {index + 2})"
        bigger.put_printed_hearing(body)
    return bigger


@dataclass
class Cast:
    mates: dict[Entity, list[str]]
    other: dict[Entity, str]
    pools: dict[Entity, list[str]]

    @classmethod
    def pick(cls, corpus: Corpus) -> Cast:
        def ids(entity: Entity) -> list[str]:
            found = corpus.ids(KIND[entity])
            return sorted(found, key=lambda i: (len(i), i))

        meetings = [i for i in ids("meeting") if (corpus.meeting(i) or {}).get("title")]
        house = [i for i in meetings if corpus.record("meeting", i).chamber == "house"]  # type: ignore[union-attr]
        # Committees without subcommittees: touching a parent may refresh its subcommittees.
        alone = [
            i for i in ids("committee") if not (corpus.committee(i) or {}).get("subcommittees")
        ]
        mates: dict[Entity, list[str]] = {
            "meeting": house[:2],
            "printed_hearing": ids("printed_hearing")[:1],
            "committee": alone[:1],
            "member": ids("member")[:1],
        }
        other: dict[Entity, str] = {
            "meeting": house[2],
            "printed_hearing": ids("printed_hearing")[1],
            "committee": alone[1],
            "member": ids("member")[1],
        }
        taken = {i for group in mates.values() for i in group} | set(other.values())
        pools: dict[Entity, list[str]] = {
            entity: [
                i for i in (house[3:] if entity == "meeting" else ids(entity)) if i not in taken
            ]
            for entity in ENTITIES
        }
        # Richest records first: a field mutation needs a victim that has the field.
        pools["meeting"].sort(key=lambda i: -len(corpus.meeting(i) or {}))
        return cls(mates, other, pools)


@dataclass
class Victim:
    mutation: Mutation
    ident: str
    before: dict[str, list[tuple[Any, ...]]]
    row_before: dict[str, Any] | None


def has_path(record: Any, path: str) -> bool:
    for part in [p for p in path.split(".") if p]:
        if isinstance(record, list) and part.isdigit() and int(part) < len(record):
            record = record[int(part)]
        elif isinstance(record, dict) and part in record:
            record = record[part]
        else:
            return False
    return True


def stage_day(site: Site, cast: Cast, mutations: list[Mutation], stamp: str) -> list[Victim]:
    """The good changes of the day, and each mutation on a victim of its own."""
    corpus, replica = site.corpus, site.replica
    for entity, idents in cast.mates.items():
        for ident in idents:
            touch(corpus, entity, ident, stamp)
    template = corpus.meeting(cast.mates["meeting"][0])
    assert template is not None
    added = copy.deepcopy(template)
    added.pop("hearingTranscript", None)
    added.update(eventId=NEW_MEETING, title="A new hearing of the day", updateDate=stamp)
    corpus.put_meeting(added)

    victims, used = [], set()
    for mutation in mutations:
        ident = _victim_for(replica, cast, mutation, used)
        used.add((mutation.entity, ident))
        row = site.row(mutation.entity, ident)
        victims.append(
            Victim(
                mutation,
                ident,
                site.stored(mutation.entity, ident),
                None if row is None else dict(row),
            )
        )
        apply(replica, mutation, ident, stamp)
    return victims


def _victim_for(
    replica: ReplicaServer, cast: Cast, mutation: Mutation, used: set[tuple[str, str]]
) -> str:
    kind = KIND[mutation.entity]
    for ident in cast.pools[mutation.entity]:
        if (mutation.entity, ident) in used:
            continue
        record = replica.corpus.record(kind, ident)
        assert record is not None
        shown: Any = (
            replica.corpus.summary(record, replica.base_url)
            if mutation.level == "entry"
            else replica.corpus.get(kind, ident)
        )
        if mutation.level == "body" or not mutation.path or has_path(shown, mutation.path):
            return ident
    raise AssertionError(f"no victim left that has {mutation.path!r} for {mutation}")


def judge(
    site: Site,
    run: CliRun,
    cast: Cast,
    victims: list[Victim],
    command: str,
    others_before: dict[Entity, dict[str, list[tuple[Any, ...]]]],
) -> None:
    """Every promise the issue makes for a day with malformed records in it. `others_before`
    holds the stored rows of `cast.other` from before the day."""
    site.assert_sound(run)
    quarantine = site.quarantine()
    rejected = site.rejected_entries()
    set_aside = int(site.last_run()["quarantined"] or 0) + rejected
    assert run.code == (3 if set_aside else 0), (run.code, run.err[-3000:])
    _judge_mates(site, cast, command)
    for victim in victims:
        _judge_victim(site, victim, quarantine, rejected, solo=len(victims) == 1)
    unnamed = [
        v
        for v in victims
        if v.mutation.expect == "unnamed"
        and (v.mutation.entity, quarantine_key(site, v.mutation.entity, v.ident)) not in quarantine
    ]
    assert rejected >= len(unnamed), f"{len(unnamed)} unnamed entries, {rejected} counted"
    for entity, ident in cast.other.items():
        # Identity mismatches name these; nothing may be written under their ids.
        assert site.stored(entity, ident) == others_before[entity], f"{entity} {ident} changed"


def _judge_mates(site: Site, cast: Cast, command: str) -> None:
    for ident in cast.mates["meeting"]:
        row = site.row("meeting", ident)
        assert row is not None and str(row["title"]).endswith("(revised)"), ident
    added = site.row("meeting", NEW_MEETING)
    assert added is not None and added["title"] == "A new hearing of the day"
    for ident in cast.mates["printed_hearing"]:
        row = site.row("printed_hearing", ident)
        assert row is not None and str(row["title"]).endswith("(revised)"), ident
    for ident in cast.mates["committee"]:
        row = site.row("committee", ident)
        assert row is not None and "(renamed)" in str(row["name"]), ident
    if command == "import":  # an update does not read the member list
        for ident in cast.mates["member"]:
            row = site.row("member", ident)
            assert row is not None and "(renamed)" in str(row["name"]), ident


def quarantine_key(site: Site, entity: Entity, ident: str) -> str:
    """The identifier the quarantine keeps a record under, in lower case: a printed hearing's
    names its Congress (`119/60035`), as GPO reuses jacket numbers."""
    record = site.corpus.record("hearing", ident) if entity == "printed_hearing" else None
    if record is not None:
        return f"{record.congresses[0]}/{ident}"
    return ident.lower()


def _judge_victim(
    site: Site,
    victim: Victim,
    quarantine: dict[tuple[str, str], Any],
    rejected: int,
    *,
    solo: bool,
) -> None:
    mutation, ident = victim.mutation, victim.ident
    entry = quarantine.get((mutation.entity, quarantine_key(site, mutation.entity, ident)))
    after = site.stored(mutation.entity, ident)
    what = f"{mutation} (victim {ident})"
    if entry is not None:
        assert after == victim.before, f"{what}: quarantined, yet its stored rows changed"
        assert entry["stage"], what
        assert sentence(str(entry["reason"])), f"{what}: reason {str(entry['reason'])[:300]!r}"
        assert entry["raw_payload"] is not None, f"{what}: no raw payload kept"
        return
    assert mutation.expect != "quarantine", f"{what}: not quarantined"
    if mutation.expect == "unnamed":
        # The record itself may still arrive by another road (a parent's subcommittees).
        assert rejected > 0, f"{what}: not counted in list_entries_rejected"
        assert "reject" in site.log_text().lower(), f"{what}: rejection not logged"
        return
    if after != victim.before:
        _judge_applied(site, victim)
        return
    if _names_another(mutation):
        set_aside = rejected + int(site.last_run()["quarantined"] or 0)
        assert solo and set_aside, f"{what}: dropped without a count or a quarantine entry"
        return
    raise AssertionError(f"{what}: neither quarantined nor applied (dropped silently)")


def _names_another(mutation: Mutation) -> bool:
    """An entry whose id was replaced may name another record, or none."""
    return (
        mutation.level == "entry"
        and mutation.path == ID_FIELD[mutation.entity]
        and mutation.value is not None
        and mutation.value is not MISSING
    )


def _judge_applied(site: Site, victim: Victim) -> None:
    """Applied: values the store needs are never erased, and no date from the future is kept."""
    what = f"{victim.mutation} (victim {victim.ident})"
    row = site.row(victim.mutation.entity, victim.ident)
    assert row is not None, what
    for column in REQUIRED.get(victim.mutation.entity, ()):
        if victim.row_before is not None and victim.row_before[column] is not None:
            assert row[column] is not None, f"{what}: stored {column} erased by missing data"
    update_date = row["update_date"]
    assert update_date is None or str(update_date) < "2099", f"{what}: a future updateDate kept"
