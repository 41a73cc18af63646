"""The replica over real HTTP on loopback: it answers like Congress.gov, and fails on demand."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from hearings.replica import DEFAULT_CORPUS_DIR, Corpus, Faults, ReplicaServer
from hearings.replica.answers import api_json

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
KEY = {"X-Api-Key": "replica-key"}
# One client for the module: a fresh httpx.get() per call builds an SSL context each time.
HTTP = httpx.Client(timeout=10)


def get(replica: ReplicaServer, path: str, **params: str | int) -> httpx.Response:
    query = {"format": "json", **params}
    return HTTP.get(f"{replica.base_url}/{path}", params=query, headers=KEY)


def test_an_item_is_served_byte_for_byte_like_the_api(replica: ReplicaServer) -> None:
    response = get(replica, "committee-meeting/119/house/117214")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    stored = DEFAULT_CORPUS_DIR / "committee-meeting/119/house/117214.json"
    assert response.content == stored.read_bytes()
    assert not response.content.endswith(b"\n")


def test_items_of_every_kind_without_corpus_metadata(replica: ReplicaServer) -> None:
    hearing = get(replica, "hearing/119/house/60035").json()
    committee = get(replica, "committee/house/hsag00").json()
    member = get(replica, "member/A000055").json()
    assert hearing["hearing"]["jacketNumber"] == 60035
    assert committee["committee"]["systemCode"] == "hsag00"
    assert "_congresses" not in committee["committee"]
    assert "_congresses" not in member["member"]
    assert member["request"] == {
        "bioguideId": "a000055",
        "contentType": "application/json",
        "format": "json",
    }


def test_ids_and_chambers_are_case_insensitive(replica: ReplicaServer) -> None:
    assert get(replica, "member/a000055").status_code == 200
    assert get(replica, "committee/HOUSE/HSAG00").status_code == 200
    assert get(replica, "committee-meeting/119/House/117214").status_code == 200


def test_unknown_resources_get_the_real_404_shape(replica: ReplicaServer) -> None:
    for path in ("committee-meeting/119/house/999999", "bill/119/hr/1", "member/Z000000"):
        response = get(replica, path)
        assert response.status_code == 404
        assert response.json() == {"error": f"Unknown resource: {path}"}
    # The right id under the wrong chamber does not exist either.
    assert get(replica, "committee-meeting/119/senate/117214").status_code == 404


def test_without_a_key_the_gateway_answers_403(replica: ReplicaServer) -> None:
    response = HTTP.get(f"{replica.base_url}/committee-meeting/119/house?format=json")
    assert response.status_code == 403
    expected = json.loads((SAMPLES / "errors/403-api-key-missing.json").read_text())
    assert response.json() == expected
    by_query = HTTP.get(f"{replica.base_url}/member/A000055?format=json&api_key=DEMO_KEY")
    assert by_query.status_code == 200


def test_a_server_with_known_keys_rejects_others(replica_corpus: Corpus) -> None:
    with ReplicaServer(replica_corpus, api_keys={"good"}) as server:
        bad = HTTP.get(f"{server.base_url}/member/A000055?format=json", headers={"X-Api-Key": "x"})
        good = HTTP.get(f"{server.base_url}/member/A000055?format=json&api_key=good")
    expected = json.loads((SAMPLES / "errors/403-api-key-invalid.json").read_text())
    assert (bad.status_code, bad.json()) == (403, expected)
    assert good.status_code == 200


def test_without_format_json_the_answer_is_xml(replica: ReplicaServer) -> None:
    response = HTTP.get(f"{replica.base_url}/committee-meeting/119/house", headers=KEY)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml"
    ET.fromstring(response.content)  # well-formed


def test_rate_limit_headers(replica: ReplicaServer) -> None:
    first = get(replica, "member/A000055")
    second = get(replica, "member/A000055")
    assert first.headers["X-RateLimit-Limit"] == "5000"
    assert int(first.headers["X-RateLimit-Remaining"]) - 1 == int(
        second.headers["X-RateLimit-Remaining"]
    )


def test_lists_page_like_the_api(replica: ReplicaServer) -> None:
    first = get(replica, "committee-meeting/119/house").json()
    assert len(first["committeeMeetings"]) == 20  # the default limit
    assert first["pagination"]["count"] == 80
    assert "prev" not in first["pagination"]
    assert first["request"] == {
        "chamber": "house",
        "congress": "119",
        "contentType": "application/json",
        "format": "json",
    }
    nxt = parse_qs(urlsplit(first["pagination"]["next"]).query)
    assert (nxt["offset"], nxt["limit"], nxt["format"]) == (["20"], ["20"], ["json"])

    last = get(replica, "committee-meeting/119/house", offset=60, limit=30).json()
    assert len(last["committeeMeetings"]) == 20
    assert "next" not in last["pagination"]
    assert parse_qs(urlsplit(last["pagination"]["prev"]).query)["offset"] == ["30"]

    pages = [
        get(replica, "committee-meeting/119/house", offset=o, limit=30).json() for o in (0, 30, 60)
    ]
    ids = [m["eventId"] for p in pages for m in p["committeeMeetings"]]
    assert len(ids) == len(set(ids)) == 80


def test_a_limit_above_250_is_silently_250(replica_corpus: Corpus) -> None:
    with ReplicaServer(replica_corpus.scaled(300)) as server:
        body = get(server, "committee-meeting/119", limit=1000).json()
    assert len(body["committeeMeetings"]) == 250
    assert body["pagination"]["count"] == 300


def test_next_links_never_carry_the_key(replica: ReplicaServer) -> None:
    response = HTTP.get(
        f"{replica.base_url}/member/congress/119?format=json&api_key=SECRETKEY&limit=5&offset=5"
    )
    pagination = response.json()["pagination"]
    assert "SECRETKEY" not in pagination["next"] + pagination["prev"]
    assert "api_key" not in pagination["next"] + pagination["prev"]


def test_every_list_route_answers(replica: ReplicaServer) -> None:
    routes = {
        "committee-meeting/119/house": ("committeeMeetings", 80),
        "committee-meeting/119": ("committeeMeetings", 150),
        "hearing/119/house": ("hearings", 11),
        "hearing/119": ("hearings", 11),
        "committee/119/house": ("committees", None),
        "committee/119": ("committees", 214),
        "member/congress/119": ("members", 538),
    }
    for path, (key, count) in routes.items():
        body = get(replica, path, limit=1).json()
        assert len(body[key]) == 1, path
        if count is not None:
            assert body["pagination"]["count"] == count, path
    committee_list = get(replica, "committee/119/house").json()
    assert committee_list["request"] == {
        "chamber": "house",
        "contentType": "application/json",
        "format": "json",
    }
    assert get(replica, "member/congress/119").json()["request"] == {
        "contentType": "application/json",
        "format": "json",
    }


def test_the_update_window_filters_on_update_date(replica: ReplicaServer) -> None:
    every = get(replica, "committee-meeting/119", limit=250).json()["committeeMeetings"]
    recent = get(replica, "committee-meeting/119", limit=250, fromDateTime="2025-10-01T19:00:00Z")
    older = get(replica, "committee-meeting/119", limit=250, toDateTime="2025-10-01T18:59:59Z")
    n_recent = recent.json()["pagination"]["count"]
    n_older = older.json()["pagination"]["count"]
    assert 0 < n_recent < len(every)
    assert n_recent + n_older == len(every)
    next_link = get(replica, "committee-meeting/119", limit=1, fromDateTime="2025-10-01T19:00:00Z")
    assert "fromDateTime=2025-10-01T19%3A00%3A00Z" in next_link.json()["pagination"]["next"]
    bad = get(replica, "committee-meeting/119", fromDateTime="yesterday")
    assert bad.status_code == 400


def test_scripted_faults_answer_in_order_then_stop(replica: ReplicaServer) -> None:
    replica.faults.fail_next(1, "500")
    replica.faults.fail_next(1, "429")
    replica.faults.fail_next(1, "truncated")
    first, second, third, fourth = (get(replica, "member/A000055") for _ in range(4))
    assert first.status_code == 500 and "error" in first.json()
    assert second.status_code == 429 and second.headers["Retry-After"] == "0"
    assert second.json()["error"]["code"] == "OVER_RATE_LIMIT"
    assert third.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(third.content)
    assert fourth.status_code == 200 and fourth.json()["member"]["bioguideId"] == "A000055"
    assert replica.faults.pending() == 0


def test_faults_can_target_one_path(replica: ReplicaServer) -> None:
    replica.faults.fail_next(2, "503", path=r"/member/")
    assert get(replica, "committee/house/hsag00").status_code == 200
    assert get(replica, "member/A000055").status_code == 503
    assert get(replica, "member/A000055").status_code == 503
    assert get(replica, "member/A000055").status_code == 200


def test_a_timeout_fault_stalls_past_the_client_timeout(replica: ReplicaServer) -> None:
    replica.faults.timeout_seconds = 1.0
    replica.faults.fail_next(1, "timeout")
    with pytest.raises(httpx.ReadTimeout):
        HTTP.get(f"{replica.base_url}/member/A000055?format=json", headers=KEY, timeout=0.2)
    assert get(replica, "member/A000055").status_code == 200


def test_a_disconnect_fault_hangs_up(replica: ReplicaServer) -> None:
    replica.faults.fail_next(1, "disconnect")
    with pytest.raises(httpx.RemoteProtocolError):
        get(replica, "member/A000055")


def test_random_faults_are_deterministic_for_a_seed() -> None:
    def draws(seed: int) -> list[str | None]:
        faults = Faults(fault_rate=0.5, seed=seed)
        return [faults.draw("/v3/member/A000055") for _ in range(200)]

    assert draws(7) == draws(7)
    drawn = draws(7)
    assert {d for d in drawn if d} == {"500", "429", "truncated"}
    assert 60 < sum(1 for d in drawn if d) < 140
    assert Faults(fault_rate=0.0).draw("/v3/x") is None


def test_rate_limit_answers_429_once_the_hour_is_spent(replica: ReplicaServer) -> None:
    replica.faults.rate_limit = 3
    statuses = [get(replica, "member/A000055").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    replica.reset_counters()
    assert get(replica, "member/A000055").status_code == 200


def test_requests_are_counted_by_route_kind_and_status(replica: ReplicaServer) -> None:
    get(replica, "member/A000055")
    get(replica, "committee-meeting/119/house")
    get(replica, "nothing/here")
    assert replica.request_count == 3
    snapshot = replica.stats.snapshot()
    assert snapshot["by_kind"] == {"member_item": 1, "meeting_list": 1, "unknown": 1}
    assert snapshot["by_status"] == {"200": 2, "404": 1}
    replica.stats.reset()
    assert replica.request_count == 0


def test_concurrent_requests_are_served_and_counted(replica: ReplicaServer) -> None:
    replica.faults.latency_ms = 20
    ids = replica.corpus.ids("meeting")[:24]
    results: list[int] = []

    def fetch(event_id: str) -> None:
        chamber = replica.corpus.record("meeting", event_id).chamber  # type: ignore[union-attr]
        results.append(get(replica, f"committee-meeting/119/{chamber}/{event_id}").status_code)

    threads = [threading.Thread(target=fetch, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 24
    assert replica.request_count == 24
    assert replica.stats.snapshot()["in_flight"] == 0


def test_corpus_edits_show_while_running_and_reload_undoes_them(replica: ReplicaServer) -> None:
    meeting = replica.corpus.meeting("117214")
    assert meeting is not None
    meeting["title"] = "Changed upstream"
    replica.corpus.put_meeting(meeting)
    assert get(replica, "committee-meeting/119/house/117214").json()["committeeMeeting"][
        "title"
    ] == ("Changed upstream")
    reloaded = HTTP.post(f"{replica.base_url.removesuffix('/v3')}/_replica/reload")
    assert reloaded.status_code == 200 and reloaded.json()["counts"]["meeting"] == 150
    title = get(replica, "committee-meeting/119/house/117214").json()["committeeMeeting"]["title"]
    assert title != "Changed upstream"


def test_the_server_serializes_like_the_api() -> None:
    assert api_json({"b": 1, "a": "“x”"}) == '{\n    "a": "“x”",\n    "b": 1\n}'.encode()


def test_start_returns_the_base_url_and_stop_frees_the_port(replica_corpus: Corpus) -> None:
    server = ReplicaServer(replica_corpus)
    base_url = server.start()
    assert base_url == server.base_url
    assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v3")
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(httpx.ConnectError):
        HTTP.get(f"{base_url}/member/A000055?format=json", headers=KEY, timeout=2)


def test_every_stored_item_is_served_as_stored_minus_metadata(replica: ReplicaServer) -> None:
    for path in sorted(DEFAULT_CORPUS_DIR.rglob("*.json")):
        stored = json.loads(path.read_bytes())
        for record in stored.values():
            for key in [k for k in record if k.startswith("_")]:
                del record[key]
        route = path.relative_to(DEFAULT_CORPUS_DIR).with_suffix("").as_posix()
        response = get(replica, route)
        assert response.content == api_json(stored), route


def test_a_clone_is_serialized_like_the_api(packaged_corpus: Corpus) -> None:
    scaled = packaged_corpus.scaled(200)
    record = next(scaled.record("meeting", i) for i in scaled.ids("meeting") if len(i) > 6)
    assert record is not None and record.clone_of is not None
    with ReplicaServer(scaled) as server:
        response = get(server, f"committee-meeting/119/{record.chamber}/{record.ident}")
    request = {
        "chamber": record.chamber,
        "congress": "119",
        "contentType": "application/json",
        "eventId": record.ident,
        "format": "json",
    }
    assert response.content == api_json(
        {"committeeMeeting": scaled.body(record), "request": request}
    )


def test_a_bad_file_found_on_reload_is_named_and_the_corpus_kept(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "congress-119"
    shutil.copytree(DEFAULT_CORPUS_DIR, folder)
    server = ReplicaServer(Corpus.load(folder))
    server.start()
    try:
        broken = next((folder / "committee-meeting").rglob("*.json"))
        broken.write_text("{ not json")
        answer = HTTP.post(f"{server.base_url.removesuffix('/v3')}/_replica/reload")
        assert answer.status_code == 422
        error = answer.json()["error"]
        assert str(broken) in error and error.endswith("the corpus was not reloaded")
        assert server.corpus.count("meeting") == 150  # still serving what it had
    finally:
        server.stop()
