"""What the corpus stores: the kinds of record, one stored record, and the shaping of item
bodies (the envelope key, metadata keys, serialization)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["meeting", "hearing", "committee", "member"]
KINDS: tuple[Kind, ...] = ("meeting", "hearing", "committee", "member")

#: The key of the record inside an item response, per kind.
ITEM_KEY: dict[Kind, str] = {
    "meeting": "committeeMeeting",
    "hearing": "hearing",
    "committee": "committee",
    "member": "member",
}
#: The key of the entries inside a list response, per kind.
LIST_KEY: dict[Kind, str] = {
    "meeting": "committeeMeetings",
    "hearing": "hearings",
    "committee": "committees",
    "member": "members",
}
#: The field holding a record's id, per kind.
ID_FIELD: dict[Kind, str] = {
    "meeting": "eventId",
    "hearing": "jacketNumber",
    "committee": "systemCode",
    "member": "bioguideId",
}


@dataclass(frozen=True, slots=True, eq=False)
class Record:
    """One stored item. `body` is the record without corpus metadata (`_` keys); a scaled clone
    has no body of its own and is rendered from `clone_of` on demand."""

    kind: Kind
    key: str  # lookup id: lowercase
    ident: str  # id as the API spells it
    congresses: tuple[int, ...]
    chamber: str  # path form (`house`); empty for members
    updated: float  # updateDate as epoch seconds, for ordering and windows
    # updateDate as stored: both API formats occur, and a corpus file's may be anything.
    update_date: object
    body: dict[str, Any] | None = None
    clone_of: Record | None = None

    @property
    def sort_key(self) -> tuple[float, int, int, str]:
        # Newest first, then by id (numerically when the id is a number) so pages are stable.
        if self.ident.isdigit():
            return (-self.updated, 0, int(self.ident), "")
        return (-self.updated, 1, 0, self.key)

    @property
    def filed_under(self) -> int | None:
        """The Congress a meeting's or printed hearing's item path names (None for the others)."""
        return self.congresses[0] if self.kind in ("meeting", "hearing") else None


def nested_json(value: object) -> str:
    """`value` as the API serializes it, indented to sit one level inside a response object."""
    return json.dumps(value, indent=4, sort_keys=True, ensure_ascii=False).replace("\n", "\n    ")


def store_key(kind: Kind, key: str, congresses: tuple[int, ...]) -> str:
    # Jacket numbers recur across Congresses; every other id is unique upstream.
    return f"{congresses[0]}/{key}" if kind == "hearing" else key


def unwrap(payload: Mapping[str, Any], kind: Kind) -> dict[str, Any]:
    inner = payload.get(ITEM_KEY[kind])
    chosen = inner if isinstance(inner, Mapping) else payload
    # A JSON round trip detaches the record from the caller's dict and proves it serializable.
    copied: dict[str, Any] = json.loads(json.dumps(chosen, ensure_ascii=False))
    return copied


def strip_meta(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def record_body(payload: Mapping[str, Any], kind: Kind) -> dict[str, Any]:
    return strip_meta(unwrap(payload, kind))


def required(body: Mapping[str, Any], name: str, kind: str) -> Any:
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"a {kind} record needs {name!r}")
    return value
