"""Typed models of the API's members of Congress: a member as fetched or listed, their terms,
party history and portrait."""

from __future__ import annotations

from pydantic import Field, field_validator

from hearings.congress_api.member_names import direct_order, split_inverted_name
from hearings.congress_api.values import (
    ApiDateTime,
    ApiModel,
    Identifier,
    ItemList,
    OptionalNumber,
    Text,
)


class PartyHistory(ApiModel):
    party_name: Text = Field(default=None, alias="partyName")
    party_abbreviation: Text = Field(default=None, alias="partyAbbreviation")
    start_year: OptionalNumber = Field(default=None, alias="startYear")


class Term(ApiModel):
    chamber: Text = None
    congress: OptionalNumber = None
    start_year: OptionalNumber = Field(default=None, alias="startYear")
    end_year: OptionalNumber = Field(default=None, alias="endYear")
    state_code: Text = Field(default=None, alias="stateCode")
    district: OptionalNumber = None


class Depiction(ApiModel):
    image_url: Text = Field(default=None, alias="imageUrl")
    attribution: Text = None


class Member(ApiModel):
    """A member (`GET /member/{bioguideId}`) or a member-list entry; the two share these keys."""

    bioguide_id: Identifier = Field(alias="bioguideId")
    name: Text = None
    direct_order_name: Text = Field(default=None, alias="directOrderName")
    inverted_order_name: Text = Field(default=None, alias="invertedOrderName")
    first_name: Text = Field(default=None, alias="firstName")
    last_name: Text = Field(default=None, alias="lastName")
    party_name: Text = Field(default=None, alias="partyName")
    party_history: ItemList[PartyHistory] = Field(default_factory=list, alias="partyHistory")
    state: Text = None
    district: OptionalNumber = None
    depiction: Depiction | None = None
    terms: ItemList[Term] = Field(default_factory=list)
    update_date: ApiDateTime = Field(default=None, alias="updateDate")

    @field_validator("bioguide_id")
    @classmethod
    def _upper(cls, value: str) -> str:
        value = value.strip().upper()
        if not value:
            raise ValueError("empty bioguideId")
        return value

    @property
    def display_name(self) -> str | None:
        if self.direct_order_name:
            return self.direct_order_name
        if self.first_name or self.last_name:
            return " ".join(p for p in (self.first_name, self.last_name) if p)
        return direct_order(self.name) if self.name else None

    @property
    def first_and_last_name(self) -> tuple[str | None, str | None]:
        """The API's `firstName` and `lastName`; member lists send neither, only the inverted
        `name`, and then both come from it (see `split_inverted_name`)."""
        if self.first_name or self.last_name:
            return self.first_name, self.last_name
        inverted = self.inverted_order_name or self.name
        return split_inverted_name(inverted) if inverted else (None, None)

    @property
    def party(self) -> str | None:
        if self.party_name:
            return self.party_name
        if self.party_history:
            return self.party_history[-1].party_name or self.party_history[-1].party_abbreviation
        return None

    @property
    def latest_chamber(self) -> str | None:
        return self.terms[-1].chamber if self.terms else None
