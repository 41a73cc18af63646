"""The gate: the one place where what the API sends becomes either a typed, validated record or a
quarantine entry. Nothing past it sees untrusted data, and no exception raised by that data gets
through it.

Every list entry and every item passes here, for meetings, printed hearings, committees and
members. The gate checks, beyond the models' own types and ranges:
- identity: an item is the record that was requested (id, congress, chamber);
- time: an `updateDate` more than `FUTURE_SKEW` ahead of the run's clock or before 1900, and a
  meeting dated before 1900 or more than five years ahead, are refused (`hearings verify`
  holds stored meetings to the same range);
- completeness: a committee, member or printed hearing without the fields the store needs is
  refused, so missing data never overwrites a stored good value;
- text: strings are made storable (lone surrogates become U+FFFD, NUL characters are dropped),
  and a string longer than `MAX_TEXT`, or nesting too deep to read, is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from hearings.congress_api.committee_models import Committee, CommitteeSummary
from hearings.congress_api.errors import ApiError, ApiUnavailable, MalformedPayload, NotFound
from hearings.congress_api.member_models import Member
from hearings.congress_api.models import (
    ApiModel,
    Meeting,
    MeetingSummary,
    PrintedHearing,
    PrintedHearingSummary,
    chamber_path,
    parse_record,
)
from hearings.congress_api.pages import UndecodableEntry
from hearings.store.records import content_hash, meeting_rows
from hearings.sync.gate.checks import (
    CHECKS,
    SYSTEM_CODE,
    check_meeting_rows,
    check_update_date,
)
from hearings.sync.gate.untrusted import (
    ID_KEYS,
    field_id,
    locator_from_url,
    name_of,
    parts_in_text,
    sentence,
    storable,
    unnamed_reason,
    url_parts,
)
from hearings.sync.gate.verdicts import (
    LABELS,
    Admitted,
    Entity,
    ItemResult,
    Listed,
    ListResult,
    Quarantined,
    Refused,
    Request,
    Stage,
    Unnamed,
    key_parts,
    record_key,
)

__all__ = [
    "Admitted",
    "Entity",
    "ItemResult",
    "ListResult",
    "Listed",
    "Quarantined",
    "Request",
    "Stage",
    "Unnamed",
    "admit_entry",
    "admit_item",
    "admit_record_entry",
    "key_parts",
    "record_key",
]

log = logging.getLogger(__name__)

Redact = Callable[[str], str]


# ---- list entries --------------------------------------------------------------------------

_SUMMARIES: dict[Entity, type[ApiModel]] = {
    "meeting": MeetingSummary,
    "printed_hearing": PrintedHearingSummary,
    "committee": CommitteeSummary,
    "member": Member,
}


def admit_entry(request: Request, entry: object, *, now: datetime) -> ListResult:
    """One list entry: `Listed`, `Quarantined` (it names its record) or `Unnamed`."""
    if isinstance(entry, UndecodableEntry):
        return _unreadable(request, entry)
    named = _named(request, entry)
    if isinstance(named, Unnamed):
        return named
    try:
        _names_one_record(named, entry)
        url_congress, url_chamber, _ = url_parts(named.entity, entry)
        return _listed(named, storable(entry), url_chamber, now, url_congress)
    except Refused as refusal:
        return _refuse(named, "list", str(refusal), entry, locator_from_url(named, entry))
    except Exception as exc:
        return _refuse(named, "list", sentence(exc), entry, locator_from_url(named, entry))


def admit_record_entry(
    request: Request, entry: object, *, now: datetime, redact: Redact = str
) -> ItemResult | Unnamed:
    """A list entry that is itself the whole record (member lists): named, then admitted as an
    item."""
    if isinstance(entry, UndecodableEntry):
        return _unreadable(request, entry)
    named = _named(request, entry)
    if isinstance(named, Unnamed):
        return named
    try:
        _names_one_record(named, entry)
    except Refused as refusal:
        return _refuse(named, "list", str(refusal), entry)
    return admit_item(named, entry, now=now, redact=redact)


def _named(request: Request, entry: object) -> Request | Unnamed:
    """The request for the record an entry names, or `Unnamed` (logged) when it names none."""
    identifier = name_of(request.entity, entry)
    if identifier is not None:
        return Request(request.entity, request.congress, request.chamber, identifier)
    reason = unnamed_reason(request.entity, entry)
    log.warning("rejected a %s list entry: %s", LABELS[request.entity], reason)
    return Unnamed(request.entity, reason)


def _unreadable(request: Request, entry: UndecodableEntry) -> Quarantined | Unnamed:
    """An entry whose JSON could not be read: quarantined under the record its API url names,
    and fetched from there next run; rejected when no url can be found in its text."""
    congress, chamber, identifier = parts_in_text(request.entity, entry.text)
    if identifier is None:
        log.warning("rejected a %s list entry: %s", LABELS[request.entity], entry.reason)
        return Unnamed(request.entity, entry.reason)
    named = Request(request.entity, congress or request.congress, chamber, identifier)
    return _refuse(named, "list", entry.reason, entry.text)


def _names_one_record(request: Request, entry: object) -> None:
    """An entry whose id field and `url` name two different records is neither of them."""
    own = field_id(request.entity, entry) if isinstance(entry, Mapping) else None
    if own is not None and own != request.identifier:
        key = ID_KEYS[request.entity]
        raise Refused(f"its {key} {own!r} is not the record its url names ({request.identifier})")


def _listed(
    request: Request,
    entry: Any,
    url_chamber: str | None,
    now: datetime,
    url_congress: int | None = None,
) -> Listed:
    entity = request.entity
    summary: Any = parse_record(
        _SUMMARIES[entity], entry, entity=LABELS[entity], identifier=request.identifier
    )
    congress = getattr(summary, "congress", None) if entity != "member" else None
    if request.congress is not None and congress is not None and congress != request.congress:
        raise Refused(f"listed under congress {request.congress} but says congress {congress}")
    if request.congress is None and entity in ("meeting", "printed_hearing"):
        # A list across Congresses: each entry says its own, and its url must agree.
        if congress is not None and url_congress is not None and congress != url_congress:
            raise Refused(f"it says congress {congress} but its url names congress {url_congress}")
        congress = congress if congress is not None else url_congress
        if congress is None:
            raise Refused("the entry names no congress, and neither does its url")
    chamber = _entry_chamber(entity, summary.chamber, url_chamber, request)
    check_update_date(summary.update_date, now)
    nested: dict[str, str] = {}
    if entity == "committee":
        for sub in summary.subcommittees:
            if SYSTEM_CODE.fullmatch(sub.system_code):
                nested[sub.system_code] = chamber or "house"
    identifier = request.identifier or ""
    return Listed(
        entity, identifier, congress or request.congress, chamber, summary.update_date, nested
    )


def _entry_chamber(
    entity: Entity, raw: str | None, url_chamber: str | None, request: Request
) -> str | None:
    """The entry's chamber as a path segment. A missing one comes from its url, or the list's."""
    if entity == "member":
        return None
    if raw is None:
        chamber = url_chamber or request.chamber
        if chamber is None:
            raise Refused("the entry names no chamber, and neither does its url")
        return chamber
    try:
        chamber = chamber_path(raw)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    if request.chamber is not None and chamber != request.chamber:
        raise Refused(f"listed under chamber {request.chamber} but says {raw!r}")
    # Fetched from the path of the wrong chamber, the record would answer 404, and a retry from
    # the quarantine there would close it as gone; refused here, it is retried where its url is.
    if url_chamber is not None and chamber != url_chamber:
        raise Refused(f"it says chamber {raw!r} but its url names {url_chamber}")
    return chamber


# ---- items ---------------------------------------------------------------------------------

_MODELS: dict[Entity, type[ApiModel]] = {
    "meeting": Meeting,
    "printed_hearing": PrintedHearing,
    "committee": Committee,
    "member": Member,
}


def admit_item(
    request: Request,
    fetched: object,
    *,
    now: datetime,
    redact: Redact = str,
    known_hash: str | None = None,
    encoded: str | None = None,
) -> ItemResult:
    """One fetched record (or the error fetching it raised): `Admitted` or `Quarantined`.
    A rebuild, which reads each version from the archive, passes what it has already: the
    payload's content hash (`known_hash`) and its JSON text (`encoded`, see `storable`); hashing
    and encoding the payload again cost about a fifth of the parse."""
    if isinstance(fetched, BaseException):
        return _fetch_failure(request, fetched)
    try:
        payload = storable(fetched, redact=redact, encoded=encoded)
        record: Any = parse_record(
            _MODELS[request.entity],
            payload,
            entity=LABELS[request.entity],
            identifier=request.identifier,
        )
        record = CHECKS[request.entity](request, record)
        check_update_date(record.update_date, now)
        admitted = Admitted(request, record, payload, known_hash or content_hash(payload))
        if request.entity == "meeting":
            naive_now = _naive(now)
            admitted.rows = meeting_rows(record, admitted.content_hash, naive_now)
            check_meeting_rows(admitted.rows, naive_now)
        return admitted
    except MalformedPayload as exc:
        return _refuse(request, "parse", str(exc), fetched)
    except Refused as refusal:
        return _refuse(request, refusal.stage, str(refusal), fetched)
    except Exception as exc:
        return _refuse(request, "parse", sentence(exc), fetched)


def _fetch_failure(request: Request, error: BaseException) -> Quarantined:
    """A record the API would not give as JSON: quarantined when the record alone may be at fault
    (404 or another refusal of its own path, an unreadable body, a 5xx or timeout after every
    retry); anything else (a rejected key, the rate limit, the run's budget) ends the stage.
    An outage across records is `fetch_in_order`'s to catch, not the gate's."""
    if isinstance(error, ApiUnavailable) or _refused_path(error):
        return _refuse(request, "fetch", str(error), None)
    if isinstance(error, MalformedPayload | NotFound):
        body = error.body if isinstance(error, MalformedPayload) else None
        return _refuse(request, "fetch", str(error), body)
    raise error


def _refused_path(error: BaseException) -> bool:
    """An answer such as 400, 410 or a redirect for this record's path alone: the next run asks
    again, and ending the stage for it would end every run's stage for as long as it lasts."""
    return type(error) is ApiError and error.status is not None


def _refuse(
    request: Request,
    stage: Stage,
    reason: str,
    payload: object,
    locator: dict[str, Any] | None = None,
) -> Quarantined:
    return Quarantined(
        entity=request.entity,
        identifier=request.key or "?",
        stage=stage,
        reason=reason,
        raw_payload=payload,
        locator=locator if locator is not None else request.locator,
    )


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)
