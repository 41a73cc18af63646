"""Lists and the hearing page show the meeting read model: a field of `Meeting` is readable on the
summary and the hearing view without a line of mapping, which is what keeps a new field cheap."""

from __future__ import annotations

import copy
import pickle
from dataclasses import fields
from datetime import datetime

import pytest

from hearings.store.meeting_record import Appearance, CommitteeLink, Meeting
from hearings.web.detail import HearingDetail, hearing_detail
from hearings.web.summaries import HearingSummary

MOMENT = datetime(2025, 5, 21, 14, 30)
MEETING = Meeting(
    event_id="118278",
    congress=119,
    chamber="House",
    meeting_type="Hearing",
    status="Scheduled",
    title="Oversight of the Example Program",
    start_at=MOMENT,
    room="1324",
    building="Rayburn House Office Building",
    address=None,
    is_stub=False,
    update_date=MOMENT,
    content_hash="0" * 64,
    first_seen_at=MOMENT,
    last_changed_at=MOMENT,
    committees=(
        CommitteeLink("hsif14", True, True, "Health Subcommittee", "House", "hsif00", "E&C"),
    ),
    witnesses=(Appearance(0, "jane-roe-1", "Dr. Jane Roe", "GAO", "Director"),),
)
# The views' own fields: labels and links, not the record's.
OWN = {"committees", "videos", "bills"}


def test_a_summary_and_a_hearing_view_read_every_field_of_the_record() -> None:
    summary = HearingSummary(MEETING)
    detail = hearing_detail(MEETING, {})
    for name in (f.name for f in fields(Meeting) if f.name not in OWN):
        assert getattr(summary, name) == getattr(MEETING, name)
        assert getattr(detail, name) == getattr(MEETING, name)
    assert summary.witness_count == 1 and summary.is_canceled is False


def test_an_unknown_name_is_an_attribute_error_even_half_built() -> None:
    with pytest.raises(AttributeError):
        HearingSummary(MEETING).no_such_field  # noqa: B018
    for view in (HearingSummary, HearingDetail):
        with pytest.raises(AttributeError):
            view.__new__(view).title  # noqa: B018


def test_views_copy_and_pickle() -> None:
    summary = HearingSummary(MEETING, committees=[("hsif14", "Health Subcommittee (E&C)")])
    assert copy.copy(summary).title == MEETING.title
    assert pickle.loads(pickle.dumps(summary)) == summary
