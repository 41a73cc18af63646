"""`CongressClient`: the endpoints of the Congress.gov API v3, on a rate-limited, retrying session.

It returns raw record dicts; the sync layer hashes them, quarantines the bad ones and parses the
rest with `models.parse_record`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from hearings.congress_api.errors import ApiUnavailable, MalformedPayload, NotFound
from hearings.congress_api.models import chamber_path, normalize_chamber
from hearings.congress_api.pages import salvage_page
from hearings.congress_api.paging import ListCursor, ListShortfall
from hearings.congress_api.session import ApiSession
from hearings.congress_api.wire import (
    format_api_datetime,
    list_path,
    path_key,
    path_segment,
    redact_text,
    redact_url,
    window_params,
)
from hearings.congresses import current_congress

if TYPE_CHECKING:
    from hearings.config import Settings

__all__ = ["CongressClient", "current_congress", "format_api_datetime", "redact_text", "redact_url"]

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 250


class CongressClient(ApiSession):
    """Lists and fetches meetings, printed hearings, committees and members, page by page."""

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> CongressClient:
        """A client configured from `Settings`; keyword overrides win (tests pass `transport`)."""
        options: dict[str, Any] = {
            "concurrency": settings.api_concurrency,
            "rate_limit_per_hour": settings.api_rate_limit_per_hour,
            "timeout": settings.api_timeout_seconds,
            "max_retries": settings.api_max_retries,
        }
        options.update(overrides)
        return cls(settings.congress_api_base_url, settings.api_key_value(), **options)

    # ---- paging ---------------------------------------------------------------------------

    def iter_list(
        self,
        path: str,
        key: str,
        *,
        params: Mapping[str, object] | None = None,
        from_datetime: datetime | date | None = None,
        to_datetime: datetime | date | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[dict[str, Any] | ListShortfall]:
        """Every entry of a list endpoint, page by page, then a `ListShortfall` when the list
        could not be read to its end (`paging.ListCursor` decides where each page starts and when
        the list ends). A page that repeats the page before it is an error: the list is not
        moving on. A page that fails raises, unless the cursor finds the list ended before it.
        """
        limit = max(1, min(page_size, MAX_PAGE_SIZE))
        base = {**(params or {}), **window_params(from_datetime, to_datetime)}
        cursor = ListCursor(limit)
        previous: list[Any] = []
        while not cursor.done:
            offset = cursor.offset
            try:
                body = self._list_page(path, key, {**base, "offset": offset, "limit": limit})
            except (NotFound, ApiUnavailable, MalformedPayload) as failure:
                if not cursor.ends_on_failure(failure):
                    raise
                log.warning("the list %s ended at a page that failed: %s", path, failure)
                break
            entries = body.get(key)
            if not isinstance(entries, list):
                shown = self._display(path)
                raise MalformedPayload(f"The list at {shown} has no {key!r} array.", url=shown)
            self._remember_count(path, body)
            if entries and _same_page(entries, previous):
                # An API that ignores `offset` would otherwise be paged to its `count` (or, with
                # none, forever), every page the first, and its other entries silently missed.
                shown = self._display(path)
                raise MalformedPayload(
                    f"The list at {shown} answered offset {offset:,} with the same entries as "
                    f"offset {offset - len(previous):,}: it is not paging.",
                    url=shown,
                )
            previous = entries
            yield from entries
            cursor.after_page(len(entries), body.get("pagination"))
        shortfall = cursor.shortfall(self._display(path))
        if shortfall is not None:
            log.warning(
                "the list at %s was not read to its end: %s", shortfall.url, shortfall.reason
            )
            yield shortfall

    def _list_page(self, path: str, key: str, params: dict[str, object]) -> dict[str, Any]:
        """One page; a page that does not decode as a whole keeps every entry that does."""
        try:
            return self.get_json(path, params)
        except MalformedPayload as failure:
            salvaged = salvage_page(failure.body, key) if isinstance(failure.body, str) else None
            if salvaged is None:
                raise
            log.warning("salvaged the entries of a list page that did not decode: %s", failure)
            return salvaged

    def count_list(
        self,
        path: str,
        *,
        from_datetime: datetime | date | None = None,
        to_datetime: datetime | date | None = None,
        **params: object,
    ) -> int:
        """`pagination.count` of a list endpoint, from one page with `limit=1`."""
        query = {**params, **window_params(from_datetime, to_datetime), "offset": 0, "limit": 1}
        body = self.get_json(path, query)
        count = self._remember_count(path, body)
        if count is None:
            shown = self._display(path)
            raise MalformedPayload(f"The list at {shown} has no pagination.count.", url=shown)
        return count

    def last_list_count(self, path: str) -> int | None:
        """`pagination.count` of the last page fetched from `path`, if any."""
        with self._lock:
            return self._list_counts.get(path_key(path))

    def _remember_count(self, path: str, body: Mapping[str, Any]) -> int | None:
        pagination = body.get("pagination")
        count = pagination.get("count") if isinstance(pagination, dict) else None
        if not isinstance(count, int) or isinstance(count, bool):
            return None
        with self._lock:
            self._list_counts[path_key(path)] = count
        return count

    def _display(self, path: str) -> str:
        return redact_url(f"{self.base_url}/{path.lstrip('/')}", self._api_key)

    # ---- endpoints ------------------------------------------------------------------------

    def list_meetings(
        self,
        congress: int | None,
        chamber: str | None = None,
        *,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
    ) -> Iterator[dict[str, Any] | ListShortfall]:
        """Meeting summaries: `{chamber, congress, eventId, updateDate, url}`, newest first.
        With no congress, the list across Congresses (`/committee-meeting`), which has no
        chamber path: every chamber's meetings, each entry naming its own."""
        path = _list_path("committee-meeting", congress, chamber)
        return self.iter_list(path, "committeeMeetings", from_datetime=since, to_datetime=until)

    def get_meeting(self, congress: int, chamber: str, event_id: str | int) -> dict[str, Any]:
        path = f"committee-meeting/{int(congress)}/{chamber_path(chamber)}/{path_segment(event_id)}"
        return self._get_record(path, "committeeMeeting")

    def list_printed_hearings(
        self,
        congress: int | None,
        chamber: str | None = None,
        *,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
    ) -> Iterator[dict[str, Any] | ListShortfall]:
        """Printed-hearing summaries; with no congress, the list across Congresses (`/hearing`,
        every chamber)."""
        path = _list_path("hearing", congress, chamber)
        return self.iter_list(path, "hearings", from_datetime=since, to_datetime=until)

    def get_printed_hearing(
        self, congress: int, chamber: str, jacket_number: int | str
    ) -> dict[str, Any]:
        path = f"hearing/{int(congress)}/{chamber_path(chamber)}/{path_segment(jacket_number)}"
        return self._get_record(path, "hearing")

    def list_committees(
        self,
        congress: int | None,
        chamber: str | None = None,
        *,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
    ) -> Iterator[dict[str, Any] | ListShortfall]:
        """Committee summaries; with no congress, every committee of every Congress
        (`/committee`, or `/committee/{chamber}`)."""
        if congress is None:
            path = f"committee/{chamber_path(chamber)}" if chamber else "committee"
        else:
            path = list_path("committee", congress, chamber)
        return self.iter_list(path, "committees", from_datetime=since, to_datetime=until)

    def get_committee(self, chamber: str, system_code: str) -> dict[str, Any]:
        """The committee item; `chamber` is filled in from the path when the item lacks it."""
        path = f"committee/{chamber_path(chamber)}/{path_segment(system_code.strip().lower())}"
        record = self._get_record(path, "committee")
        if not record.get("chamber"):
            record["chamber"] = normalize_chamber(chamber)
        return record

    def list_members(self, congress: int) -> Iterator[dict[str, Any] | ListShortfall]:
        # The API lists only sitting members unless told otherwise; for a past Congress that
        # would drop everyone who has left since, so ask for all of them.
        params = {} if int(congress) >= current_congress() else {"currentMember": "false"}
        return self.iter_list(f"member/congress/{int(congress)}", "members", params=params)

    def get_member(self, bioguide_id: str) -> dict[str, Any]:
        return self._get_record(f"member/{path_segment(bioguide_id.strip().upper())}", "member")

    def _get_record(self, path: str, key: str) -> dict[str, Any]:
        body = self.get_json(path)
        record = body.get(key)
        if not isinstance(record, dict):
            shown = self._display(path)
            raise MalformedPayload(
                f"The response for {shown} has no {key!r} object.", url=shown, body=body
            )
        return record


def _same_page(entries: list[Any], previous: list[Any]) -> bool:
    try:
        return entries == previous
    except RecursionError:  # entries nested about as deep as the JSON decoder reads
        return False


def _list_path(resource: str, congress: int | None, chamber: str | None) -> str:
    """A meeting or printed-hearing list: under its Congress (and chamber), or across Congresses,
    where the API has no chamber segment."""
    return resource if congress is None else list_path(resource, congress, chamber)
