"""Routing for the replica: which resource a `/v3/...` path asks for, and the path, `request`
block and page links the API writes back for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from hearings.congress_api.models import parse_api_datetime
from hearings.replica.records import Kind

CHAMBERS = ("house", "senate", "joint", "nochamber")


@dataclass
class Route:
    kind: str  # e.g. "meeting_item", "committee_list"; "unknown" when nothing matched
    resource: Kind | None = None
    ident: str | None = None
    congress: int | None = None
    chamber: str | None = None
    echo: dict[str, str] = field(default_factory=dict)  # path params echoed in `request`


def route(segments: list[str]) -> Route:
    """Map `/v3/...` path segments (without `v3`) to what they ask for."""
    unknown = Route("unknown")
    if not segments:
        return unknown
    head, rest = segments[0], segments[1:]
    resource: Kind | None = {
        "committee-meeting": "meeting",
        "hearing": "hearing",
        "committee": "committee",
        "member": "member",
    }.get(head)  # type: ignore[assignment]
    if resource is None:
        return unknown
    if resource == "member":
        if not rest:
            return Route("member_list", resource)
        if rest[0] == "congress" and len(rest) == 2 and rest[1].isdigit():
            return Route("member_list", resource, congress=int(rest[1]))
        if len(rest) == 1:
            return Route("member_item", resource, ident=rest[0], echo={"bioguideId": rest[0]})
        return unknown
    if resource == "committee":
        # `/committee/{congress}/{chamber}` lists; `/committee/{chamber}/{code}` is an item.
        if not rest:
            return Route("committee_list", resource)
        if rest[0].isdigit() and len(rest) <= 2:
            chamber = rest[1] if len(rest) == 2 else None
            if chamber is not None and chamber not in CHAMBERS:
                return unknown
            echo = {"chamber": chamber} if chamber else {}
            return Route(
                "committee_list", resource, congress=int(rest[0]), chamber=chamber, echo=echo
            )
        if rest[0] in CHAMBERS and len(rest) <= 2:
            if len(rest) == 1:
                return Route("committee_list", resource, chamber=rest[0], echo={"chamber": rest[0]})
            echo = {"chamber": rest[0], "systemCode": rest[1]}
            return Route("committee_item", resource, ident=rest[1], chamber=rest[0], echo=echo)
        return unknown
    # committee-meeting and hearing share a shape: /{congress}/{chamber}/{id}
    name = "meeting" if resource == "meeting" else "hearing"
    id_name = "eventId" if resource == "meeting" else "jacketNumber"
    if not rest:
        return Route(f"{name}_list", resource)
    if not rest[0].isdigit() or len(rest) > 3:
        return unknown
    congress = int(rest[0])
    echo = {"congress": rest[0]}
    if len(rest) == 1:
        return Route(f"{name}_list", resource, congress=congress, echo=echo)
    chamber = rest[1]
    if chamber not in CHAMBERS:
        return unknown
    echo["chamber"] = chamber
    if len(rest) == 2:
        return Route(f"{name}_list", resource, congress=congress, chamber=chamber, echo=echo)
    echo[id_name] = rest[2]
    return Route(
        f"{name}_item", resource, ident=rest[2], congress=congress, chamber=chamber, echo=echo
    )


def request_block(target: Route) -> dict[str, str]:
    block = {"contentType": "application/json", "format": "json"}
    block.update({name: value.lower() for name, value in target.echo.items()})
    if target.kind == "committee_list":
        block.pop("congress", None)  # the real committee list echoes no congress
    return block


def route_path(target: Route) -> list[str]:
    head = {"meeting": "committee-meeting", "hearing": "hearing", "committee": "committee"}
    if target.resource == "member":
        return ["member", "congress", str(target.congress)] if target.congress else ["member"]
    assert target.resource is not None
    parts = [head[target.resource]]
    if target.congress is not None:
        parts.append(str(target.congress))
    if target.chamber is not None:
        parts.append(target.chamber)
    return parts


def page_link(page_url: str, kept: Mapping[str, str], offset: int, limit: int) -> str:
    # Same parameter order as the real API: offset, limit, format. Never the key.
    params = {**kept, "offset": str(offset), "limit": str(limit), "format": "json"}
    return f"{page_url}?{urlencode(params)}"


def instant(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = parse_api_datetime(text)
    if moment is None:
        raise ValueError(f"not a date-time: {text!r}")
    return moment
