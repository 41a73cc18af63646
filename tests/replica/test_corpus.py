"""The replica's corpus: what it loads, how lists are derived, how it changes and scales."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from hearings.congress_api.models import parse_api_datetime
from hearings.replica import DEFAULT_CORPUS_DIR, Corpus
from hearings.replica.records import Kind

BASE = "http://replica.test/v3"


def list_page(corpus: Corpus, kind: Kind, **window: Any) -> tuple[list[dict[str, Any]], int]:
    """One page of list entries as the replica's server builds it: the window's records, each
    summarized as a list entry."""
    records, count = corpus.list_records(kind, **window)
    return [corpus.summary(record, BASE) for record in records], count


def test_the_packaged_corpus_loads_every_kind(packaged_corpus: Corpus) -> None:
    assert packaged_corpus.count("meeting") == 150
    assert packaged_corpus.count("hearing") == 11
    assert packaged_corpus.count("committee") == 214
    assert packaged_corpus.count("member") == 538
    assert packaged_corpus.source_dir == DEFAULT_CORPUS_DIR


def test_corpus_metadata_keys_are_stripped(packaged_corpus: Corpus) -> None:
    committee = packaged_corpus.committee("hsag00")
    member = packaged_corpus.member("A000055")
    assert committee is not None and member is not None
    assert not [k for k in committee if k.startswith("_")]
    assert not [k for k in member if k.startswith("_")]


def test_lookups_ignore_case(packaged_corpus: Corpus) -> None:
    assert packaged_corpus.member("a000055") == packaged_corpus.member("A000055") is not None
    assert packaged_corpus.committee("HSAG00") is not None


def test_lists_are_newest_first_with_ties_broken_by_id(packaged_corpus: Corpus) -> None:
    entries, count = list_page(packaged_corpus, "meeting", congress=119, chamber="house", limit=250)
    assert count == len(entries) == 80
    keys = [(-_instant(e["updateDate"]), int(e["eventId"])) for e in entries]
    assert keys == sorted(keys)


def test_a_window_compares_both_date_formats_as_instants(packaged_corpus: Corpus) -> None:
    # 118104 carries the old format "2025-10-01 19:06:36+00:00".
    old_style = packaged_corpus.meeting("118104")
    assert old_style is not None and " " in old_style["updateDate"]
    moment = _instant(old_style["updateDate"])
    since = datetime.fromtimestamp(moment, UTC)
    entries, count = list_page(packaged_corpus, "meeting", since=since, limit=250)
    assert "118104" in {e["eventId"] for e in entries}
    assert all(_instant(e["updateDate"]) >= moment for e in entries)
    everything = [packaged_corpus.meeting(i) for i in packaged_corpus.ids("meeting")]
    assert count == sum(1 for m in everything if m and _instant(m["updateDate"]) >= moment)

    until_entries, until_count = list_page(packaged_corpus, "meeting", until=since, limit=250)
    assert "118104" in {e["eventId"] for e in until_entries}
    assert count + until_count == 150 + 1  # the boundary record is in both windows


def test_membership_of_a_congress(packaged_corpus: Corpus) -> None:
    _, committees = list_page(packaged_corpus, "committee", congress=119)
    _, members = list_page(packaged_corpus, "member", congress=119)
    _, nothing = list_page(packaged_corpus, "meeting", congress=118)
    assert (committees, members, nothing) == (214, 538, 0)


def test_list_entries_are_shaped_like_the_real_lists(packaged_corpus: Corpus) -> None:
    [meeting] = list_page(packaged_corpus, "meeting", congress=119, limit=1)[0]
    assert set(meeting) == {"chamber", "congress", "eventId", "updateDate", "url"}
    [hearing] = list_page(packaged_corpus, "hearing", congress=119, limit=1)[0]
    assert set(hearing) == {"chamber", "congress", "jacketNumber", "updateDate", "url"}
    assert isinstance(hearing["jacketNumber"], int) and "?" not in hearing["url"]
    committees, _ = list_page(packaged_corpus, "committee", limit=250)
    sub = next(c for c in committees if c["systemCode"] == "hsag14")
    assert sub["committeeTypeCode"] == "Standing"  # the parent's code, as the real list has
    assert sub["parent"]["systemCode"] == "hsag00"
    assert sub["name"] and sub["chamber"] == "House"
    parent = next(c for c in committees if c["systemCode"] == "hsag00")
    assert {s["systemCode"] for s in parent["subcommittees"]} >= {"hsag14", "hsag15"}
    members, _ = list_page(packaged_corpus, "member", congress=119, limit=250)
    aderholt = next(m for m in members if m["bioguideId"] == "A000055")
    assert aderholt["name"] == "Aderholt, Robert B."
    assert aderholt["state"] == "Alabama" and aderholt["partyName"] == "Republican"
    assert aderholt["terms"] == {
        "item": [{"chamber": "House of Representatives", "startYear": 2025}]
    }


def test_edits_replace_records_and_stay_in_their_copy(packaged_corpus: Corpus) -> None:
    corpus = packaged_corpus.copy()
    meeting = corpus.meeting("117214")
    assert meeting is not None
    meeting["title"] = "Edited"
    meeting["updateDate"] = "2030-01-01T00:00:00Z"
    corpus.put_meeting({"committeeMeeting": meeting, "request": {}})
    assert corpus.meeting("117214")["title"] == "Edited"  # type: ignore[index]
    assert packaged_corpus.meeting("117214")["title"] != "Edited"  # type: ignore[index]
    [newest], _ = list_page(corpus, "meeting", limit=1)
    assert newest["eventId"] == "117214"

    assert corpus.remove_meeting("117214") and corpus.meeting("117214") is None
    assert not corpus.remove_meeting("117214")
    assert corpus.remove_member("a000055") and corpus.remove_committee("hsag00")
    assert corpus.remove_printed_hearing(corpus.ids("hearing")[0])
    corpus.reload()
    assert corpus.meeting("117214")["title"] != "Edited"  # type: ignore[index]
    assert len(corpus) == len(packaged_corpus)


def test_a_returned_record_is_a_private_copy(packaged_corpus: Corpus) -> None:
    first = packaged_corpus.meeting("117214")
    assert first is not None
    first["title"] = "scribbled"
    assert packaged_corpus.meeting("117214")["title"] != "scribbled"  # type: ignore[index]


def test_put_committee_and_member_place_them_in_congresses(packaged_corpus: Corpus) -> None:
    corpus = packaged_corpus.copy()
    corpus.put_committee(
        {"systemCode": "hszz00", "type": "Select", "updateDate": "2026-01-01T00:00:00Z"},
        chamber="House",
        congresses=[119],
    )
    [entry], _ = list_page(corpus, "committee", congress=119, limit=1)
    assert entry["systemCode"] == "hszz00" and entry["chamber"] == "House"
    corpus.put_member(
        {
            "bioguideId": "Z999999",
            "updateDate": "2026-01-01T00:00:00Z",
            "terms": [{"chamber": "Senate", "congress": 120, "stateCode": "VT"}],
        }
    )
    [member], count = list_page(corpus, "member", congress=120)
    assert count == 1 and member["state"] == "Vermont"


def test_put_rejects_a_record_without_its_id(packaged_corpus: Corpus) -> None:
    with pytest.raises(ValueError, match="eventId"):
        packaged_corpus.copy().put_meeting(
            {"congress": 119, "chamber": "House", "updateDate": "2026-01-01T00:00:00Z"}
        )


def test_scaled_corpus_has_exactly_n_distinct_meetings(packaged_corpus: Corpus) -> None:
    scaled = packaged_corpus.scaled(1000)
    ids = scaled.ids("meeting")
    assert len(ids) == len(set(ids)) == 1000
    assert set(packaged_corpus.ids("meeting")) <= set(ids)
    assert scaled.count("member") == 538  # other kinds are shared, not scaled
    entries, count = list_page(scaled, "meeting", congress=119, limit=250)
    assert count == 1000
    assert [e["updateDate"] for e in entries] == sorted(
        (e["updateDate"] for e in entries), key=_instant, reverse=True
    )
    middle, _ = list_page(scaled, "meeting", limit=250, offset=500)
    assert len({e["updateDate"] for e in middle}) == 250  # spread: no two clones share a date
    assert packaged_corpus.scaled(10).count("meeting") == 10


def test_a_clone_is_its_template_under_a_new_id(packaged_corpus: Corpus) -> None:
    scaled = packaged_corpus.scaled(400)
    clone_id = next(i for i in scaled.ids("meeting") if int(i) >= 1_000_000)
    clone = scaled.meeting(clone_id)
    assert clone is not None
    assert clone["eventId"] == clone_id
    assert "hearingTranscript" not in clone
    text = json.dumps(clone)
    record = scaled.record("meeting", clone_id)
    assert record is not None and record.clone_of is not None
    assert f"/{record.clone_of.ident}/" not in text
    assert clone["updateDate"] == record.update_date


def test_a_scaled_corpus_reloads_to_the_same_scale(packaged_corpus: Corpus) -> None:
    scaled = packaged_corpus.scaled(300)
    scaled.remove_meeting(scaled.ids("meeting")[0])
    scaled.reload()
    assert scaled.count("meeting") == 300


def _instant(text: str) -> float:
    moment = parse_api_datetime(text)
    assert moment is not None
    return moment.timestamp()
