"""What passes through the gate: a request, and the verdicts on what answered it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from hearings.store.records import MeetingRows

Entity = Literal["meeting", "printed_hearing", "committee", "member"]
Stage = Literal["list", "fetch", "parse", "validate", "apply"]
LABELS: dict[Entity, str] = {
    "meeting": "meeting",
    "printed_hearing": "printed hearing",
    "committee": "committee",
    "member": "member",
}


def record_key(entity: str, congress: int | None, identifier: str) -> str:
    """The name the quarantine and the archive keep a record under: its API identifier, and for a
    printed hearing its Congress before it (`118/51692`), as GPO reuses jacket numbers."""
    if entity == "printed_hearing" and congress is not None:
        return f"{congress}/{identifier}"
    return identifier


def key_parts(entity: str, key: str) -> tuple[int | None, str]:
    """(Congress, API identifier) of a record key; keys of other entities, and printed hearings'
    from before revision 0007, name no Congress."""
    congress, slash, identifier = key.partition("/")
    if entity == "printed_hearing" and slash and congress.isdigit():
        return int(congress), identifier
    return None, key


@dataclass(frozen=True, slots=True)
class Request:
    """What the run asked for: a list (no identifier) or one record."""

    entity: Entity
    congress: int | None
    chamber: str | None  # as in an API path: house, senate, joint, nochamber
    identifier: str | None = None

    @property
    def key(self) -> str | None:
        """The record key (`record_key`), when the request names a record."""
        if self.identifier is None:
            return None
        return record_key(self.entity, self.congress, self.identifier)

    @property
    def locator(self) -> dict[str, Any]:
        found: dict[str, Any] = {"congress": self.congress, "chamber": self.chamber}
        if self.entity == "meeting" and self.identifier is not None:
            found["event_id"] = self.identifier
        return {k: v for k, v in found.items() if v is not None}


@dataclass(slots=True)
class Quarantined:
    """A record the gate refused, with everything the quarantine keeps of it."""

    entity: Entity
    identifier: str
    stage: Stage
    reason: str
    raw_payload: Any
    locator: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Unnamed:
    """A list entry that cannot even name its record: logged, counted, reported."""

    entity: Entity
    reason: str


@dataclass(slots=True)
class Listed:
    """A list entry that passed: enough to decide whether to fetch its record, and to fetch it."""

    entity: Entity
    identifier: str
    congress: int | None
    chamber: str | None
    update_date: datetime | None
    # Committee lists name their subcommittees: code → path chamber.
    nested: dict[str, str] = field(default_factory=dict)

    @property
    def request(self) -> Request:
        return Request(self.entity, self.congress, self.chamber, self.identifier)

    @property
    def key(self) -> str:
        return record_key(self.entity, self.congress, self.identifier)


@dataclass(slots=True)
class Admitted:
    """A record that passed, with its payload's content hash (and, for a meeting, its rows)."""

    request: Request
    record: Any  # Meeting | PrintedHearing | Committee | Member
    payload: dict[str, Any]
    content_hash: str
    rows: MeetingRows | None = None


ListResult = Listed | Quarantined | Unnamed
ItemResult = Admitted | Quarantined


class Refused(Exception):
    """Raised inside the gate only; becomes a `Quarantined`."""

    def __init__(self, reason: str, stage: Stage = "validate"):
        super().__init__(reason)
        self.stage: Stage = stage
