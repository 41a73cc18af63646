"""Everything the API sends is untrusted: a malformed list entry or item costs only itself.

Each case is a real day upstream, served over HTTP by the replica, with good changes to every
entity type (two meetings edited, one added, a printed hearing, a committee, a member) and one or
more malformed records, each on a victim of its own. `hearings update` (or `import`, for members,
which only an import reads) runs through the real CLI. Then every victim is either quarantined
(entity, identifier, stage, one-sentence reason, raw payload; its stored rows unchanged) or
applied sensibly, or, for a list entry that cannot name its record, counted in
`list_entries_rejected` and logged. Every good change is applied, no traceback reaches the
console, the file passes `integrity_check` and `foreign_key_check`, no high-water mark passes the
run's start, and the exit code is 3 when anything was set aside, else 0.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from hearings.replica import Corpus, Faults, ReplicaServer
from hearings.replica.overrides import Raw
from hearings.sync.runner import EXIT_PARTIAL
from tests.pg_server import PostgresServer
from tests.sync.mutation_runs import Cast, judge, stage_day, with_more_printed_hearings
from tests.sync.mutations import (
    DEEP,
    ENTITIES,
    FUTURE,
    HUGE_TEXT,
    ID_FIELD,
    INVALID_UTF8,
    KIND,
    LONE_SURROGATE,
    OVERFLOW_EARLY,
    OVERFLOW_LATE,
    Entity,
    Expect,
    Level,
    Mutation,
    body_mutations,
    field_mutations,
    identity_mutations,
    touch,
    unnamed_entry_mutations,
)
from tests.sync.site import Site, copy_database, stamp_for


@dataclass
class Base:
    database: Path
    corpus: Corpus
    cast: Cast


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    """The corpus (with extra printed hearings) imported once; every case copies the file."""
    corpus = with_more_printed_hearings(Corpus.load())
    folder = tmp_path_factory.mktemp("imported")
    with ReplicaServer(corpus.copy()) as replica:
        run = Site(folder, replica).hearings("import", "--congress", "119")
    assert run.code == 0, run.err
    return Base(folder / "hearings.db", corpus, Cast.pick(corpus))


@pytest.fixture
def day(base: Base, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with a_day(base, tmp_path_factory) as site:
        yield site


@contextlib.contextmanager
def a_day(base: Base, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("day")
    copy_database(base.database, folder / "hearings.db")
    faults = Faults(retry_after=0, timeout_seconds=1.0)
    with ReplicaServer(base.corpus.copy(), faults=faults) as replica:
        yield Site(folder, replica)


def run_day(
    site: Site, base: Base, mutations: list[Mutation], *, own_process: bool = False
) -> None:
    command = "import" if any(m.entity == "member" for m in mutations) else "update"
    others = {entity: site.stored(entity, i) for entity, i in base.cast.other.items()}
    victims = stage_day(site, base.cast, mutations, stamp_for(datetime.now(UTC)))
    arguments = ["--congress", "119"] + (["--lookback-days", "7"] if command == "update" else [])
    hearings = site.hearings_process if own_process else site.hearings
    run = hearings(command, *arguments)
    judge(site, run, base.cast, victims, command, others)


# ---- the deterministic table: every top-level field, the important ways to break it ----------

_SAMPLE_BASE = "http://127.0.0.1:1/v3"
_CORPUS = with_more_printed_hearings(Corpus.load())
_CAST = Cast.pick(_CORPUS)


def _shape(entity: Entity, level: Level) -> dict[str, Any]:
    """The richest victim's entry or item: the fields a mutation can reach."""
    ident = _CAST.pools[entity][0]
    if level == "entry":
        record = _CORPUS.record(KIND[entity], ident)
        assert record is not None
        return _CORPUS.summary(record, _SAMPLE_BASE)
    found = _CORPUS.get(KIND[entity], ident)
    assert found is not None
    return found


def _names_a_record(m: Mutation) -> bool:
    return m.level == "entry" and m.path in (ID_FIELD[m.entity], "url")


#: Families of mutation in the table; each one runs once per entity and level, on every
#: top-level field it applies to (one victim per field and mutation).
FAMILIES: dict[str, tuple[str, ...]] = {
    "missing": ("missing",),
    "null": ("null",),
    "wrong type": (
        "a string for a bool",
        "a string for an int",
        "a number for text",
        "an object for a list",
        "text for an object",
    ),
    "out of range": ("beyond 64 bits", "late overflow"),
    "extreme size": ("huge text", "extreme length"),
    "hostile text": ("NUL in text", "a lone surrogate"),
}


