"""Scaled corpora: clones of the sample meetings under fresh event ids, each stored as an id and
a date and rendered from its template's serialized body on demand."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from hearings.replica.records import Record, nested_json

# Scaled clones get event ids from here up, above any real event id (House ~119,000, Senate
# ~337,000 in 2025-26).
_CLONE_FIRST_ID = 1_000_000
_CLONE_SPREAD = timedelta(days=365)

#: A template's body as served to its clones, and the pattern matching its event id in it.
CloneTemplate = tuple[str, re.Pattern[str]]


def scaled_meetings(meetings: Iterable[Record], n_meetings: int) -> dict[str, Record]:
    """Exactly `n_meetings` meetings: the originals (newest first) first, then clones of them
    under fresh event ids, with updateDates spread over the year before the newest original."""
    if n_meetings < 0:
        raise ValueError("n_meetings must not be negative")
    originals = sorted(meetings, key=lambda r: r.sort_key)
    templates = [r.clone_of or r for r in originals]
    scaled: dict[str, Record] = {r.key: r for r in originals[:n_meetings]}
    needed = n_meetings - len(scaled)
    if needed > 0 and not templates:
        raise ValueError("cannot scale a corpus that has no meetings")
    newest = originals[0].updated if originals else 0.0
    step = _CLONE_SPREAD.total_seconds() / max(needed, 1)
    numeric = [int(r.ident) for r in originals if r.ident.isdigit()]
    next_id = max([_CLONE_FIRST_ID, *(n + 1 for n in numeric)])
    for i in range(max(needed, 0)):
        template = templates[i % len(templates)]
        updated = float(int(newest - (i + 1) * step))
        ident = str(next_id)
        next_id += 1
        scaled[ident] = Record(
            kind="meeting",
            key=ident,
            ident=ident,
            congresses=template.congresses,
            chamber=template.chamber,
            updated=updated,
            update_date=datetime.fromtimestamp(updated, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            clone_of=template,
        )
    return scaled


def clone_template(template: Record) -> CloneTemplate:
    """What every clone of `template` is rendered from (computed once per template)."""
    # Clones drop `hearingTranscript` so each printed hearing keeps one meeting.
    shown = {k: v for k, v in (template.body or {}).items() if k != "hearingTranscript"}
    # The event id also appears inside document and video URLs; rewrite those too so a clone
    # does not point at its template's files.
    pattern = re.compile(rf'(?<=[/"]){re.escape(template.ident)}(?=[/"?])')
    return nested_json(shown), pattern


def clone_text(record: Record, template: Record, rendered: CloneTemplate) -> str:
    """The clone `record` serialized like an item response's record."""
    text, pattern = rendered
    # Top-level keys of the nested record sit at 8 spaces; deeper `updateDate`s are untouched.
    old_date = f'\n        "updateDate": {json.dumps(template.update_date, ensure_ascii=False)}'
    new_date = f'\n        "updateDate": {json.dumps(record.update_date, ensure_ascii=False)}'
    return pattern.sub(record.ident, text).replace(old_date, new_date, 1)
