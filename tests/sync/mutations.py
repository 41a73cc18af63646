"""Malformed input for the untrusted-input tests: what upstream can get wrong in a list entry or an
item, for meetings, printed hearings, committees and members, and the good changes of the same
day that must be applied whatever else is wrong.

A `Mutation` names an entity, a level (`entry` of a list page, or `item`), a field path and a
value. `apply` makes the victim a real change of the day (so that "applied" is visible), then
has the replica serve it mutated.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from hearings.replica import Corpus, ReplicaServer
from hearings.replica.corpus import Kind
from hearings.replica.overrides import Raw

Entity = Literal["meeting", "printed_hearing", "committee", "member"]
Level = Literal["entry", "item", "body"]
KIND: dict[Entity, Kind] = {
    "meeting": "meeting",
    "printed_hearing": "hearing",
    "committee": "committee",
    "member": "member",
}
ENTITIES: tuple[Entity, ...] = ("meeting", "printed_hearing", "committee", "member")
ID_FIELD = {
    "meeting": "eventId",
    "printed_hearing": "jacketNumber",
    "committee": "systemCode",
    "member": "bioguideId",
}


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
#: A JSON value nested deeper than Python's decoder can follow.
DEEP = Raw(b"[" * 100_000 + b"]" * 100_000)
LONE_SURROGATE = Raw(b'"text \\ud800 with a lone surrogate"')
INVALID_UTF8 = Raw(b'"bytes \xff\xfe\xc3 that are not UTF-8"')
HUGE_TEXT = "H" * 1_000_000
#: Dates whose offset moves them past what `datetime` can hold.
OVERFLOW_LATE = "9999-12-31T23:59:59-05:00"
OVERFLOW_EARLY = "0001-01-01T00:00:00+05:00"
FUTURE = "2099-06-01T12:00:00Z"

#: How a victim may end. `either`: quarantined with its row unchanged, or applied sensibly.
#: `quarantine`: only quarantine will do. `unnamed`: the entry cannot name its record, so it
#: is counted in `list_entries_rejected` (or quarantined under the id its url gives).
Expect = Literal["either", "quarantine", "unnamed"]


@dataclass(frozen=True)
class Mutation:
    entity: Entity
    level: Level
    path: str  # dotted field path ("witnesses.0.name"); "" is the whole entry, item or body
    label: str
    value: Any = field(compare=False)
    expect: Expect = "either"

    def __str__(self) -> str:
        return f"{self.entity} {self.level} {self.path or '(whole)'}: {self.label}"


def set_path(target: Any, path: str, value: Any) -> Any:
    """`target` with the field at `path` replaced by `value` (removed, for MISSING)."""
    if not path:
        return value
    head, _, rest = path.partition(".")
    if isinstance(target, list):
        index = int(head)
        if index >= len(target):
            return target
        target[index] = set_path(target[index], rest, value)
        return target
    if not isinstance(target, dict):
        return target
    if rest:
        if head in target:
            target[head] = set_path(target[head], rest, value)
    elif value is MISSING:
        target.pop(head, None)
    else:
        target[head] = value
    return target


def variants(name: str, original: Any, level: Level = "item") -> list[tuple[str, Any]]:
    """Wrong type, null, missing, out of range, extreme size and hostile text for one field.

    In a list entry, bytes that are not UTF-8 and nesting past the decoder spoil the whole
    page, not one entry; `test_untrusted_input` covers those pages on their own."""
    found: list[tuple[str, Any]] = [("missing", MISSING), ("null", None)]
    if isinstance(original, bool):
        found += [("a string for a bool", "yes")]
    elif isinstance(original, int):
        found += [("a string for an int", "not a number"), ("a float", 1.5)]
        found += [("negative", -1), ("beyond 64 bits", 2**70)]
    elif isinstance(original, str):
        found += [("a number for text", 12345), ("a list for text", ["a", "list"])]
        found += [("empty text", ""), ("huge text", HUGE_TEXT), ("NUL in text", "a\x00b")]
        found += [("a lone surrogate", LONE_SURROGATE)]
        if level != "entry":
            found += [("invalid UTF-8", INVALID_UTF8)]
        if name.endswith(("Date", "date")):
            found += [("late overflow", OVERFLOW_LATE), ("early overflow", OVERFLOW_EARLY)]
            found += [("not a date", "the day after tomorrow"), ("year 2099", FUTURE)]
    elif isinstance(original, list):
        found += [("an object for a list", {"item": original}), ("text for a list", "x")]
        found += [("entries that are not objects", [1, "two", None, [3]])]
        found += [("extreme length", original * 1000 if original else [{}] * 1000)]
    elif isinstance(original, dict):
        found += [("text for an object", "x"), ("a list for an object", [original])]
    if level != "entry":
        found += [("deep nesting", DEEP)]
    return found


def field_mutations(entity: Entity, level: Level, record: dict[str, Any]) -> list[Mutation]:
    """Every variant of every top-level field of `record`, and of one level below."""
    found = []
    for name, original in sorted(record.items()):
        paths = [(name, original)]
        if isinstance(original, dict):
            paths += [(f"{name}.{k}", v) for k, v in sorted(original.items())]
        elif isinstance(original, list) and original and isinstance(original[0], dict):
            paths += [(f"{name}.0.{k}", v) for k, v in sorted(original[0].items())]
        for path, value in paths:
            for label, replacement in variants(path.rsplit(".", 1)[-1], value, level):
                expect: Expect = "either"
                if level == "item" and label == "year 2099" and path == "updateDate":
                    expect = "quarantine"
                found.append(Mutation(entity, level, path, label, replacement, expect))
    return found


# ---- the victims and the good changes of the day -------------------------------------------


def touch(corpus: Corpus, entity: Entity, ident: str, stamp: str) -> None:
    """Make the record a real change of the day: new text and a fresh `updateDate`."""
    kind = KIND[entity]
    body = corpus.get(kind, ident)
    assert body is not None, (entity, ident)
    body["updateDate"] = stamp
    if entity in ("meeting", "printed_hearing"):
        body["title"] = f"{body.get('title') or 'Untitled'} (revised)"
    elif entity == "committee":
        for entry in body.get("history") or []:
            entry["libraryOfCongressName"] = f"{entry.get('libraryOfCongressName')} (renamed)"
            entry["officialName"] = f"{entry.get('officialName')} (renamed)"
    else:
        body["invertedOrderName"] = f"{body['invertedOrderName']} (renamed)"
        body["directOrderName"] = f"{body['directOrderName']} (renamed)"
    put: dict[Kind, Callable[..., str]] = {
        "meeting": corpus.put_meeting,
        "hearing": corpus.put_printed_hearing,
        "committee": corpus.put_committee,
        "member": corpus.put_member,
    }
    record = corpus.record(kind, ident)
    assert record is not None
    if kind in ("committee",):
        put[kind](body, chamber=record.chamber)
    else:
        put[kind](body)


def apply(replica: ReplicaServer, mutation: Mutation, victim: str, stamp: str) -> None:
    """Touch the victim, then serve its entry, item or whole item body mutated."""
    touch(replica.corpus, mutation.entity, victim, stamp)
    kind = KIND[mutation.entity]
    value = mutation.value

    def mutate(record: Any) -> Any:
        return set_path(copy.deepcopy(record), mutation.path, value)

    if mutation.level == "entry":
        replica.overrides.set_list_entry(kind, victim, mutate)
    elif mutation.level == "item":
        replica.overrides.set_item(kind, victim, mutate)
    else:
        replica.overrides.set_item_body(kind, victim, value)


def identity_mutations(other: dict[Entity, str]) -> list[Mutation]:
    """An item that is not the record requested: another id, another congress or chamber."""
    found = []
    for entity in ENTITIES:
        if entity == "member":
            continue  # members are read from the member list; no member item is requested
        other_id: Any = int(other[entity]) if entity == "printed_hearing" else other[entity]
        found.append(
            Mutation(
                entity, "item", ID_FIELD[entity], "another record's id", other_id, "quarantine"
            )
        )
    for entity in ("meeting", "printed_hearing"):
        found.append(Mutation(entity, "item", "congress", "another congress", 118, "quarantine"))
        found.append(
            Mutation(entity, "item", "chamber", "the other chamber", "Senate", "quarantine")
        )
    return found


def body_mutations(entity: Entity) -> list[Mutation]:
    """Item responses that are not the record at all."""
    bodies = {
        "not JSON": b"<html><body>Service Unavailable</body></html>",
        "invalid UTF-8": b'{"x": "\xff\xfe"}',
        "nested past the decoder": b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "an empty object": b"{}",
        "the record is null": b'{"%s": null}' % _item_key(entity).encode(),
        "the record is a list": b'{"%s": [1, 2]}' % _item_key(entity).encode(),
        "the record is text": b'{"%s": "gone"}' % _item_key(entity).encode(),
    }
    return [Mutation(entity, "body", "", label, body) for label, body in bodies.items()]


def unnamed_entry_mutations(entity: Entity) -> list[Mutation]:
    """List entries that cannot name their record."""
    id_field = ID_FIELD[entity]
    found = [
        Mutation(entity, "entry", "", label, value, "unnamed")
        for label, value in [
            ("a number, not an object", 42),
            ("text, not an object", "an entry"),
            ("null, not an object", None),
            ("a list, not an object", [1, 2]),
        ]
    ]
    no_id = {"updateDate": "2026-01-01T00:00:00Z", "congress": 119}
    found.append(Mutation(entity, "entry", "", "no id and no url", no_id, "unnamed"))
    found.append(
        Mutation(entity, "entry", "", "an empty id and no url", {**no_id, id_field: ""}, "unnamed")
    )
    return found


def _item_key(entity: Entity) -> str:
    return {
        "meeting": "committeeMeeting",
        "printed_hearing": "hearing",
        "committee": "committee",
        "member": "member",
    }[entity]
