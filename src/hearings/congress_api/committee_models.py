"""Typed models of the API's committees: a committee as fetched, as listed, and as a meeting or
printed hearing names it (`CommitteeRef`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from hearings.congress_api.values import ApiDateTime, ApiModel, Identifier, ItemList, Text


def _lowercase_code(value: str) -> str:
    value = value.strip().lower()
    if not value:
        raise ValueError("empty systemCode")
    return value


# A committee's systemCode, in lowercase as every path and table keys it.
SystemCode = Annotated[Identifier, AfterValidator(_lowercase_code)]


class CommitteeRef(ApiModel):
    system_code: SystemCode = Field(alias="systemCode")
    name: Text = None
    url: Text = None


class CommitteeHistory(ApiModel):
    official_name: Text = Field(default=None, alias="officialName")
    library_of_congress_name: Text = Field(default=None, alias="libraryOfCongressName")
    committee_type_code: Text = Field(default=None, alias="committeeTypeCode")
    start_date: ApiDateTime = Field(default=None, alias="startDate")
    end_date: ApiDateTime = Field(default=None, alias="endDate")


class Committee(ApiModel):
    """A committee or subcommittee (`GET /committee/{chamber}/{systemCode}`).

    The item carries no name and often no chamber: the name comes from the newest history entry,
    the chamber from the path it was fetched from (`chamber` is then filled in by the client).
    """

    system_code: SystemCode = Field(alias="systemCode")
    name: Text = None
    chamber: Text = None
    committee_type: Text = Field(default=None, alias="type")
    is_current: bool | None = Field(default=None, alias="isCurrent")
    parent: CommitteeRef | None = None
    subcommittees: ItemList[CommitteeRef] = Field(default_factory=list)
    history: ItemList[CommitteeHistory] = Field(default_factory=list)
    update_date: ApiDateTime = Field(default=None, alias="updateDate")
    url: Text = None

    @property
    def display_name(self) -> str | None:
        if self.name:
            return self.name
        current = [h for h in self.history if h.end_date is None] or list(self.history)
        for entry in current:
            if entry.library_of_congress_name or entry.official_name:
                return entry.library_of_congress_name or entry.official_name
        return None


class CommitteeSummary(ApiModel):
    system_code: Identifier = Field(alias="systemCode")
    name: Text = None
    chamber: Text = None
    committee_type: Text = Field(default=None, alias="committeeTypeCode")
    parent: CommitteeRef | None = None
    subcommittees: ItemList[CommitteeRef] = Field(default_factory=list)
    update_date: ApiDateTime = Field(default=None, alias="updateDate")
    url: Text = None
