"""Filters and helpers the templates use."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment
from markupsafe import Markup

from hearings.congresses import ordinal
from hearings.reports.status import describe_size
from hearings.web import timefmt
from hearings.web.detail import bill_label, meeting_url
from hearings.web.feeds import xml_legal
from hearings.web.filters import SORTS, STATUSES, congress_label
from hearings.web.organization_slugs import organization_slug
from hearings.web.text_direction import closed


def status_class(status: str | None) -> str:
    """A CSS class for a meeting status: canceled and postponed stand out."""
    value = (status or "").lower()
    if value in ("canceled", "cancelled"):
        return "status-canceled"
    if value == "postponed":
        return "status-postponed"
    if value == "rescheduled":
        return "status-rescheduled"
    return "status-scheduled"


def location(room: str | None, building: str | None, address: str | None = None) -> str:
    return ", ".join(part for part in (room, building, address) if part)


def iso(moment: datetime | None) -> str:
    return timefmt.iso_z(moment) or ""


# Anything a browser might read as part of a scheme: C0 controls, DEL, and whitespace it strips.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SHOWN_URL_LENGTH = 120


def http_href(url: object) -> str | None:
    """`url` as an href when it is an absolute http(s) URL with a host; None for anything else
    (`javascript:`, `data:`, `vbscript:`, relative or protocol-relative addresses), which must
    never become a link. Only URLs from the API go through here; our own links are literals."""
    if not isinstance(url, str):
        return None
    candidate = url.strip()
    if not candidate or _CONTROL.search(candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return candidate


def external_link(url: object, text: object = None) -> Markup:
    """A link to an address from the API, or, when it is not an http(s) URL, the text followed
    by the address as plain text: shown, never clickable."""
    label = text if text not in (None, "") else url
    href = http_href(url)
    if href is not None:
        return Markup('<a href="{}" rel="external">{}</a>').format(href, closed(label))
    shown = _CONTROL.sub("", str(url or ""))
    if len(shown) > SHOWN_URL_LENGTH:
        shown = shown[: SHOWN_URL_LENGTH - 1] + "…"
    if label == url:  # no name: the address itself is the text, said once
        return Markup(
            '<span class="unlinked">{}</span> <span class="muted">(not linked)</span>'
        ).format(closed(shown) or "no address")
    return Markup(
        '<span class="unlinked">{}</span> <span class="muted">(not linked: {})</span>'
    ).format(closed(label), closed(shown) or "no address")


def full_stop(text: object) -> str:
    """`text` as a sentence: a full stop added unless it ends one already (a title such as
    `…for the term of four years.` read `years..` in the feeds)."""
    shown = str(text).rstrip()
    return shown if shown.rstrip("\"”’')").endswith((".", "?", "!")) else shown + "."


def install(environment: Environment) -> None:
    environment.finalize = closed
    filters: dict[str, Any] = {
        "eastern": timefmt.format_eastern,
        "eastern_short": timefmt.format_eastern_short,
        "eastern_time": timefmt.format_eastern_time,
        "eastern_seconds": timefmt.format_eastern_seconds,
        "utc": timefmt.format_utc,
        "iso": iso,
        "status_class": status_class,
        "file_size": describe_size,
        "org_slug": organization_slug,
        "http_href": http_href,
        "xml_legal": xml_legal,
        "full_stop": full_stop,
    }
    environment.filters.update(filters)
    environment.globals.update(
        {
            "location": location,
            "external_link": external_link,
            "meeting_url": meeting_url,
            "bill_label": bill_label,
            "ordinal": ordinal,
            "congress_label": congress_label,
            "SORTS": SORTS,
            "STATUSES": STATUSES,
        }
    )
