"""Lists across Congresses (`/committee-meeting?fromDateTime=…` with no Congress in the path):
every entry names its own Congress, the gate checks it against the entry's url, and the run keeps
only the entries of the Congresses (and chamber) it covers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from hearings.sync.gate import Listed, Quarantined, Request, Unnamed, admit_entry
from hearings.sync.listing import admit_entries, within
from hearings.sync.options import SyncOptions

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ACROSS = Request("meeting", None, None)


def entry(
    event_id: str, congress: object, chamber: str = "House", url_congress: int | None = None
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "chamber": chamber,
        "eventId": event_id,
        "updateDate": "2026-11-25T10:00:00Z",
    }
    if congress is not None:
        found["congress"] = congress
    if url_congress is not None:
        found["url"] = (
            f"https://api.congress.gov/v3/committee-meeting/{url_congress}/"
            f"{chamber.lower()}/{event_id}?format=json"
        )
    return found


def test_an_entry_of_a_list_across_congresses_keeps_its_own_congress() -> None:
    listed = admit_entry(ACROSS, entry("115538", 118, url_congress=118), now=NOW)

    assert isinstance(listed, Listed)
    assert (listed.congress, listed.chamber) == (118, "house")
    assert listed.request == Request("meeting", 118, "house", "115538")


def test_an_entry_without_a_congress_takes_its_urls() -> None:
    listed = admit_entry(ACROSS, entry("115538", None, url_congress=118), now=NOW)

    assert isinstance(listed, Listed) and listed.congress == 118


def test_an_entry_whose_congress_and_url_disagree_is_quarantined_under_its_url() -> None:
    refused = admit_entry(ACROSS, entry("115538", 119, url_congress=118), now=NOW)

    assert isinstance(refused, Quarantined)
    assert "congress 119" in refused.reason and "congress 118" in refused.reason
    assert refused.locator["congress"] == 118


def test_an_entry_that_names_no_congress_at_all_is_quarantined() -> None:
    refused = admit_entry(ACROSS, entry("115538", None), now=NOW)

    assert isinstance(refused, Quarantined)
    assert "names no congress" in refused.reason


@given(
    congress=st.one_of(st.none(), st.integers(-5, 300), st.text(max_size=5), st.booleans()),
    url_congress=st.one_of(st.none(), st.integers(1, 999)),
    chamber=st.sampled_from(["House", "Senate", "NoChamber", "Hosue", ""]),
)
def test_any_entry_across_congresses_is_listed_under_one_congress_or_refused(
    congress: object, url_congress: int | None, chamber: str
) -> None:
    result = admit_entry(ACROSS, entry("115538", congress, chamber, url_congress), now=NOW)

    assert isinstance(result, Listed | Quarantined | Unnamed)
    if isinstance(result, Listed):
        assert isinstance(result.congress, int)
        assert url_congress is None or result.congress == url_congress
        if isinstance(congress, int) and not isinstance(congress, bool):
            assert result.congress == congress


def test_a_run_keeps_the_entries_of_its_congresses_and_chamber() -> None:
    entries = [
        entry("1", 117, url_congress=117),
        entry("2", 118, url_congress=118),
        entry("3", 119, "Senate", url_congress=119),
        entry("4", 119, url_congress=118),  # refused, and located in the 118th
        entry("5", 116, url_congress=119),  # refused, and located in the 119th
    ]
    listing = admit_entries(ACROSS, entries, NOW)
    both = SyncOptions(congress=119, congresses=(118, 119))
    house = SyncOptions(congress=119, congresses=(118, 119), chamber="house")

    kept = within(listing, both)
    only_house = within(listing, house)

    assert sorted(e.identifier for e in kept.listed) == ["2", "3"]
    assert sorted(q.identifier for q in kept.refused) == ["4", "5"]
    assert kept.ignored == 1
    assert [e.identifier for e in only_house.listed] == ["2"]
    assert only_house.ignored == 2


def test_options_for_several_congresses_list_across_them() -> None:
    several = SyncOptions(congress=119, congresses=(119, 118))

    assert several.selected == (118, 119)
    assert several.across_congresses and several.list_congress is None
    assert several.for_congress(118).selected == (118,)
    assert SyncOptions(congress=119).list_congress == 119
