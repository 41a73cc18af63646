"""Response models of the JSON API's witness and member lists, so /openapi.json documents them
as it does /api/hearings. Field order is the order the JSON has always had: the models describe
the records `as_json` builds (web/entities.py, web/member_entities.py, web/appearances.py),
byte for byte."""

from __future__ import annotations

from pydantic import BaseModel, Field


class WitnessResult(BaseModel):
    witness_id: str
    name: str
    organization: str | None
    organization_url: str | None = Field(
        description="The organization's page (its JSON twin is under /api); null without one."
    )
    appearance_count: int = Field(
        description="Appearances, in the Congresses chosen when `congress` is given."
    )
    last_appearance: str | None = Field(
        description="The latest appearance's meeting start: a UTC time "
        "(`2025-06-11T14:00:00Z`), or a day (`2025-06-24`) when its date came without a time."
    )
    url: str


class WitnessList(BaseModel):
    total: int
    page: int
    per_page: int
    results: list[WitnessResult]
    pages: int
    next: str | None
    previous: str | None


class MemberAppearance(BaseModel):
    """A member's testimony as a witness at one meeting."""

    event_id: str
    congress: int
    title: str | None
    start: str | None
    status: str | None
    name: str
    organization: str | None
    position: str | None


class MemberResult(BaseModel):
    bioguide_id: str
    name: str | None
    party: str | None
    state: str | None
    district: int | None = Field(
        description="The House district; 0 for a state's only seat (at large), null for "
        "senators, delegates and the resident commissioner, as the API has it."
    )
    chamber: str | None = Field(description="`House` or `Senate` (the latest term's).")
    update_date: str | None
    congress_gov_url: str
    witness_appearances: list[MemberAppearance]


class MemberList(BaseModel):
    total: int
    page: int
    per_page: int
    results: list[MemberResult]
    pages: int
    next: str | None
    previous: str | None
