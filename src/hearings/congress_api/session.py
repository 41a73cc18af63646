"""`ApiSession`: rate-limited, retrying GETs of the Congress.gov API v3, each attempt counted.

The API key travels only in the `X-Api-Key` header, and every URL that reaches a log line or an
exception is redacted first.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self

import httpx
import tenacity

from hearings.congress_api.answer_bounds import (
    BodyTooLarge,
    DeadlinePassed,
    UndecodableBody,
    read_answer,
)
from hearings.congress_api.answer_decoding import ACCEPTED_ENCODINGS
from hearings.congress_api.errors import ApiKeyMissing, ApiUnavailable, RateLimited
from hearings.congress_api.limiter import Limiter
from hearings.congress_api.pauses import pause
from hearings.congress_api.responses import (
    MISSING_KEY_MESSAGE,
    Transient,
    decode_body,
    give_up,
    too_large,
    undecodable,
)
from hearings.congress_api.tls import tls_context
from hearings.congress_api.wire import query_params, redact_url

log = logging.getLogger(__name__)

# The first wait after a 429, doubled on each retry: five retries span at least 31 s.
RATE_LIMIT_BACKOFF = 1.0


class ApiSession:
    """GETs Congress.gov (or the replica) within its hourly budget, retrying what is transient.

    `request_count` and `requests_by_status` count every HTTP attempt, retries included; status
    keys are the HTTP status as text, or `timeout` / `connection-error` when there was none.
    `timeout` bounds each attempt as a whole, from sending the request to the body's last byte.
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
        sleep: Callable[[float], None] = pause,
    ):
        self.base_url = base_url.rstrip("/")
        self._api_key = (api_key or "").strip() or None
        self.concurrency = concurrency
        self.timeout = timeout
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
            headers={
                "Accept": "application/json",
                "Accept-Encoding": ACCEPTED_ENCODINGS,
                "User-Agent": "hearings (congress_api)",
            },
            follow_redirects=False,
        )
        self._lock = threading.Lock()
        self._request_count = 0
        self._by_status: Counter[str] = Counter()
        self._list_counts: dict[str, int] = {}  # by list path, kept by `CongressClient` paging

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
        return f"{type(self).__name__}({self.base_url!r})"

    # ---- metrics --------------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        return self._request_count

    @property
    def requests_by_status(self) -> dict[str, int]:
        with self._lock:
            return dict(self._by_status)

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
                response = read_answer(
                    self._http, url, params=query, headers={"X-Api-Key": key}, seconds=self.timeout
                )
            except (httpx.TimeoutException, DeadlinePassed) as exc:
                self._count("timeout")
                late = f" (the whole answer took more than {self.timeout:g} s)"
                raise Transient(
                    ApiUnavailable(f"Congress.gov did not answer in time for {shown}.", url=shown),
                    reason="a timeout" + (late if isinstance(exc, DeadlinePassed) else ""),
                ) from None
            except BodyTooLarge as exc:
                self._count(str(exc.status))
                raise too_large(exc, shown) from None
            except UndecodableBody as exc:
                self._count(str(exc.status))
                raise undecodable(exc, shown) from None
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
            floor = failure.retry_after or 0.0  # at most RETRY_AFTER_CAP, as read
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
