"""The gate's checks beyond the models' own types and ranges: identity, time, completeness."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from hearings.congress_api.committee_models import Committee
from hearings.congress_api.member_models import Member
from hearings.congress_api.models import Meeting, PrintedHearing, chamber_path
from hearings.store.records import MeetingRows
from hearings.sync.gate.untrusted import cut
from hearings.sync.gate.verdicts import Entity, Refused, Request

FUTURE_SKEW = timedelta(minutes=15)
# The range of dates a stored meeting may hold, which `hearings verify` checks too: a Congress
# sits two years, so no meeting is scheduled five years ahead, and no record predates 1900.
EARLIEST_DATE = datetime(1900, 1, 1)
_EARLIEST_UTC = EARLIEST_DATE.replace(tzinfo=UTC)  # made once: `replace` is slow
LATEST_AHEAD = timedelta(days=5 * 366)
# A plain number, as every eventId the API has sent: `hearings verify` calls any other a problem,
# and the search index keys a meeting's row by the number, so `0117838` would be `117838`.
EVENT_ID = re.compile(r"[1-9][0-9]{0,31}")
SYSTEM_CODE = re.compile(r"[a-z0-9]{2,32}")
# A letter and six digits: L000174.
BIOGUIDE_ID = re.compile(r"[A-Z][0-9]{6}")
# The widths of the columns that hold ids another record names (store/schema.py): PostgreSQL
# refuses a longer value, which would fail a whole stage or batch, not the one record.
ASSOCIATED_EVENT_ID_WIDTH = 32
BILL_ID_WIDTH = 48


def check_meeting(request: Request, meeting: Meeting) -> Meeting:
    _same_id(request, meeting.event_id, "eventId")
    if not EVENT_ID.fullmatch(meeting.event_id):
        raise Refused(f"eventId {cut(meeting.event_id)} is not a plain number")
    if meeting.chamber not in ("House", "Senate", "NoChamber"):
        raise Refused(f"chamber {meeting.chamber!r} is not House, Senate or NoChamber")
    _same_place(request, meeting.congress, meeting.chamber)
    if meeting.update_date is None:
        raise Refused("updateDate is missing")
    return meeting


def check_printed_hearing(request: Request, hearing: PrintedHearing) -> PrintedHearing:
    _same_id(request, str(hearing.jacket_number), "jacketNumber")
    _same_place(request, hearing.congress, hearing.chamber)
    if not _readable(hearing.title):
        title = _unreadable(hearing.title)
        raise Refused(f"title is missing{title}; the stored printed hearing is kept")
    associated = hearing.associated_meeting.event_id if hearing.associated_meeting else None
    if associated is not None and len(associated) > ASSOCIATED_EVENT_ID_WIDTH:
        raise Refused(f"associatedMeeting eventId {cut(associated)} is too long to be an eventId")
    if hearing.chamber is None and request.chamber is not None:
        hearing = hearing.model_copy(update={"chamber": request.chamber.title()})
    return hearing


def check_committee(request: Request, committee: Committee) -> Committee:
    _same_id(request, committee.system_code, "systemCode")
    if not SYSTEM_CODE.fullmatch(committee.system_code):
        raise Refused(f"systemCode {committee.system_code!r} is not a valid committee code")
    if committee.chamber is not None:
        _same_place(request, None, committee.chamber)
    else:
        committee = committee.model_copy(update={"chamber": request.chamber})
    if not _readable(committee.display_name):
        name = _unreadable(committee.display_name)
        raise Refused(f"the committee has no name{name}; the stored name is kept")
    parent = committee.parent
    if parent is not None and not SYSTEM_CODE.fullmatch(parent.system_code):
        raise Refused(f"parent systemCode {cut(parent.system_code)} is not a valid committee code")
    return committee


def check_member(request: Request, member: Member) -> Member:
    _same_id(request, member.bioguide_id, "bioguideId")
    if not BIOGUIDE_ID.fullmatch(member.bioguide_id):
        raise Refused(f"bioguideId {member.bioguide_id!r} is not a valid identifier")
    if not _readable(member.display_name):
        name = _unreadable(member.display_name)
        raise Refused(f"the member has no name{name}; the stored name is kept")
    return member


def _readable(text: str | None) -> bool:
    """A name or title has a letter or digit in it, in any script: punctuation or invisible
    characters alone ("," or a zero-width space, which `strip` keeps) are no name, and would
    replace a stored one."""
    return text is not None and any(character.isalnum() for character in text)


def _unreadable(text: str | None) -> str:
    """What a refusal says of a name or title given without a letter or digit."""
    return f" ({cut(text)} has no letter or digit)" if text else ""


CHECKS: dict[Entity, Callable[[Request, Any], Any]] = {
    "meeting": check_meeting,
    "printed_hearing": check_printed_hearing,
    "committee": check_committee,
    "member": check_member,
}


def _same_id(request: Request, found: str, key: str) -> None:
    wanted = request.identifier
    if wanted is None:
        return
    same = found.lower() == wanted.lower() if key == "systemCode" else found == wanted
    if not same:
        raise Refused(f"{key} {cut(found)} is not the requested {cut(wanted)}")


def _same_place(request: Request, congress: int | None, chamber: str | None) -> None:
    if request.congress is not None and congress is not None and congress != request.congress:
        raise Refused(f"congress {congress} is not the requested congress {request.congress}")
    if chamber is None:
        return
    try:
        path = chamber_path(chamber)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    if request.chamber is not None and path != request.chamber:
        raise Refused(f"chamber {chamber!r} is not the requested chamber {request.chamber}")


def check_update_date(update_date: datetime | None, now: datetime) -> None:
    if update_date is None:
        return
    if update_date > now.astimezone(UTC) + FUTURE_SKEW:
        raise Refused(f"updateDate {update_date:%Y-%m-%dT%H:%M:%SZ} is in the future")
    if update_date < _EARLIEST_UTC:
        raise Refused(f"updateDate {update_date:%Y-%m-%dT%H:%M:%SZ} is before 1900")


def check_meeting_rows(rows: MeetingRows, now: datetime) -> None:
    """What `hearings verify` holds a stored meeting to, checked on its rows before they are
    written. `now` is naive UTC, as the rows' times are."""
    start = rows.hearing["start_at"]
    if start is not None and not EARLIEST_DATE <= start <= now + LATEST_AHEAD:
        raise Refused(f"date {start:%Y-%m-%d} is out of range")
    for ref in rows.committee_refs:
        if not SYSTEM_CODE.fullmatch(ref["system_code"]):
            raise Refused(f"committee systemCode {cut(ref['system_code'])} is not valid")
    for ordinal, bill in enumerate(rows.bills, start=1):
        if not bill["bill_type"] or not bill["number"]:
            raise Refused(f"bill {ordinal} of relatedItems has no type or no number")
        if len(bill["bill_id"]) > BILL_ID_WIDTH:
            raise Refused(f"bill {ordinal} of relatedItems has a type or number too long")
    nameless = {w["witness_id"] for w in rows.witnesses if not _has_name(w)}
    for appearance in rows.appearances:
        if appearance["witness_id"] in nameless:
            given = cut(appearance["name_as_given"])
            raise Refused(f"witness {appearance['ordinal'] + 1} has no name (given as {given})")


def _has_name(witness: Mapping[str, Any]) -> bool:
    """A witness `hearings verify` accepts: a name to show and one to know the person by (a
    title or punctuation alone gives neither)."""
    shown, known = witness["display_name"], witness["normalized_name"]
    return bool((shown or "").strip() and (known or "").strip())
