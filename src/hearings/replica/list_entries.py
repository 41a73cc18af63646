"""List entries as the real list endpoints shape them, per kind: what a record looks like on a
list page (and the XML-style `terms` container the member list keeps)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hearings.congress_api.models import normalize_chamber

if TYPE_CHECKING:
    from hearings.replica.corpus import Corpus
    from hearings.replica.records import Record


def list_entry(corpus: Corpus, record: Record, base_url: str) -> dict[str, Any]:
    """The list entry for a record, shaped like the real list endpoints."""
    if record.kind == "meeting":
        return {
            "chamber": normalize_chamber(record.chamber),
            "congress": record.congresses[0],
            "eventId": record.ident,
            "updateDate": record.update_date,
            "url": (
                f"{base_url}/committee-meeting/{record.congresses[0]}/{record.chamber}/"
                f"{record.ident}?format=json"
            ),
        }
    body = corpus.body(record)
    if record.kind == "hearing":
        entry: dict[str, Any] = {
            "chamber": normalize_chamber(record.chamber),
            "congress": record.congresses[0],
            "jacketNumber": int(record.ident) if record.ident.isdecimal() else record.ident,
            "updateDate": record.update_date,
            # Hearing list URLs really carry no query string.
            "url": f"{base_url}/hearing/{record.congresses[0]}/{record.chamber}/{record.ident}",
        }
        for optional in ("number", "part"):
            if body.get(optional) is not None:
                entry[optional] = body[optional]
        return entry
    if record.kind == "committee":
        return _committee_entry(corpus, record, body, base_url)
    return _member_entry(record, body, base_url)


def _committee_entry(
    corpus: Corpus, record: Record, body: Mapping[str, Any], base_url: str
) -> dict[str, Any]:
    type_code = body.get("type")
    parent = body.get("parent")
    if isinstance(parent, dict) and parent.get("systemCode"):
        # List entries of subcommittees carry the parent's type code, not "Subcommittee".
        parent_record = corpus.record("committee", str(parent["systemCode"]))
        if parent_record is not None:
            type_code = corpus.body(parent_record).get("type") or type_code
    entry: dict[str, Any] = {
        "chamber": normalize_chamber(record.chamber),
        "committeeTypeCode": type_code,
        "name": body.get("name") or _committee_name(body),
        "systemCode": record.ident,
        "updateDate": record.update_date,
        "url": f"{base_url}/committee/{record.chamber}/{record.ident}?format=json",
    }
    if isinstance(parent, dict):
        entry["parent"] = parent
    if body.get("subcommittees"):
        entry["subcommittees"] = body["subcommittees"]
    return entry


def _committee_name(body: Mapping[str, Any]) -> str | None:
    history = _objects(body.get("history"))
    current = [h for h in history if not h.get("endDate")] or history
    current.sort(key=lambda h: str(h.get("startDate") or ""), reverse=True)
    for entry in current:
        name = entry.get("libraryOfCongressName") or entry.get("officialName")
        if name:
            return str(name)
    return None


def _member_entry(record: Record, body: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    terms = _objects(body.get("terms"))
    parties = _objects(body.get("partyHistory"))
    state_code = next((t.get("stateCode") for t in reversed(terms) if t.get("stateCode")), None)
    entry: dict[str, Any] = {
        "bioguideId": record.ident,
        "name": body.get("invertedOrderName") or body.get("name"),
        "partyName": body.get("partyName") or (parties[-1].get("partyName") if parties else None),
        "state": STATE_NAMES.get(str(state_code or "").upper()) or body.get("state"),
        # The member list keeps the XML-style container; the member item does not.
        "terms": {
            "item": [
                {k: t[k] for k in ("chamber", "endYear", "startYear") if t.get(k) is not None}
                for t in terms
            ]
        },
        "updateDate": record.update_date,
        "url": f"{base_url}/member/{record.ident}?format=json",
    }
    if body.get("depiction"):
        entry["depiction"] = body["depiction"]
    if "district" in body:
        entry["district"] = body["district"]
    return entry


def _objects(value: object) -> list[dict[str, Any]]:
    """The objects of a list; nothing for anything else (a corpus file may hold anything)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AS": "American Samoa", "AZ": "Arizona", "AR": "Arkansas",
    "CA": "California", "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware",
    "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia", "GU": "Guam", "HI": "Hawaii",
    "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "MP": "Northern Mariana Islands", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "PR": "Puerto Rico", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VI": "Virgin Islands", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