def _table() -> Iterator[Any]:
    for entity, level in itertools.product(ENTITIES, ("entry", "item")):
        shape = _shape(entity, level)  # type: ignore[arg-type]
        for family, labels in FAMILIES.items():
            if entity == "member" and level == "item" and family != "missing":
                continue  # no member item is requested: one family keeps that promise checked
            found = [
                m
                for m in field_mutations(entity, level, shape)  # type: ignore[arg-type]
                if "." not in m.path and m.label in labels
            ]
            grouped = [m for m in found if not _names_a_record(m)]
            if grouped:
                yield pytest.param(grouped, id=f"{entity}-{level}-{family}-every-field")
            for solo in (m for m in found if _names_a_record(m)):
                yield pytest.param([solo], id=f"{entity}-{level}-{solo.path}-{solo.label}")


def _specials() -> Iterator[Any]:
    for entity in ENTITIES:
        date_field = "date" if entity == "meeting" else "updateDate"
        future: Expect = "either" if entity == "member" else "quarantine"
        item = [
            # No member item is requested (members come from the member list).
            Mutation(entity, "item", "updateDate", "year 2099", FUTURE, future),
            Mutation(entity, "item", date_field, "late overflow", OVERFLOW_LATE),
            Mutation(entity, "item", "updateDate", "early overflow", OVERFLOW_EARLY),
        ]
        text = _text_field(entity)
        item += [
            Mutation(entity, "item", text, "huge text", HUGE_TEXT),
            Mutation(entity, "item", text, "NUL in text", "a\x00b"),
            Mutation(entity, "item", text, "a lone surrogate", LONE_SURROGATE),
            Mutation(entity, "item", text, "invalid UTF-8", INVALID_UTF8),
            Mutation(entity, "item", text, "deep nesting", DEEP),
        ]
        yield pytest.param(item, id=f"{entity}-item-dates-and-hostile-text")
        entry_text = {"committee": "name", "member": "name"}.get(entity, "chamber")
        entry = [
            Mutation(entity, "entry", "updateDate", "year 2099", FUTURE),
            Mutation(entity, "entry", "updateDate", "late overflow", OVERFLOW_LATE),
            Mutation(entity, "entry", "updateDate", "early overflow", OVERFLOW_EARLY),
            Mutation(entity, "entry", entry_text, "a lone surrogate", LONE_SURROGATE),
            Mutation(entity, "entry", entry_text, "huge text", HUGE_TEXT),
        ]
        if entity in ("meeting", "printed_hearing"):
            entry.append(Mutation(entity, "entry", "chamber", "a typo", "Hosue"))
            entry.append(Mutation(entity, "entry", "congress", "out of range", 100_000))
            entry.append(Mutation(entity, "entry", "congress", "another congress", 118))
        yield pytest.param(entry, id=f"{entity}-entry-dates-and-hostile-text")
        yield pytest.param(body_mutations(entity), id=f"{entity}-item-bodies-that-are-not-records")
        yield pytest.param(unnamed_entry_mutations(entity), id=f"{entity}-entries-with-no-name")


def _text_field(entity: Entity) -> str:
    """A text field of the item that ends up stored."""
    return {
        "meeting": "title",
        "printed_hearing": "title",
        "committee": "history.0.libraryOfCongressName",
        "member": "invertedOrderName",
    }[entity]


def _identities() -> Iterator[Any]:
    for mutation in identity_mutations(_CAST.other):
        yield pytest.param([mutation], id=f"{mutation.entity}-item-{mutation.label}")


@pytest.mark.parametrize("mutations", [*_table(), *_specials(), *_identities()])
def test_a_malformed_record_costs_only_itself(
    day: Site, base: Base, mutations: list[Mutation]
) -> None:
    run_day(day, base, mutations)


def test_rejected_list_entries_are_shown_by_the_report(day: Site, base: Base) -> None:
    mutations = unnamed_entry_mutations("meeting")[:2] + unnamed_entry_mutations("committee")[:1]
    run_day(day, base, mutations)
    report = json.loads(day.hearings("report", "--format", "json").out)
    assert report["summary"]["list_entries_rejected"] == 3
    text = day.hearings("report").out
    assert "rejected" in text


