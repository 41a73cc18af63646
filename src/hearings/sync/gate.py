"""The gate: the one place where what the API sends becomes either a typed, validated record or a
quarantine entry. Nothing past it sees untrusted data, and no exception raised by that data gets
through it.

Every list entry and every item passes here, for meetings, printed hearings, committees and
members. The gate checks, beyond the models' own types and ranges:
- identity: an item is the record that was requested (id, congress, chamber);
- time: an `updateDate` more than `FUTURE_SKEW` ahead of the run's clock is refused;
- completeness: a committee, member or printed hearing without the fields the store needs is
  refused, so missing data never overwrites a stored good value;
- text: strings are made storable (lone surrogates become U+FFFD, NUL characters are dropped),
  and a string longer than `MAX_TEXT` or nesting deeper than `MAX_DEPTH` is refused.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import ValidationError

from hearings.congress_api.errors import MalformedPayload, NotFound
from hearings.congress_api.models import (
    ApiModel,
    Committee,
    CommitteeSummary,
    Meeting,
    MeetingSummary,
    Member,
    PrintedHearing,
    PrintedHearingSummary,
    chamber_path,
    parse_record,
)
from hearings.store.records import MeetingRows, content_hash, meeting_rows

log = logging.getLogger(__name__)

Entity = Literal["meeting", "printed_hearing", "committee", "member"]
Stage = Literal["list", "fetch", "parse", "validate", "apply"]

FUTURE_SKEW = timedelta(minutes=15)
MAX_TEXT = 100_000
MAX_DEPTH = 32
_EVENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
_SYSTEM_CODE = re.compile(r"[a-z0-9]{2,32}")
_BIOGUIDE_ID = re.compile(r"[A-Z0-9]{1,16}")
_LABELS = {
    "meeting": "meeting",
    "printed_hearing": "printed hearing",
    "committee": "committee",
    "member": "member",
}
# An API URL names its record: /committee-meeting/119/house/115538, /hearing/119/house/59334,
# /committee/house/hsag00, /member/L000174.
_URL_IDS: dict[Entity, re.Pattern[str]] = {
    "meeting": re.compile(r"/committee-meeting/(\d+)/([a-z]+)/([A-Za-z0-9_-]+)"),
    "printed_hearing": re.compile(r"/hearing/(\d+)/([a-z]+)/(\d+)"),
    "committee": re.compile(r"/committee/()([a-z]+)/([A-Za-z0-9]+)"),
    "member": re.compile(r"/member/()()([A-Za-z0-9]+)"),
}


@dataclass(frozen=True, slots=True)
class Request:
    """What the run asked for: a list (no identifier) or one record."""

    entity: Entity
    congress: int | None
    chamber: str | None  # as in an API path: house, senate, joint, nochamber
    identifier: str | None = None

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


# ---- list entries --------------------------------------------------------------------------

_SUMMARIES: dict[Entity, type[ApiModel]] = {
    "meeting": MeetingSummary,
    "printed_hearing": PrintedHearingSummary,
    "committee": CommitteeSummary,
    "member": Member,
}
_ID_KEYS: dict[Entity, str] = {
    "meeting": "eventId",
    "printed_hearing": "jacketNumber",
    "committee": "systemCode",
    "member": "bioguideId",
}


def admit_entry(request: Request, entry: object, *, now: datetime) -> ListResult:
    """One list entry: `Listed`, `Quarantined` (it names its record) or `Unnamed`."""
    identifier = _name_of(request.entity, entry)
    if identifier is None:
        reason = _unnamed_reason(request.entity, entry)
        log.warning("rejected a %s list entry: %s", _LABELS[request.entity], reason)
        return Unnamed(request.entity, reason)
    named = Request(request.entity, request.congress, request.chamber, identifier)
    try:
        cleaned = _storable(entry)
        return _listed(named, cleaned, now)
    except Refused as refusal:
        return _refuse(named, "list", str(refusal), entry, _locator_from_url(named, entry))
    except Exception as exc:
        return _refuse(named, "list", _sentence(exc), entry, _locator_from_url(named, entry))


def _listed(request: Request, entry: Any, now: datetime) -> Listed:
    entity = request.entity
    summary: Any = parse_record(
        _SUMMARIES[entity], entry, entity=_LABELS[entity], identifier=request.identifier
    )
    identifier = _identifier_of(entity, summary)
    congress = getattr(summary, "congress", None) if entity != "member" else None
    if request.congress is not None and congress is not None and congress != request.congress:
        raise Refused(f"listed under congress {request.congress} but says congress {congress}")
    chamber = _entry_chamber(entity, summary, request)
    _check_update_date(summary.update_date, now)
    nested: dict[str, str] = {}
    if entity == "committee":
        for sub in summary.subcommittees:
            if _SYSTEM_CODE.fullmatch(sub.system_code):
                nested[sub.system_code] = chamber or "house"
    return Listed(
        entity, identifier, congress or request.congress, chamber, summary.update_date, nested
    )


def _entry_chamber(entity: Entity, summary: Any, request: Request) -> str | None:
    if entity == "member":
        return None
    raw = summary.chamber
    if raw is None:
        return request.chamber
    try:
        chamber = chamber_path(raw)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    if request.chamber is not None and chamber != request.chamber:
        raise Refused(f"listed under chamber {request.chamber} but says {raw!r}")
    return chamber


def admit_record_entry(request: Request, entry: object, *, now: datetime) -> ItemResult | Unnamed:
    """A list entry that is itself the whole record (member lists): named, then admitted as an
    item."""
    identifier = _name_of(request.entity, entry)
    if identifier is None:
        reason = _unnamed_reason(request.entity, entry)
        log.warning("rejected a %s list entry: %s", _LABELS[request.entity], reason)
        return Unnamed(request.entity, reason)
    named = Request(request.entity, request.congress, request.chamber, identifier)
    return admit_item(named, entry, now=now)


# ---- items ---------------------------------------------------------------------------------

_MODELS: dict[Entity, type[ApiModel]] = {
    "meeting": Meeting,
    "printed_hearing": PrintedHearing,
    "committee": Committee,
    "member": Member,
}


def admit_item(request: Request, fetched: object, *, now: datetime) -> ItemResult:
    """One fetched record (or the error fetching it raised): `Admitted` or `Quarantined`."""
    if isinstance(fetched, BaseException):
        return _fetch_failure(request, fetched)
    try:
        payload = _storable(fetched)
        record: Any = parse_record(
            _MODELS[request.entity],
            payload,
            entity=_LABELS[request.entity],
            identifier=request.identifier,
        )
        record = _CHECKS[request.entity](request, record)
        _check_update_date(record.update_date, now)
        admitted = Admitted(request, record, payload, content_hash(payload))
        if request.entity == "meeting":
            admitted.rows = meeting_rows(record, admitted.content_hash, _naive(now))
            _check_meeting_rows(admitted.rows)
        return admitted
    except MalformedPayload as exc:
        return _refuse(request, "parse", str(exc), fetched)
    except Refused as refusal:
        return _refuse(request, refusal.stage, str(refusal), fetched)
    except Exception as exc:
        return _refuse(request, "parse", _sentence(exc), fetched)


def _fetch_failure(request: Request, error: BaseException) -> Quarantined:
    """A record the API would not give as JSON: quarantined when the record itself is at fault
    (404, a body that is not a readable object); anything else ends the stage."""
    if isinstance(error, MalformedPayload | NotFound):
        body = error.body if isinstance(error, MalformedPayload) else None
        return _refuse(request, "fetch", str(error), body)
    raise error


def _check_meeting(request: Request, meeting: Meeting) -> Meeting:
    _same_id(request, meeting.event_id, "eventId")
    if not _EVENT_ID.fullmatch(meeting.event_id):
        raise Refused(f"eventId {meeting.event_id!r} is not a valid identifier")
    if meeting.chamber not in ("House", "Senate", "NoChamber"):
        raise Refused(f"chamber {meeting.chamber!r} is not House, Senate or NoChamber")
    _same_place(request, meeting.congress, meeting.chamber)
    if meeting.update_date is None:
        raise Refused("updateDate is missing")
    return meeting


def _check_printed_hearing(request: Request, hearing: PrintedHearing) -> PrintedHearing:
    _same_id(request, str(hearing.jacket_number), "jacketNumber")
    _same_place(request, hearing.congress, hearing.chamber)
    if not (hearing.title or "").strip():
        raise Refused("title is missing; the stored printed hearing is kept")
    if hearing.chamber is None and request.chamber is not None:
        hearing = hearing.model_copy(update={"chamber": request.chamber.title()})
    return hearing


def _check_committee(request: Request, committee: Committee) -> Committee:
    _same_id(request, committee.system_code, "systemCode")
    if not _SYSTEM_CODE.fullmatch(committee.system_code):
        raise Refused(f"systemCode {committee.system_code!r} is not a valid committee code")
    if committee.chamber is not None:
        try:
            chamber_path(committee.chamber)
        except ValueError as exc:
            raise Refused(str(exc)) from None
    else:
        committee = committee.model_copy(update={"chamber": request.chamber})
    if not committee.display_name:
        raise Refused("the committee has no name; the stored name is kept")
    return committee


def _check_member(request: Request, member: Member) -> Member:
    _same_id(request, member.bioguide_id, "bioguideId")
    if not _BIOGUIDE_ID.fullmatch(member.bioguide_id):
        raise Refused(f"bioguideId {member.bioguide_id!r} is not a valid identifier")
    if not member.display_name:
        raise Refused("the member has no name; the stored name is kept")
    return member


_CHECKS: dict[Entity, Callable[[Request, Any], Any]] = {
    "meeting": _check_meeting,
    "printed_hearing": _check_printed_hearing,
    "committee": _check_committee,
    "member": _check_member,
}


def _same_id(request: Request, found: str, key: str) -> None:
    wanted = request.identifier
    if wanted is None:
        return
    same = found.lower() == wanted.lower() if key == "systemCode" else found == wanted
    if not same:
        raise Refused(f"{key} {_cut(found)} is not the requested {_cut(wanted)}")


def _same_place(request: Request, congress: int, chamber: str | None) -> None:
    if request.congress is not None and congress != request.congress:
        raise Refused(f"congress {congress} is not the requested congress {request.congress}")
    if request.chamber is None or chamber is None:
        return
    try:
        path = chamber_path(chamber)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    if path != request.chamber:
        raise Refused(f"chamber {chamber!r} is not the requested chamber {request.chamber}")


def _check_update_date(update_date: datetime | None, now: datetime) -> None:
    if update_date is not None and update_date > now.astimezone(UTC) + FUTURE_SKEW:
        raise Refused(f"updateDate {update_date:%Y-%m-%dT%H:%M:%SZ} is in the future")


def _check_meeting_rows(rows: MeetingRows) -> None:
    start = rows.hearing["start_at"]
    if start is not None and not datetime(1900, 1, 1) <= start <= datetime(2200, 1, 1):
        raise Refused(f"date {start:%Y-%m-%d} is out of range")
    for ref in rows.committee_refs:
        if not _SYSTEM_CODE.fullmatch(ref["system_code"]):
            raise Refused(f"committee systemCode {_cut(ref['system_code'])} is not valid")


# ---- text, names and reasons ---------------------------------------------------------------

_SURROGATES = re.compile("[\ud800-\udfff]")


def _storable(value: Any, depth: int = 0) -> Any:
    """A copy every backend can store, or `Refused` for what no record legitimately holds."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise Refused(f"a text field is {len(value):,} characters long (at most {MAX_TEXT:,})")
        if "\x00" in value:
            value = value.replace("\x00", "")
        if not value.isascii() and _SURROGATES.search(value):
            value = _SURROGATES.sub("\ufffd", value)
        return value
    if depth >= MAX_DEPTH and isinstance(value, dict | list):
        raise Refused(f"the record is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        return {_storable(str(k), depth + 1): _storable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v, depth + 1) for v in value]
    return value


def _name_of(entity: Entity, entry: object) -> str | None:
    """The record's identifier, from the entry's own field or else from its `url`."""
    if not isinstance(entry, Mapping):
        return None
    raw = entry.get(_ID_KEYS[entity])
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        text = str(raw).strip()
        text = text.lower() if entity == "committee" else text
        text = text.upper() if entity == "member" else text
        if text and len(text) <= 32 and text.isascii() and text.isprintable():
            return text
    match = _URL_IDS[entity].search(str(entry.get("url") or ""))
    return match.group(3) if match else None


def _locator_from_url(request: Request, entry: object) -> dict[str, Any]:
    """Where to fetch a refused entry's record next run: its `url` knows even when its fields
    are wrong (a chamber of "Hosue")."""
    locator = request.locator
    url = str(entry.get("url") or "") if isinstance(entry, Mapping) else ""
    match = _URL_IDS[request.entity].search(url)
    if match and match.group(3) == request.identifier:
        if match.group(1):
            locator["congress"] = int(match.group(1))
        if match.group(2):
            locator["chamber"] = match.group(2)
    if request.entity == "meeting":
        locator["event_id"] = request.identifier
    return locator


def _unnamed_reason(entity: Entity, entry: object) -> str:
    if not isinstance(entry, Mapping):
        return f"the entry is {type(entry).__name__}, not an object"
    return f"the entry has no usable {_ID_KEYS[entity]} and no API url naming its record"


def _refuse(
    request: Request,
    stage: Stage,
    reason: str,
    payload: object,
    locator: dict[str, Any] | None = None,
) -> Quarantined:
    return Quarantined(
        entity=request.entity,
        identifier=request.identifier or "?",
        stage=stage,
        reason=reason,
        raw_payload=payload,
        locator=locator if locator is not None else request.locator,
    )


def _sentence(exc: BaseException) -> str:
    """One sentence for a failure the models did not phrase themselves."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(record)"
        return f"field {where!r}: {first['msg']}"
    if isinstance(exc, RecursionError):
        return "the record is nested too deeply to read"
    text = str(exc) or type(exc).__name__
    return _cut(f"{type(exc).__name__}: {text}", 300)


def _cut(value: object, limit: int = 40) -> str:
    text = repr(value) if not isinstance(value, str) or limit <= 40 else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _identifier_of(entity: Entity, summary: Any) -> str:
    if entity == "meeting":
        return str(summary.event_id).strip()
    if entity == "printed_hearing":
        return str(summary.jacket_number)
    if entity == "committee":
        return str(summary.system_code).strip().lower()
    return str(summary.bioguide_id)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)
