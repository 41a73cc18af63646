"""A move of a meeting's date reads as the two moments differ: a move of seconds names the
seconds, so it never reads "Moved from … 10:00 a.m. to … 10:00 a.m. ET"."""

from __future__ import annotations

from hearings.reports.moved_sentences import moved_sentences


def test_a_move_of_seconds_names_the_seconds() -> None:
    assert moved_sentences("2025-06-24T14:00:00Z", "2025-06-24T14:00:30Z") == [
        "Moved from Tue Jun 24, 10:00 a.m. to Tue Jun 24, 10:00:30 a.m. ET"
    ]
    # Whole minutes read as before.
    assert moved_sentences("2025-06-24T14:00:00Z", "2025-06-24T18:00:00Z") == [
        "Moved from Tue Jun 24, 10:00 a.m. to Tue Jun 24, 2:00 p.m. ET"
    ]
