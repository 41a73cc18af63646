"""The replica serves what upstream gets wrong: a chosen list entry or item replaced by any JSON
value, or by bytes that are not JSON or not UTF-8, while the record keeps its place in the lists;
and a window in which every request is answered 429."""

from __future__ import annotations

import time

import httpx

from hearings.replica import ReplicaServer
from hearings.replica.overrides import Raw
from hearings.replica.server import build_replica

KEY = {"X-Api-Key": "replica-key"}
MEETING = "117214"  # a House meeting of the bundled corpus


def get(replica: ReplicaServer, path: str, **params: str | int) -> httpx.Response:
    query = {"format": "json", **params}
    return httpx.get(f"{replica.base_url}/{path}", params=query, headers=KEY, timeout=10)


def listed(replica: ReplicaServer) -> list[object]:
    entries: list[object] = get(replica, "committee-meeting/119/house", limit=250).json()[
        "committeeMeetings"
    ]
    return entries


def test_a_list_entry_is_replaced_in_place(replica: ReplicaServer) -> None:
    before = listed(replica)
    position = next(i for i, e in enumerate(before) if e["eventId"] == MEETING)  # type: ignore[index]
    replica.overrides.set_list_entry("meeting", MEETING, lambda e: {**e, "chamber": "Hosue"})
    after = listed(replica)
    assert after[position] == {**before[position], "chamber": "Hosue"}  # type: ignore[dict-item]
    assert after[:position] + after[position + 1 :] == before[:position] + before[position + 1 :]


def test_a_list_entry_can_be_any_json_value(replica: ReplicaServer) -> None:
    for value in (None, 42, "118001", [MEETING], True):
        replica.overrides.set_list_entry("meeting", MEETING, value)
        assert value in listed(replica)


def test_raw_bytes_go_on_the_wire_verbatim(replica: ReplicaServer) -> None:
    replica.overrides.set_list_entry(
        "meeting", MEETING, lambda e: {**e, "title": Raw(b'"\\ud800 \xff\x00"')}
    )
    body = get(replica, "committee-meeting/119/house", limit=250).content
    assert b'"title": "\\ud800 \xff\x00"' in body


def test_an_item_record_is_replaced_inside_the_real_envelope(replica: ReplicaServer) -> None:
    replica.overrides.set_item("meeting", MEETING, lambda m: {**m, "eventId": "117215"})
    body = get(replica, f"committee-meeting/119/house/{MEETING}").json()
    assert body["committeeMeeting"]["eventId"] == "117215"
    assert body["committeeMeeting"]["title"]  # the rest of the record is the corpus's
    assert body["request"]["eventId"] == MEETING


def test_an_item_body_is_served_byte_for_byte(replica: ReplicaServer) -> None:
    replica.overrides.set_item_body("hearing", 60035, b"[" * 100_000)
    response = get(replica, "hearing/119/house/60035")
    assert response.status_code == 200
    assert response.content == b"[" * 100_000


def test_clearing_restores_the_corpus(replica: ReplicaServer) -> None:
    original = get(replica, f"committee-meeting/119/house/{MEETING}").content
    replica.overrides.set_item_body("meeting", MEETING, b"{}")
    replica.overrides.clear()
    assert get(replica, f"committee-meeting/119/house/{MEETING}").content == original


def test_a_burst_answers_every_request_429_until_it_closes(replica: ReplicaServer) -> None:
    replica.faults.retry_after = 1
    # Long enough for three requests on a loaded machine (0.5 s was not, at times; 2 s left a
    # stall of 2 s to fail it).
    replica.faults.burst_429(5.0, after_requests=1)
    assert get(replica, "member/a000055").status_code == 200
    during = [get(replica, "member/a000055") for _ in range(3)]
    assert [r.status_code for r in during] == [429, 429, 429]
    assert during[0].headers["Retry-After"] == "1"
    assert replica.faults.in_burst()
    deadline = time.monotonic() + 30
    while replica.faults.in_burst():
        assert time.monotonic() < deadline, "the burst never closed"
        time.sleep(0.05)
    assert get(replica, "member/a000055").status_code == 200
    assert not replica.faults.in_burst()


def test_a_replica_can_be_built_with_a_burst_after_some_requests() -> None:
    server = build_replica(retry_after=2, burst_429_seconds=30, burst_after_requests=1)
    with server:
        assert get(server, "member/a000055").status_code == 200
        refused = get(server, "member/a000055")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "2"
