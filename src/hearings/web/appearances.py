"""A witness's appearances at meetings, each with its meeting's title, start and Congress: read
by the witness, organization and member pages and their JSON twins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from hearings.store import schema
from hearings.store.meeting_start import Start, shown_start
from hearings.web.timefmt import iso_z

hearings = schema.hearings
_APPEARANCE_COLUMNS = (
    schema.witness_appearances.c.witness_id,
    schema.witness_appearances.c.event_id,
    schema.witness_appearances.c.name_as_given,
    schema.witness_appearances.c.organization,
    schema.witness_appearances.c.position,
    hearings.c.title,
    hearings.c.start_at,
    hearings.c.status,
    hearings.c.chamber,
    hearings.c.congress,
    hearings.c.start_date_only,
)


@dataclass
class AppearanceRow:
    witness_id: str
    event_id: str
    name: str
    organization: str | None
    position: str | None
    title: str | None
    start_at: datetime | None
    status: str | None
    chamber: str
    congress: int
    start_date_only: bool = False

    @property
    def start(self) -> Start | None:
        """The meeting's start as given: a moment, or a day without a time."""
        return shown_start(self.start_at, self.start_date_only)

    def as_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "congress": self.congress,
            "title": self.title,
            "start": iso_z(self.start),
            "status": self.status,
            "name": self.name,
            "organization": self.organization,
            "position": self.position,
        }


def _appearance(row: Any) -> AppearanceRow:
    return AppearanceRow(
        row.witness_id,
        row.event_id,
        row.name_as_given,
        row.organization,
        row.position,
        row.title,
        row.start_at,
        row.status,
        row.chamber,
        int(row.congress),
        bool(row.start_date_only),
    )


def appearances_of(connection: Connection, witness_ids: list[str]) -> list[AppearanceRow]:
    if not witness_ids:
        return []
    appearances = schema.witness_appearances
    return [
        _appearance(r)
        for r in connection.execute(
            select(*_APPEARANCE_COLUMNS)
            .join(hearings, hearings.c.event_id == appearances.c.event_id)
            .where(appearances.c.witness_id.in_(witness_ids))
            .order_by(hearings.c.start_at, appearances.c.event_id)
        )
    ]


def date_span(appearances: Sequence[AppearanceRow]) -> tuple[Start | None, Start | None]:
    """The starts of the first and the last dated appearance, as given."""
    dated = sorted((a for a in appearances if a.start_at), key=lambda a: a.start_at or datetime.min)
    return (dated[0].start, dated[-1].start) if dated else (None, None)
