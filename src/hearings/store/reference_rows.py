"""The rows of the records meetings refer to: committees, members and printed hearings, one row
each, from their parsed API records."""

from __future__ import annotations

from datetime import datetime

from hearings.congress_api.committee_models import Committee
from hearings.congress_api.member_models import Member
from hearings.congress_api.models import PrintedHearing
from hearings.store.records import Row, utc_naive


def committee_row(committee: Committee, payload_hash: str, now: datetime) -> Row:
    return {
        "system_code": committee.system_code,
        "name": committee.display_name,
        "chamber": committee.chamber.title() if committee.chamber else None,
        "committee_type": committee.committee_type,
        "parent_code": committee.parent.system_code if committee.parent else None,
        "is_current": committee.is_current,
        "url": committee.url,
        "update_date": utc_naive(committee.update_date),
        "content_hash": payload_hash,
        "first_seen_at": now,
        "last_changed_at": now,
    }


def member_row(member: Member, payload_hash: str, now: datetime) -> Row:
    district = member.district
    if district is None and member.terms:
        district = member.terms[-1].district
    first_name, last_name = member.first_and_last_name
    return {
        "bioguide_id": member.bioguide_id,
        "name": member.display_name,
        "first_name": first_name,
        "last_name": last_name,
        "party": member.party,
        "state": member.state,
        "district": district,
        "chamber": member.latest_chamber,
        "image_url": member.depiction.image_url if member.depiction else None,
        "update_date": utc_naive(member.update_date),
        "content_hash": payload_hash,
        "first_seen_at": now,
        "last_changed_at": now,
    }


def printed_hearing_row(hearing: PrintedHearing, payload_hash: str, now: datetime) -> Row:
    return {
        "jacket_number": hearing.jacket_number,
        "congress": hearing.congress,
        "chamber": hearing.chamber,
        "title": hearing.title,
        "citation": hearing.citation,
        "library_of_congress_id": hearing.library_of_congress_id,
        "associated_event_id": (
            hearing.associated_meeting.event_id if hearing.associated_meeting else None
        ),
        "dates": [d.date.isoformat() for d in hearing.dates if d.date],
        "formats": [{"type": f.format_type, "url": f.url} for f in hearing.formats],
        "committee_codes": [c.system_code for c in hearing.committees],
        "update_date": utc_naive(hearing.update_date),
        "content_hash": payload_hash,
        "first_seen_at": now,
        "last_changed_at": now,
    }
