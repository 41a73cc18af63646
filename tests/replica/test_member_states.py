"""Members' states in the bundled corpus, checked against the real member bodies in
tests/samples: a member is listed and served with the state Congress.gov gives them, written as
the API writes it (the state's name, with its postal code and name on each term)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hearings.congress_api.client import CongressClient
from hearings.replica import Corpus
from hearings.replica.list_entries import STATE_NAMES

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
REAL_MEMBER_LISTS = [
    SAMPLES / "member-list.json",
    SAMPLES / "variants" / "member-list-all-2025.json",
    SAMPLES / "variants" / "member-list-congress-117-ny-2025.json",
]
REAL_MEMBER_ITEMS = [
    SAMPLES / "member-item.json",
    SAMPLES / "variants" / "member-item-L000174-2025.json",
]


def real_states() -> dict[str, str]:
    """The state each member of the real list samples is listed under, by bioguide id."""
    states: dict[str, str] = {}
    for path in REAL_MEMBER_LISTS:
        for entry in json.loads(path.read_text(encoding="utf-8"))["members"]:
            states[entry["bioguideId"]] = entry["state"]
    return states


def test_bundled_members_are_listed_and_served_in_the_state_the_real_api_names(
    replica_client: CongressClient,
) -> None:
    real = real_states()
    listed = {m["bioguideId"]: m["state"] for m in replica_client.list_members(119)}
    shared = sorted(real.keys() & listed.keys())
    served = {b: replica_client.get_member(b)["state"] for b in shared}
    assert len(shared) == 33  # 19 New Yorkers, and 14 members of nine other states
    assert {b: listed[b] for b in shared} == {b: real[b] for b in shared}
    assert served == {b: real[b] for b in shared}


def state_naming_faults(member: dict[str, Any]) -> list[str]:
    """How a member item names its state unlike a real one: a real item's `state` is its latest
    term's `stateName`, and each term's `stateName` is the name of its `stateCode`."""
    terms = member.get("terms") or []
    faults = [
        f"term {t.get('congress')}: {t.get('stateCode')!r} named {t.get('stateName')!r}"
        for t in terms
        if STATE_NAMES.get(str(t.get("stateCode"))) is None
        or STATE_NAMES[str(t.get("stateCode"))] != t.get("stateName")
    ]
    if not terms or member.get("state") != terms[-1].get("stateName"):
        faults.append(f"state {member.get('state')!r}")
    return faults


def test_every_bundled_member_names_its_state_as_a_real_member_item_does(
    packaged_corpus: Corpus,
) -> None:
    for path in REAL_MEMBER_ITEMS:
        assert state_naming_faults(json.loads(path.read_text(encoding="utf-8"))["member"]) == []
    faults = {}
    for bioguide_id in packaged_corpus.ids("member"):
        member = packaged_corpus.member(bioguide_id)
        assert member is not None
        if found := state_naming_faults(member):
            faults[bioguide_id] = found
    assert faults == {}
