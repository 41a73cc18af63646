"""Filters and helpers the templates use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment

from hearings.web import timefmt
from hearings.web.detail import bill_label, meeting_url
from hearings.web.entities import organization_slug
from hearings.web.filters import SORTS, STATUSES


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


def file_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def location(room: str | None, building: str | None, address: str | None = None) -> str:
    return ", ".join(part for part in (room, building, address) if part)


def iso(moment: datetime | None) -> str:
    return timefmt.iso_z(moment) or ""


def install(environment: Environment) -> None:
    filters: dict[str, Any] = {
        "eastern": timefmt.format_eastern,
        "eastern_short": timefmt.format_eastern_short,
        "eastern_time": timefmt.format_eastern_time,
        "utc": timefmt.format_utc,
        "iso": iso,
        "status_class": status_class,
        "file_size": file_size,
        "org_slug": organization_slug,
    }
    environment.filters.update(filters)
    environment.globals.update(
        {
            "location": location,
            "meeting_url": meeting_url,
            "bill_label": bill_label,
            "ordinal": timefmt.ordinal,
            "SORTS": SORTS,
            "STATUSES": STATUSES,
        }
    )
