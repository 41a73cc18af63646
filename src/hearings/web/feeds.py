"""iCalendar and Atom feeds of meetings, overall and per committee.

iCalendar: one VEVENT per dated meeting; a meeting whose date came without a time is an all-day
event (`DTSTART;VALUE=DATE`), not one at a made-up midnight. A canceled meeting is
`STATUS:CANCELLED`; a postponed one is `TENTATIVE`. `SEQUENCE` is the meeting's version number: how
many versions of it the payload archive holds (0 when none), so every change raises it and an
unchanged meeting keeps its number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from markupsafe import Markup
from sqlalchemy import Connection, select

from hearings.congresses import CongressSelection
from hearings.direction_controls import closed_text
from hearings.store import schema
from hearings.store.meeting_start import Start
from hearings.web.detail import meeting_url
from hearings.web.filters import HearingFilters
from hearings.web.listing import HearingSummary, find_hearings
from hearings.web.timefmt import as_utc, format_eastern

ICS_LIMIT = 1000
ATOM_LIMIT = 100
# The API gives a start but no end; calendars need one.
ASSUMED_DURATION = timedelta(hours=2)
PRODID = "-//hearings//Congressional committee hearings//EN"


def feed_meetings(
    connection: Connection,
    committee: str | None,
    *,
    sort: str,
    limit: int,
    congress: CongressSelection | None = None,
) -> list[HearingSummary]:
    """The meetings of a feed: the `limit` latest by date (`newest`) or by change (`updated`)."""
    filters = HearingFilters(congress=congress, committee=committee, sort=sort, per_page=limit)
    return find_hearings(connection, filters, limit=limit, offset=0).rows


# What XML 1.0 cannot carry (section 2.2), not even as a character reference: C0 controls but
# tab and line breaks, lone surrogates, U+FFFE and U+FFFF. One in a feed makes it malformed, and a
# feed reader then drops the whole feed, so such characters are removed.
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_legal(text: str) -> str:
    """`text` without the characters XML 1.0 forbids; still `Markup` when it was (escaped)."""
    cleaned = _XML_ILLEGAL.sub("", text)
    return Markup(cleaned) if isinstance(text, Markup) else cleaned


def ics_text(value: str) -> str:
    """`value` as an iCalendar TEXT value: escaped, line breaks as \\n, and no control character
    but tab (RFC 5545 3.3.11 excludes them; some calendars refuse the whole file)."""
    return (
        xml_legal(value)
        .replace("\x7f", "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    pieces: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, 74
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _stamp(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y%m%dT%H%M%SZ")


def _start_and_end(start: Start | None) -> list[str]:
    """DTSTART and DTEND: a moment and ASSUMED_DURATION after it, or a whole day (DTEND is the
    next day: RFC 5545 3.6.1 ends a day event before it)."""
    if isinstance(start, datetime):
        return [f"DTSTART:{_stamp(start)}", f"DTEND:{_stamp(start + ASSUMED_DURATION)}"]
    if start is None:
        raise ValueError("a meeting without a date has no event")
    return [
        f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
        f"DTEND;VALUE=DATE:{start + timedelta(days=1):%Y%m%d}",
    ]


_ICS_STATUS = {"canceled": "CANCELLED", "cancelled": "CANCELLED", "postponed": "TENTATIVE"}


def ics_event(meeting: HearingSummary, base_url: str, sequence: int) -> list[str]:
    status = (meeting.status or "").lower()
    # Each value from the API closes the direction it opens: an override never closed reversed
    # what follows it on its line, the building after the room, the committees after the first.
    title = meeting.title or meeting.meeting_type or "Committee meeting"
    summary = closed_text(" ".join(title.split()))
    if status in ("canceled", "cancelled", "postponed"):
        summary = f"[{closed_text(meeting.status or '')}] {summary}"
    place = ", ".join(closed_text(p) for p in (meeting.room, meeting.building) if p)
    committees = "; ".join(closed_text(name or code) for code, name in meeting.committees)
    # The id comes from the API: quoted into the URL, so no line break can start a property.
    event_id = quote(str(meeting.event_id), safe="")
    page = f"{base_url}/hearings/{event_id}"
    description = "\n".join(
        part
        for part in (
            committees,
            format_eastern(meeting.start),
            f"Status: {closed_text(meeting.status)}" if meeting.status else "",
            page,
            meeting_url(meeting.congress, meeting.chamber, meeting.event_id),
        )
        if part
    )
    lines = [
        "BEGIN:VEVENT",
        f"UID:meeting-{event_id}@hearings",
        f"DTSTAMP:{_stamp(meeting.last_changed_at)}",
        *_start_and_end(meeting.start),
        f"SUMMARY:{ics_text(summary)}",
        f"DESCRIPTION:{ics_text(description)}",
        f"URL:{page}",
        f"STATUS:{_ICS_STATUS.get(status, 'CONFIRMED')}",
        f"SEQUENCE:{sequence}",
        f"CREATED:{_stamp(meeting.first_seen_at)}",
        f"LAST-MODIFIED:{_stamp(meeting.last_changed_at)}",
    ]
    if place:
        lines.append(f"LOCATION:{ics_text(place)}")
    if meeting.meeting_type:
        lines.append(f"CATEGORIES:{ics_text(meeting.meeting_type)}")
    lines.append("END:VEVENT")
    return lines


def render_ics(
    meetings: Sequence[HearingSummary],
    *,
    name: str,
    base_url: str,
    sequences: Mapping[str, int],
) -> str:
    """The calendar; `sequences` are the meetings' version numbers by event id."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_text(name)}",
    ]
    for meeting in meetings:
        if meeting.start_at is not None:
            lines.extend(ics_event(meeting, base_url, sequences.get(meeting.event_id, 0)))
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


@dataclass
class AtomEntry:
    meeting: HearingSummary
    is_new: bool


def atom_entries(meetings: Sequence[HearingSummary]) -> list[AtomEntry]:
    return [AtomEntry(m, as_utc(m.first_seen_at) == as_utc(m.last_changed_at)) for m in meetings]


def committee_name(connection: Connection, code: str) -> str | None:
    committees = schema.committees
    row = connection.execute(
        select(committees.c.name).where(committees.c.system_code == code)
    ).first()
    return None if row is None else (row.name or code)
