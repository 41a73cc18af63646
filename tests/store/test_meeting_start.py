"""A meeting's start survives storage: a moment comes back as the same UTC second, and a day
without a time comes back as that day, stored at its Eastern midnight so it sorts and filters on
that day, whatever the season (EST or EDT)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from hypothesis import given
from hypothesis import strategies as st

from hearings.congress_api.values import parse_api_moment
from hearings.store.meeting_start import (
    EASTERN,
    shown_start,
    start_iso,
    stored_start,
    utc_naive_moment,
)
from hearings.store.records import utc_naive

# The years the gate lets through (sync/gate/checks.py).
DAYS = st.dates(min_value=date(1900, 1, 2), max_value=date(2199, 12, 31))
MOMENTS = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 31), timezones=st.just(UTC)
)


@given(DAYS)
def test_a_day_without_a_time_is_stored_on_that_day_and_shown_as_it(day: date) -> None:
    parsed = parse_api_moment(day.isoformat())
    assert parsed == day and not isinstance(parsed, datetime)
    start_at, date_only = stored_start(parsed)
    assert date_only and start_at is not None
    assert start_at.replace(tzinfo=UTC).astimezone(EASTERN).date() == day
    assert start_at.replace(tzinfo=UTC).astimezone(EASTERN).time() == time.min
    assert shown_start(start_at, date_only) == day
    assert start_iso(shown_start(start_at, date_only)) == day.isoformat()


@given(MOMENTS)
def test_a_moment_comes_back_as_the_same_second(moment: datetime) -> None:
    parsed = parse_api_moment(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    start_at, date_only = stored_start(parsed)
    assert not date_only
    assert shown_start(start_at, date_only) == moment.replace(tzinfo=None, microsecond=0)
    assert start_iso(start_at) == moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_no_date_is_no_start() -> None:
    assert stored_start(parse_api_moment("")) == (None, False)
    assert shown_start(None, False) is None and start_iso(None) is None


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 2),
        max_value=datetime(2199, 12, 31),
        timezones=st.none() | st.timezones() | st.just(UTC),
    )
)
def test_a_moment_is_stored_as_naive_utc_whole_seconds(moment: datetime) -> None:
    """`utc_naive_moment` (one `replace` at most) against the plain two-step form."""
    expected = moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
    expected = expected.replace(microsecond=0)
    stored = utc_naive_moment(moment)
    assert stored == expected and stored.tzinfo is None
    assert stored.isoformat() == expected.isoformat()
    assert utc_naive(moment) == expected and utc_naive(None) is None