def test_a_day_run_as_cron_runs_it_shows_no_traceback(day: Site, base: Base) -> None:
    """The same promises from a process of its own, where the console is the real stderr."""
    mutations = [
        Mutation("meeting", "entry", "chamber", "a typo", "Hosue"),
        Mutation("meeting", "item", "title", "a lone surrogate", LONE_SURROGATE),
        Mutation("meeting", "body", "", "nested past the decoder", b"[" * 100_000),
        Mutation("committee", "item", "updateDate", "late overflow", OVERFLOW_LATE),
        Mutation("printed_hearing", "item", "jacketNumber", "beyond 64 bits", 2**70),
    ]
    run_day(day, base, mutations, own_process=True)


# ---- PostgreSQL: text it refuses (NUL, lone surrogates) must not break the quarantine --------


@pytest.fixture(scope="module")
def imported_on_postgres(
    base: Base, postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The base corpus imported through the CLI into a PostgreSQL database, once: a template
    every case clones, never opened afterwards."""
    name = postgres_server.create_database()
    with ReplicaServer(base.corpus.copy()) as replica:
        site = Site(tmp_path_factory.mktemp("pg-imported"), replica, postgres_server.url(name))
        run = site.hearings("import", "--congress", "119")
    assert run.code == 0, run.err
    return name


@pytest.fixture
def day_on_postgres(
    base: Base,
    postgres_server: PostgresServer,
    imported_on_postgres: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Site]:
    """A PostgreSQL database of its own, a copy of the base corpus imported through the CLI (as
    `day` copies the SQLite file)."""
    name = postgres_server.clone_database(imported_on_postgres)
    try:
        faults = Faults(retry_after=0, timeout_seconds=1.0)
        with ReplicaServer(base.corpus.copy(), faults=faults) as replica:
            yield Site(tmp_path_factory.mktemp("pg"), replica, postgres_server.url(name))
    finally:
        postgres_server.drop_database(name)


@pytest.mark.postgres
@pytest.mark.parametrize("entity", ENTITIES)
def test_text_postgresql_refuses_costs_only_its_record(
    day_on_postgres: Site, base: Base, entity: Entity
) -> None:
    text = _text_field(entity)
    entry_text = {"committee": "name", "member": "name"}.get(entity, "chamber")
    mutations = [
        Mutation(entity, "item", text, "NUL in text", "a\x00b"),
        Mutation(entity, "item", text, "a lone surrogate", LONE_SURROGATE),
        Mutation(entity, "item", text, "invalid UTF-8", INVALID_UTF8),
        Mutation(entity, "item", text, "huge text", HUGE_TEXT),
        Mutation(entity, "entry", entry_text, "NUL in text", "a\x00b"),
        Mutation(entity, "entry", entry_text, "a lone surrogate", LONE_SURROGATE),
    ]
    run_day(day_on_postgres, base, mutations)


# ---- a sweep: any field at any depth, any JSON value or hostile text ------------------------

_TARGETS = sorted(
    {
        (entity, level, m.path)
        for entity, level in itertools.product(ENTITIES, ("entry", "item"))
        for m in field_mutations(entity, level, _shape(entity, level))  # type: ignore[arg-type]
    }
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
_hostile = st.sampled_from(
    [LONE_SURROGATE, HUGE_TEXT, "a\x00b", OVERFLOW_LATE, OVERFLOW_EARLY, FUTURE, 2**70, -1, ""]
)


@st.composite
def mutations(draw: st.DrawFn) -> Mutation:
    entity, level, path = draw(st.sampled_from(_TARGETS))
    value = draw(_json | _hostile)
    if level == "item":
        value = draw(st.just(value) | st.sampled_from([INVALID_UTF8, DEEP]))
    if isinstance(value, Raw) and level == "entry" and value is not LONE_SURROGATE:
        value = LONE_SURROGATE
    return Mutation(entity, level, path, f"generated {value!r:.60}", value)  # type: ignore[arg-type]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutation=mutations())
def test_any_value_in_any_field_costs_only_its_record(
    base: Base, tmp_path_factory: pytest.TempPathFactory, mutation: Mutation
) -> None:
    note(str(mutation))
    with a_day(base, tmp_path_factory) as site:
        run_day(site, base, [mutation])


# ---- list pages that cannot be read at all ---------------------------------------------------

# The list endpoints a run reads (the item paths go one segment further).
LIST_PATHS: dict[str, str] = {
    "meeting": r"/committee-meeting/119$",
    "printed_hearing": r"/hearing/119$",
    "committee": r"/committee/119/(house|senate|joint)$",
}


def unreadable_list(day: Site, entity: str) -> None:
    """Every answer of the entity's list is a truncated body, retry after retry."""
    day.replica.faults.fail_next(500, "truncated", path=LIST_PATHS[entity])


@pytest.mark.parametrize("entity", ["meeting", "printed_hearing", "committee"])
def test_an_entry_nested_past_the_decoder_costs_only_itself(
    day: Site, base: Base, entity: Entity
) -> None:
    """The page is read entry by entry: the one entry nested too deeply is set aside (it names
    no record, so it is rejected and counted), and its page-mates apply."""
    stamp = stamp_for(datetime.now(UTC))
    assert stage_day(day, base.cast, [], stamp) == []
    victim = base.cast.pools[entity][0]
    touch(day.corpus, entity, victim, stamp)
    day.replica.overrides.set_list_entry(KIND[entity], victim, DEEP)
    run = day.update()
    day.assert_sound(run)
    assert run.code == 3, (run.code, run.err[-2000:])
    for other in ("meeting", "printed_hearing", "committee"):
        ident = base.cast.mates[other][0]  # type: ignore[index]
        row = day.row(other, ident)
        assert row is not None
        shown = str(row["title"] if other != "committee" else row["name"])
        assert "(revised)" in shown or "(renamed)" in shown, f"{other} {ident} was not applied"


@pytest.mark.parametrize("entity", ["meeting", "printed_hearing", "committee"])
def test_an_entry_holding_a_number_too_long_to_read_costs_only_itself(
    day: Site, base: Base, entity: Entity
) -> None:
    """Python reads no integer of more than 4,300 digits. Such a number in one entry failed the
    whole list, and with it the stage (found by a mutation campaign). The entry is set aside
    under the record its url names, and its page-mates apply."""
    stamp = stamp_for(datetime.now(UTC))
    assert stage_day(day, base.cast, [], stamp) == []
    victim = base.cast.pools[entity][0]
    touch(day.corpus, entity, victim, stamp)
    day.replica.overrides.set_list_entry(
        KIND[entity], victim, lambda entry: {**entry, "extra": Raw(b"1" * 5000)}
    )
    run = day.update()
    day.assert_sound(run)
    assert run.code == 3, (run.code, run.err[-2000:])
    quarantined = day.quarantine()
    key = victim.lower() if entity != "printed_hearing" else f"119/{victim}"
    assert quarantined[(entity, key)]["stage"] == "list"
    for other in ("meeting", "printed_hearing", "committee"):
        ident = base.cast.mates[other][0]  # type: ignore[index]
        row = day.row(other, ident)
        assert row is not None
        shown = str(row["title"] if other != "committee" else row["name"])
        assert "(revised)" in shown or "(renamed)" in shown, f"{other} {ident} was not applied"


@pytest.mark.parametrize("entity", ["meeting", "printed_hearing", "committee"])
def test_a_list_page_that_cannot_be_decoded_fails_its_stage_only(
    day: Site, base: Base, entity: Entity
) -> None:
    """A list that answers only truncated bodies cannot be read, so its stage fails; what the
    other stages committed stays, and the run says so with its own exit code."""
    stamp = stamp_for(datetime.now(UTC))
    assert stage_day(day, base.cast, [], stamp) == []
    unreadable_list(day, entity)
    run = day.update()
    day.assert_sound(run)
    # Neither "all applied" (0), "nothing applied" (1), usage (2) nor "set aside" (3).
    assert run.code == EXIT_PARTIAL not in (0, 1, 2, 3), (run.code, run.err[-2000:])
    assert run.err.strip(), "a failed stage is reported on the console"
    others = [e for e in ("meeting", "printed_hearing", "committee") if e != entity]
    for other in others:
        ident = base.cast.mates[other][0]  # type: ignore[index]
        row = day.row(other, ident)
        assert row is not None
        shown = str(row["title"] if other != "committee" else row["name"])
        assert "(revised)" in shown or "(renamed)" in shown, f"{other} {ident} was not applied"


def test_a_run_whose_every_list_page_is_unreadable_applies_nothing_and_exits_1(
    day: Site, base: Base
) -> None:
    stamp = stamp_for(datetime.now(UTC))
    assert stage_day(day, base.cast, [], stamp) == []
    before = {
        (entity, ident): day.stored(entity, ident)
        for entity, idents in base.cast.mates.items()
        for ident in idents
    }
    for entity in ("meeting", "printed_hearing", "committee"):
        unreadable_list(day, entity)
    run = day.update()
    day.assert_sound(run)
    assert run.code == 1, (run.code, run.err[-2000:])
    assert "Traceback" not in run.err and run.err.strip()
    assert {key: day.stored(*key) for key in before} == before
