"""`CongressClient`: a synchronous, rate-limited, retrying client for the Congress.gov API v3.

It returns raw record dicts; the sync layer hashes them, quarantines the bad ones and parses the
rest with `models.parse_record`. The API key travels only in the `X-Api-Key` header, and every
URL that reaches a log line or an exception is redacted first.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx
import tenacity

from hearings.congress_api.errors import (
    ApiKeyMissing,
    ApiUnavailable,
    MalformedPayload,
    RateLimited,
)
from hearings.congress_api.limiter import Limiter
from hearings.congress_api.models import chamber_path, normalize_chamber
from hearings.congress_api.pages import salvage_page
from hearings.congress_api.responses import MISSING_KEY_MESSAGE, Transient, decode_body, give_up
from hearings.congress_api.tls import tls_context
from hearings.congress_api.wire import (
    format_api_datetime,
    list_path,
    path_key,
    path_segment,
    query_params,
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
# A Retry-After longer than this is more likely a gateway glitch than a real instruction.
RETRY_AFTER_CAP = 3600.0
# The first wait after a 429, doubled on each retry: five retries span at least 31 s.
RATE_LIMIT_BACKOFF = 1.0


class CongressClient:
    """Talks to Congress.gov (or the replica) within its hourly budget, retrying what is transient.

    `request_count` and `requests_by_status` count every HTTP attempt, retries included; status
    keys are the HTTP status as text, or `timeout` / `connection-error` when there was none.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        concurrency: int = 8,
        rate_limit_per_hour: int = 5000,
        timeout: float = 30.0,
        max_retries: int = 5,
        transport: httpx.BaseTransport | None = None,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        rate_limit_backoff: float = RATE_LIMIT_BACKOFF,
        limiter: Limiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self._api_key = (api_key or "").strip() or None
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.rate_limit_backoff = rate_limit_backoff
        self.limiter = limiter or Limiter(rate_limit_per_hour, concurrency)
        self._sleep = sleep
        self._http = httpx.Client(
            verify=tls_context(),
            timeout=httpx.Timeout(timeout),
            transport=transport,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            headers={"Accept": "application/json", "User-Agent": "hearings (congress_api)"},
            follow_redirects=False,
        )
        self._lock = threading.Lock()
        self._request_count = 0
        self._by_status: Counter[str] = Counter()
        self._list_counts: dict[str, int] = {}

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

    # ---- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"CongressClient({self.base_url!r})"

    # ---- metrics --------------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        return self._request_count

    @property
    def requests_by_status(self) -> dict[str, int]:
        with self._lock:
            return dict(self._by_status)

    def last_list_count(self, path: str) -> int | None:
        """`pagination.count` of the last page fetched from `path`, if any."""
        with self._lock:
            return self._list_counts.get(path_key(path))

    def _count(self, status: str) -> None:
        with self._lock:
            self._request_count += 1
            self._by_status[status] += 1

    # ---- raw requests ---------------------------------------------------------------------

    def get_json(self, path: str, params: Mapping[str, object] | None = None) -> dict[str, Any]:
        """GET `path` (relative to the base URL) with `format=json`; retry what is transient."""
        key = self._require_key()
        url = f"{self.base_url}/{path.lstrip('/')}"
        query = query_params(params)
        shown = redact_url(str(httpx.URL(url, params=query)), key)
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(Transient),
            sleep=self._sleep,
            before_sleep=lambda state: self._log_retry(shown, state),
            reraise=True,
        )
        try:
            body: dict[str, Any] = retrying(self._attempt, url, query, key, shown)
        except Transient as failure:
            raise give_up(failure, shown, self.max_retries + 1) from None
        return body

    def _require_key(self) -> str:
        # Checked at the first request, not at construction, so commands that never touch the
        # API do not need a key.
        if self._api_key is None:
            raise ApiKeyMissing(MISSING_KEY_MESSAGE)
        return self._api_key

    def _attempt(self, url: str, query: dict[str, str], key: str, shown: str) -> dict[str, Any]:
        with self.limiter.slot():
            try:
                response = self._http.get(url, params=query, headers={"X-Api-Key": key})
            except httpx.TimeoutException:
                self._count("timeout")
                raise Transient(
                    ApiUnavailable(f"Congress.gov did not answer in time for {shown}.", url=shown),
                    reason="a timeout",
                ) from None
            except httpx.RequestError as exc:
                self._count("connection-error")
                reason = f"a connection error ({type(exc).__name__})"
                raise Transient(
                    ApiUnavailable(f"Congress.gov could not be reached for {shown}.", url=shown),
                    reason=reason,
                ) from None
        self._count(str(response.status_code))
        try:
            return decode_body(response, shown, key)
        except Transient as failure:
            if failure.retry_after:  # a 429 that said how long: every thread waits it out
                self.limiter.hold(failure.retry_after)
            raise

    def _wait(self, state: tenacity.RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        attempt = state.attempt_number
        if isinstance(failure, Transient) and isinstance(failure.error, RateLimited):
            # A burst window can outlast many `Retry-After`s: wait at least that long, and
            # longer each time, so the retries together span several windows.
            backoff = min(self.backoff_max, self.rate_limit_backoff * 2 ** (attempt - 1))
            floor = min(failure.retry_after or 0.0, RETRY_AFTER_CAP)
            return max(floor, backoff) * random.uniform(1.0, 1.25)
        backoff = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        # Jitter spreads the retries of many threads that failed together.
        return backoff * random.uniform(0.5, 1.0)

    def _log_retry(self, shown: str, state: tenacity.RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome else None
        reason = failure.reason if isinstance(failure, Transient) else "an error"
        delay = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "retrying %s in %.2fs after %s (attempt %d of %d)",
            shown,
            delay,
            reason,
            state.attempt_number,
            self.max_retries + 1,
        )

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
    ) -> Iterator[dict[str, Any]]:
        """Every entry of a list endpoint, page by page.

        Offsets are computed here and `pagination.next` is never followed: the API has served
        malformed `next` links. Stops at `pagination.count` or at an empty page.
        """
        limit = max(1, min(page_size, MAX_PAGE_SIZE))
        base = {**(params or {}), **window_params(from_datetime, to_datetime)}
        offset = 0
        while True:
            body = self._list_page(path, key, {**base, "offset": offset, "limit": limit})
            entries = body.get(key)
            if not isinstance(entries, list):
                shown = self._display(path)
                raise MalformedPayload(f"The list at {shown} has no {key!r} array.", url=shown)
            count = self._remember_count(path, body)
            yield from entries
            offset += len(entries)
            if not entries:
                return
            if count is None:
                if len(entries) < limit:
                    return
            elif offset >= count:
                return

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
    ) -> Iterator[dict[str, Any]]:
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
    ) -> Iterator[dict[str, Any]]:
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
    ) -> Iterator[dict[str, Any]]:
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

    def list_members(self, congress: int) -> Iterator[dict[str, Any]]:
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


def _list_path(resource: str, congress: int | None, chamber: str | None) -> str:
    """A meeting or printed-hearing list: under its Congress (and chamber), or across Congresses,
    where the API has no chamber segment."""
    return resource if congress is None else list_path(resource, congress, chamber)
