"""Links to congress.gov and YouTube, and the names of bills, as the pages show them."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from hearings.citations import cite_bill
from hearings.congresses import ordinal

_BILL_PATHS = {
    "HR": "house-bill",
    "S": "senate-bill",
    "HRES": "house-resolution",
    "SRES": "senate-resolution",
    "HJRES": "house-joint-resolution",
    "SJRES": "senate-joint-resolution",
    "HCONRES": "house-concurrent-resolution",
    "SCONRES": "senate-concurrent-resolution",
}


def bill_label(bill_type: str, number: str) -> str:
    """`HR`, `580` -> `H.R. 580`."""
    return cite_bill(bill_type, number)


def bill_url(congress: int, bill_type: str, number: str) -> str:
    path = _BILL_PATHS.get(bill_type.upper(), "bill")
    return f"https://www.congress.gov/bill/{ordinal(congress)}-congress/{path}/{number}"


def meeting_url(congress: int, chamber: str, event_id: str) -> str:
    """The meeting's page on congress.gov."""
    side = "senate" if chamber.lower() == "senate" else "house"
    return f"https://www.congress.gov/event/{ordinal(congress)}-Congress/{side}-event/{event_id}"


def meeting_url_of(congress: int, chamber: str | None, event_id: str) -> str | None:
    """The page on congress.gov of a meeting known only by id, Congress and chamber (a printed
    hearing's meeting this database lacks), or None when they cannot make one: the chamber is
    neither House nor Senate, or the id is not a number, as every id the API gives is."""
    if (chamber or "").lower() not in ("house", "senate"):
        return None
    if not (event_id.isascii() and event_id.isdigit()):
        return None
    return meeting_url(congress, chamber or "", event_id)


_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


def youtube_id(url: str) -> str | None:
    """The video id of a YouTube watch, short or embed link, or None."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    candidate: str | None = None
    if _on(host, "youtu.be"):
        candidate = parts.path.strip("/").split("/")[0]
    elif _on(host, "youtube.com") or _on(host, "youtube-nocookie.com"):
        if parts.path == "/watch":
            candidate = next(iter(parse_qs(parts.query).get("v", [])), None)
        elif parts.path.startswith(("/embed/", "/live/", "/shorts/", "/v/")):
            candidate = parts.path.split("/")[2]
    if candidate and _YOUTUBE_ID.match(candidate):
        return candidate
    return None


def _on(host: str, domain: str) -> bool:
    """`host` is `domain` or one of its subdomains: a bare suffix let notyoutube.com pass for
    YouTube, and the page offered its id as a YouTube video."""
    return host == domain or host.endswith("." + domain)
