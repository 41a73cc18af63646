"""Typed models of the Congress.gov API v3 payloads we use: meetings and printed hearings here,
committees in `committee_models`, members in `member_models`; `parse_record` validates any of them.

Field names follow the API (camelCase aliases); Python attributes are snake_case. Every optional key
the API may suppress is optional here. Unknown keys are ignored, so additions upstream never break a
run; a present key with an impossible value raises `MalformedPayload` naming the record and field.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import (
    Field,
    ValidationError,
    field_validator,
)

from hearings.congress_api.committee_models import CommitteeRef
from hearings.congress_api.errors import MalformedPayload
from hearings.congress_api.values import (
    ApiDate,
    ApiDateTime,
    ApiModel,
    ApiMoment,
    CongressNumber,
    Identifier,
    ItemList,
    OptionalIdentifier,
    OptionalNumber,
    Text,
    WholeNumber,
    excerpt,
)

# Re-exported: the replica and the reports read the API's dates with them.
from hearings.congress_api.values import parse_api_datetime as parse_api_datetime
from hearings.congress_api.values import parse_api_moment as parse_api_moment
from hearings.errors import validation_problem

# ---- committee meetings -------------------------------------------------------------------


class MeetingWitness(ApiModel):
    name: Text = None
    organization: Text = None
    position: Text = None


class Document(ApiModel):
    document_type: Text = Field(default=None, alias="documentType")
    format: Text = None
    url: Text = None
    name: Text = None
    description: Text = None


class Video(ApiModel):
    name: Text = None
    url: Text = None


class Location(ApiModel):
    room: Text = None
    building: Text = None
    address: Text = None

    @field_validator("address", mode="before")
    @classmethod
    def _flatten_address(cls, value: object) -> object:
        # Field hearings document an address object; keep it as one line of text.
        if isinstance(value, dict):
            parts = [str(v) for v in value.values() if v not in (None, "")]
            return ", ".join(parts) or None
        return value


class TranscriptRef(ApiModel):
    jacket_number: WholeNumber = Field(alias="jacketNumber")
    url: Text = None


class BillRef(ApiModel):
    congress: CongressNumber
    bill_type: Identifier = Field(alias="type")
    number: Identifier
    url: Text = None


class RelatedItems(ApiModel):
    bills: ItemList[BillRef] = Field(default_factory=list)


# A list that also accepts the XML-style `{"item": [...]}` container and null.


class Meeting(ApiModel):
    """One committee meeting (`GET /committee-meeting/{congress}/{chamber}/{eventId}`)."""

    event_id: Identifier = Field(alias="eventId")
    congress: CongressNumber
    chamber: str
    meeting_type: Text = Field(default=None, alias="type")
    status: Text = Field(default=None, alias="meetingStatus")
    title: str | None = None
    # A UTC moment, or a `date` when the API sent a day without a time (`"2025-06-24"`).
    date: ApiMoment = None
    update_date: ApiDateTime = Field(default=None, alias="updateDate")
    location: Location | None = None
    committees: ItemList[CommitteeRef] = Field(default_factory=list)
    witnesses: ItemList[MeetingWitness] = Field(default_factory=list)
    witness_documents: ItemList[Document] = Field(default_factory=list, alias="witnessDocuments")
    meeting_documents: ItemList[Document] = Field(default_factory=list, alias="meetingDocuments")
    videos: ItemList[Video] = Field(default_factory=list)
    hearing_transcripts: ItemList[TranscriptRef] = Field(
        default_factory=list, alias="hearingTranscript"
    )
    related_items: RelatedItems | None = Field(default=None, alias="relatedItems")

    @field_validator("event_id")
    @classmethod
    def _nonempty_event_id(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("empty eventId")
        return value

    @field_validator("chamber")
    @classmethod
    def _known_chamber(cls, value: str) -> str:
        return normalize_chamber(value)

    @property
    def bills(self) -> list[BillRef]:
        return list(self.related_items.bills) if self.related_items else []

    @property
    def is_stub(self) -> bool:
        """The API really returns empty meetings: no title and no date."""
        return not (self.title or "").strip() and self.date is None


class MeetingSummary(ApiModel):
    event_id: Identifier = Field(alias="eventId")
    congress: CongressNumber | None = None
    chamber: Text = None
    update_date: ApiDateTime = Field(default=None, alias="updateDate")
    url: Text = None


# ---- printed hearings ----------------------------------------------------------------------


class AssociatedMeeting(ApiModel):
    event_id: OptionalIdentifier = Field(default=None, alias="eventId")
    url: Text = None


class HearingDate(ApiModel):
    date: ApiDate = None


class HearingFormat(ApiModel):
    format_type: Text = Field(default=None, alias="type")
    url: Text = None


class PrintedHearing(ApiModel):
    """A printed hearing (`GET /hearing/{congress}/{chamber}/{jacketNumber}`)."""

    jacket_number: WholeNumber = Field(alias="jacketNumber")
    congress: CongressNumber
    chamber: Text = None
    title: str | None = None
    citation: Text = None
    library_of_congress_id: Text = Field(default=None, alias="libraryOfCongressIdentifier")
    number: OptionalNumber = None
    part: OptionalNumber = None
    associated_meeting: AssociatedMeeting | None = Field(default=None, alias="associatedMeeting")
    committees: ItemList[CommitteeRef] = Field(default_factory=list)
    dates: ItemList[HearingDate] = Field(default_factory=list)
    formats: ItemList[HearingFormat] = Field(default_factory=list)
    update_date: ApiDateTime = Field(default=None, alias="updateDate")


class PrintedHearingSummary(ApiModel):
    jacket_number: WholeNumber = Field(alias="jacketNumber")
    congress: CongressNumber | None = None
    chamber: Text = None
    number: OptionalNumber = None
    part: OptionalNumber = None
    update_date: ApiDateTime = Field(default=None, alias="updateDate")
    url: Text = None


# ---- helpers -------------------------------------------------------------------------------

_CHAMBERS = {"house": "House", "senate": "Senate", "joint": "Joint", "nochamber": "NoChamber"}


def normalize_chamber(value: str) -> str:
    """`House`, `Senate`, `Joint` or `NoChamber`, whatever the case or spacing the API used."""
    key = value.replace(" ", "").replace("_", "").lower()
    if key in ("houseofrepresentatives",):
        key = "house"
    if key not in _CHAMBERS:
        raise ValueError(f"unknown chamber {excerpt(value)}")
    return _CHAMBERS[key]


def chamber_path(value: str) -> str:
    """The chamber as it appears in an API path: `house`, `senate`, `joint`, `nochamber`."""
    return normalize_chamber(value).lower()


M = TypeVar("M", bound=ApiModel)


def parse_record(model: type[M], payload: Any, *, entity: str, identifier: str | None = None) -> M:
    """Validate one record; on failure raise `MalformedPayload` naming the record and the field."""
    if not isinstance(payload, dict):
        raise MalformedPayload(
            f"{entity} {identifier or '?'}: expected a JSON object, got {type(payload).__name__}",
            entity=entity,
            identifier=identifier,
        )
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        ident = identifier or _guess_identifier(payload)
        ident = ident if len(ident) <= 40 else ident[:39] + "…"
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(record)"
        problem = validation_problem(first)
        raise MalformedPayload(
            f"{entity} {ident}: field {field!r}: {problem}",
            entity=entity,
            identifier=ident,
            field=field,
        ) from None


def _guess_identifier(payload: dict[str, Any]) -> str:
    for key in ("eventId", "jacketNumber", "systemCode", "bioguideId"):
        value = payload.get(key)
        # A blank or boolean id is itself the error; naming the record by it would say nothing.
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return "?"
