"""Members' chambers in the bundled corpus, as the replica lists and serves them: every state has
two senators, and a state with one House seat, the District of Columbia and the territories send
one member each to the House, in a body shaped like the real member items in tests/samples."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from hearings.congress_api.client import CongressClient
from hearings.replica.list_entries import STATE_NAMES

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
# One House seat each in the 119th Congress (2023 apportionment).
AT_LARGE_STATES = {"AK", "DE", "ND", "SD", "VT", "WY"}
# Not states: the District of Columbia and the territories elect no senators.
NON_STATES = {"AS", "DC", "GU", "MP", "PR", "VI"}
HOUSE = "House of Representatives"


def latest_chamber(entry: dict[str, Any]) -> str:
    return str(entry["terms"]["item"][-1]["chamber"])


def test_every_state_has_two_senators_and_nobody_else_is_listed_as_one(
    replica_client: CongressClient,
) -> None:
    listed = list(replica_client.list_members(119))
    codes = {name: code for code, name in STATE_NAMES.items()}
    senators = Counter(codes[m["state"]] for m in listed if latest_chamber(m) == "Senate")
    states = set(STATE_NAMES) - NON_STATES
    assert len(states) == 50
    assert senators == dict.fromkeys(states, 2)
    house = Counter(codes[m["state"]] for m in listed if latest_chamber(m) == HOUSE)
    assert {c: house[c] for c in AT_LARGE_STATES | NON_STATES} == dict.fromkeys(
        AT_LARGE_STATES | NON_STATES, 1
    )
    assert len(listed) == sum(senators.values()) + sum(house.values())


def real_member_lists() -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(SAMPLES.glob("**/member-list*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8"))["members"]:
            entries[entry["bioguideId"]] = entry
    return entries


def test_bundled_members_in_the_real_samples_are_in_the_chamber_the_real_api_lists(
    replica_client: CongressClient,
) -> None:
    real = real_member_lists()
    listed = {m["bioguideId"]: latest_chamber(m) for m in replica_client.list_members(119)}
    shared = sorted(real.keys() & listed.keys())
    assert {latest_chamber(real[b]) for b in shared} == {HOUSE, "Senate"}
    assert {b: listed[b] for b in shared} == {b: latest_chamber(real[b]) for b in shared}


def test_at_large_representatives_and_delegates_are_served_as_real_house_members_are(
    replica_client: CongressClient,
) -> None:
    # A real House member's item names the chamber, the member type and the district on its
    # term; a delegate's real item (Plaskett, P000610, 2024) has no district at all, and the API
    # documents district 0 for a state with one House seat. A senator has no district.
    real = json.loads((SAMPLES / "member-item.json").read_text(encoding="utf-8"))["member"]
    real_term_keys = set(real["terms"][-1])
    codes = {name: code for code, name in STATE_NAMES.items()}
    served: Counter[tuple[object, ...]] = Counter()
    for entry in replica_client.list_members(119):
        if codes[entry["state"]] not in AT_LARGE_STATES | NON_STATES:
            continue
        member = replica_client.get_member(entry["bioguideId"])
        term = member["terms"][-1]
        served[
            term["stateCode"],
            term["chamber"],
            term["memberType"],
            member.get("district", "none"),
            term.get("district", "none"),
            set(term) | {"district"} == real_term_keys,
        ] += 1
    assert served == {
        **{(c, "Senate", "Senator", "none", "none", True): 2 for c in AT_LARGE_STATES},
        **{(c, HOUSE, "Representative", 0, 0, True): 1 for c in AT_LARGE_STATES},
        **{(c, HOUSE, "Delegate", "none", "none", True): 1 for c in NON_STATES - {"PR"}},
        ("PR", HOUSE, "Resident Commissioner", "none", "none", True): 1,
    }
