"""A parsed meeting's `hearings` row (`store.records`): a column named as a field of the parsed
meeting holds that field, so a new such column needs no mapping of its own."""

from __future__ import annotations

from datetime import datetime

import pytest

from hearings.congress_api.models import Meeting, parse_record
from hearings.replica import Corpus
from hearings.store import schema
from hearings.store.records import meeting_rows, utc_naive
from hearings.store.video_kinds import video_kind

NOW = datetime(2026, 12, 2, 15, 0)


def test_a_meetings_row_fills_every_column_of_hearings_in_its_order() -> None:
    body = Corpus.load().meeting("118278")
    assert body is not None
    body["meetingStatus"] = "Postponed"
    parsed = parse_record(Meeting, body, entity="meeting")
    row = meeting_rows(parsed, "a-hash", NOW).hearing
    assert list(row) == list(schema.hearings.c.keys())
    # Fields named as their columns are copied by name; date-times are stored as naive UTC.
    assert (row["event_id"], row["meeting_type"], row["status"]) == (
        "118278",
        "Hearing",
        "Postponed",
    )
    assert row["update_date"] == utc_naive(parsed.update_date)
    assert row["update_date"] is not None and row["update_date"].tzinfo is None
    assert row["is_stub"] is False
    # The rest are worked out from the meeting and the run.
    assert row["start_at"] == utc_naive(parsed.date)
    assert parsed.location is not None
    assert (row["room"], row["building"]) == (parsed.location.room, parsed.location.building)
    assert (row["content_hash"], row["first_seen_at"], row["last_changed_at"]) == (
        "a-hash",
        NOW,
        NOW,
    )


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.youtube.com/watch?v=abc", "youtube"),
        ("https://youtu.be/abc", "youtube"),
        ("https://www.youtube-nocookie.com/embed/abc", "youtube"),
        ("HTTPS://WWW.YOUTUBE.COM/watch?v=abc", "youtube"),
        ("https://www.senate.gov/isvp/?comm=judiciary", "senate"),
        ("https://www.congress.gov/event/119th-congress/house-event/118278", "congress.gov"),
        # Only the host names the place: not a look-alike host, a path or a query.
        ("https://notyoutube.com/watch?v=abc", "other"),
        ("https://evilyoutu.be/abc", "other"),
        ("https://example.org/?next=youtube.com", "other"),
        ("https://example.org/senate.gov/video", "other"),
        ("https://youtube.com.example.org/watch?v=abc", "other"),
        ("youtube.com/watch?v=abc", "other"),
        ("http://[::1", "other"),
        ("", "other"),
    ],
)
def test_a_videos_kind_is_named_by_its_host(url: str, kind: str) -> None:
    assert video_kind(url) == kind
