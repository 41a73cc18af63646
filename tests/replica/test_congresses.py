"""The replica holds several Congresses at once: the bundled 118th and 119th, per-Congress lists
that stay within their Congress, and the API's cross-Congress lists (`/committee-meeting`,
`/hearing`, `/committee`, `/member`) with the same paging and update window."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearings.congress_api.models import parse_api_datetime
from hearings.replica import BUNDLED_CORPUS_DIR, DEFAULT_CORPUS_DIR, Corpus, ReplicaServer
from hearings.replica.records import LIST_KEY, Kind

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
KEY = {"X-Api-Key": "replica-key"}
HTTP = httpx.Client(timeout=10)
CONGRESS_118 = BUNDLED_CORPUS_DIR / "congress-118"
ID_FIELD = {"meeting": "eventId", "hearing": "jacketNumber", "committee": "systemCode"}
ID_FIELD["member"] = "bioguideId"
LIST_PATH: dict[Kind, str] = {
    "meeting": "committee-meeting",
    "hearing": "hearing",
    "committee": "committee",
    "member": "member",
}


@pytest.fixture(scope="module")
def both_congresses() -> Corpus:
    """The bundled corpus: the 119th Congress and a small 118th. Do not edit it: copy it."""
    return Corpus.load(BUNDLED_CORPUS_DIR)


@pytest.fixture
def replica(both_congresses: Corpus) -> Iterator[ReplicaServer]:
    with ReplicaServer(both_congresses.copy()) as server:
        yield server


def get(replica: ReplicaServer, path: str, **params: str | int) -> dict[str, Any]:
    response = HTTP.get(
        f"{replica.base_url}/{path}", params={"format": "json", **params}, headers=KEY
    )
    assert response.status_code == 200, (path, response.text)
    answer: dict[str, Any] = response.json()
    return answer


def every_page(
    replica: ReplicaServer, path: str, limit: int, **params: str
) -> list[dict[str, Any]]:
    """Follow `pagination.next` from offset 0; every page's count must agree."""
    key = LIST_KEY[next(k for k, p in LIST_PATH.items() if path.startswith(p))]
    first = get(replica, path, limit=limit, **params)
    entries, count = list(first[key]), first["pagination"]["count"]
    link = first["pagination"].get("next")
    while link:
        query = parse_qs(urlsplit(link).query)
        assert urlsplit(link).path == urlsplit(f"{replica.base_url}/{path}").path
        page = get(replica, path, **{k: v[0] for k, v in query.items()})
        assert page["pagination"]["count"] == count
        entries.extend(page[key])
        link = page["pagination"].get("next")
    assert len(entries) == count
    return entries


def instant(text: str) -> datetime:
    moment = parse_api_datetime(text)
    assert moment is not None
    return moment


# ---- the bundled corpus ---------------------------------------------------------------------


def test_the_bundled_corpus_holds_the_119th_and_a_small_118th(both_congresses: Corpus) -> None:
    per_congress = {
        congress: both_congresses.list_records("meeting", congress=congress, limit=0)[1]
        for congress in (118, 119)
    }
    assert per_congress == {118: 10, 119: 150}
    assert both_congresses.congresses() == (118, 119)
    assert both_congresses.count("meeting") == 160
    assert both_congresses.list_records("hearing", congress=118, limit=0)[1] == 1
    # The real 118th meeting, as recorded in 2023 (old date format, printed hearing 51692).
    real = json.loads(
        (SAMPLES / "variants/committee-meeting-item-118-house-115538-2023.json").read_text()
    )
    assert both_congresses.meeting("115538") == real["committeeMeeting"]


def test_committees_keep_their_system_codes_across_congresses(both_congresses: Corpus) -> None:
    natural_resources = both_congresses.record("committee", "hsii00")
    appropriations = both_congresses.record("committee", "hsap00")
    assert natural_resources is not None and natural_resources.congresses == (118, 119)
    assert appropriations is not None and appropriations.congresses == (119,)
    codes_118 = {
        r.ident for r in both_congresses.list_records("committee", congress=118, limit=250)[0]
    }
    named = {
        c["systemCode"]
        for r in both_congresses.list_records("meeting", congress=118, limit=250)[0]
        for c in both_congresses.body(r).get("committees") or []
    }
    assert named <= codes_118


@pytest.mark.parametrize("folder", ["congress-118", "congress-119"])
def test_each_bundled_congress_names_only_committees_it_holds(folder: str) -> None:
    # An import fetches every committee a meeting or printed hearing names, every parent and
    # every listed subcommittee: each bundled folder serves all of them on its own.
    corpus = Corpus.load(BUNDLED_CORPUS_DIR / folder)
    named: set[str] = set()
    for kind in ("meeting", "hearing"):
        for record in corpus.iter_records(kind):
            named.update(c["systemCode"] for c in corpus.body(record).get("committees") or [])
    for record in corpus.iter_records("committee"):
        body = corpus.body(record)
        named.update(s["systemCode"] for s in body.get("subcommittees") or [])
        named.update([body["parent"]["systemCode"]] if body.get("parent") else [])
    assert {code for code in named if corpus.record("committee", code) is None} == set()


def test_a_folder_of_congress_folders_loads_like_the_list_of_them(both_congresses: Corpus) -> None:
    listed = Corpus.load([CONGRESS_118, DEFAULT_CORPUS_DIR])
    kinds: tuple[Kind, ...] = ("meeting", "hearing", "committee", "member")
    for kind in kinds:
        assert sorted(listed.ids(kind)) == sorted(both_congresses.ids(kind))
    alone = Corpus.load(CONGRESS_118)
    assert alone.count("meeting") == 10
    judiciary = [c.record("committee", "ssju00") for c in (listed, alone)]
    assert [r.congresses if r else None for r in judiciary] == [(118, 119), (118,)]


def test_a_folder_without_a_corpus_is_refused_in_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    with pytest.raises(ValueError, match=r"is not a corpus folder") as refused:
        Corpus.load(tmp_path)
    assert str(refused.value).count(". ") == 0


def test_in_one_folder_of_two_congresses_a_committee_belongs_to_both(tmp_path: Path) -> None:
    # A single corpus folder filing meetings under 118/ and 119/, its committee file silent
    # about Congresses: the committee is listed under both, as its system code persists.
    for congress, event_id in ((118, "115538"), (119, "117214")):
        source = next(
            BUNDLED_CORPUS_DIR.glob(f"congress-{congress}/committee-meeting/*/*/{event_id}.json")
        )
        target = tmp_path / "committee-meeting" / str(congress) / "house" / source.name
        target.parent.mkdir(parents=True)
        target.write_bytes(source.read_bytes())
    (tmp_path / "committee" / "house").mkdir(parents=True)
    committee = {"name": "Natural Resources Committee", "systemCode": "hsii00", "type": "Standing"}
    committee["updateDate"] = "2025-01-10T12:00:00Z"
    (tmp_path / "committee/house/hsii00.json").write_text(json.dumps({"committee": committee}))
    corpus = Corpus.load(tmp_path)
    for congress in (118, 119):
        listed, count = corpus.list_records("committee", congress=congress, chamber="house")
        assert [r.ident for r in listed] == ["hsii00"] and count == 1


def test_a_committee_in_two_folders_is_one_record_with_the_newest_body(tmp_path: Path) -> None:
    for congress, name, stamp in (
        (118, "Old Name", "2023-01-10T12:00:00Z"),
        (119, "New Name", "2025-01-10T12:00:00Z"),
    ):
        folder = tmp_path / f"congress-{congress}" / "committee" / "house"
        folder.mkdir(parents=True)
        body = {
            "committee": {
                "name": name,
                "systemCode": "hsxx00",
                "type": "Standing",
                "updateDate": stamp,
            }
        }
        (folder / "hsxx00.json").write_text(json.dumps(body))
    corpus = Corpus.load(tmp_path)
    record = corpus.record("committee", "hsxx00")
    assert record is not None and record.congresses == (118, 119)
    assert (corpus.committee("hsxx00") or {})["name"] == "New Name"


# ---- cross-Congress lists over HTTP ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["meeting", "hearing", "committee", "member"])
def test_a_cross_congress_list_pages_every_record_exactly_once(
    replica: ReplicaServer, kind: Kind
) -> None:
    entries = every_page(replica, LIST_PATH[kind], limit=37)
    idents = [str(e[ID_FIELD[kind]]) for e in entries]
    if kind == "hearing":  # jacket numbers are unique only within a Congress
        idents = [f"{e['congress']}/{e['jacketNumber']}" for e in entries]
    assert len(set(idents)) == len(idents) == replica.corpus.count(kind)
    stamps = [instant(e["updateDate"]) for e in entries]
    assert stamps == sorted(stamps, reverse=True)  # newest first, like the per-Congress lists


def test_cross_congress_meeting_entries_name_their_congress(replica: ReplicaServer) -> None:
    entries = every_page(replica, "committee-meeting", limit=250)
    assert {e["congress"] for e in entries} == {118, 119}
    for entry in entries:
        assert set(entry) == {"chamber", "congress", "eventId", "updateDate", "url"}
        chamber = entry["chamber"].lower()
        assert entry["url"] == (
            f"{replica.base_url}/committee-meeting/{entry['congress']}/{chamber}/"
            f"{entry['eventId']}?format=json"
        )
    # Each entry's url answers with that meeting.
    old = next(e for e in entries if e["eventId"] == "115538")
    item = HTTP.get(old["url"], headers=KEY).json()
    assert item["committeeMeeting"]["congress"] == 118


def test_the_cross_congress_envelope_is_the_apis(replica: ReplicaServer) -> None:
    recorded = json.loads((SAMPLES / "variants/committee-meeting-list-all-2023.json").read_text())
    served = get(replica, "committee-meeting", limit=20)
    assert (
        served["request"]
        == recorded["request"]
        == {
            "contentType": "application/json",
            "format": "json",
        }
    )
    assert set(served) == set(recorded)
    assert served["pagination"]["next"] == (
        f"{replica.base_url}/committee-meeting?offset=20&limit=20&format=json"
    )
    for path, sample in (("hearing", "hearing-list-all-2023"), ("member", "member-list-all-2025")):
        recorded = json.loads((SAMPLES / f"variants/{sample}.json").read_text())
        assert get(replica, path)["request"] == recorded["request"]


def test_from_date_time_windows_every_congress_at_once(replica: ReplicaServer) -> None:
    corpus = replica.corpus
    # A day of changes in both Congresses: one meeting of each is edited upstream.
    now = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    for event_id in ("115538", "336604"):
        meeting = corpus.meeting(event_id) or {}
        meeting["updateDate"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        corpus.put_meeting(meeting)
    since = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    replica.reset_counters()
    changed = every_page(replica, "committee-meeting", limit=1, fromDateTime=since)
    assert {(e["congress"], e["eventId"]) for e in changed} == {(118, "115538"), (119, "336604")}
    # The replica counts list pages by path, so a test can tell one list across Congresses
    # from a list per Congress.
    assert replica.stats.snapshot()["list_pages"] == {"committee-meeting": 2}

    window = ("2023-06-01T00:00:00Z", "2025-03-01T00:00:00Z")
    entries = every_page(
        replica, "committee-meeting", limit=7, fromDateTime=window[0], toDateTime=window[1]
    )
    expected = {
        r.ident
        for r in corpus.iter_records("meeting")
        if instant(window[0]).timestamp() <= r.updated <= instant(window[1]).timestamp()
    }
    assert {e["eventId"] for e in entries} == expected
    assert {e["congress"] for e in entries} == {118, 119}


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("committee-meeting/118", "meeting"),
        ("committee-meeting/118/house", "meeting"),
        ("committee-meeting/119/senate", "meeting"),
        ("hearing/118", "hearing"),
        ("hearing/119/house", "hearing"),
        ("committee/118/senate", "committee"),
        ("member/congress/119", "member"),
    ],
)
def test_a_per_congress_list_holds_only_its_congress(
    replica: ReplicaServer, path: str, kind: Kind
) -> None:
    congress = int(next(p for p in path.split("/") if p.isdigit()))
    chamber = next((p for p in path.split("/") if p in ("house", "senate")), None)
    entries = every_page(replica, path, limit=50)
    assert entries
    expected = {
        str(r.ident)
        for r in replica.corpus.iter_records(kind)
        if congress in r.congresses and chamber in (None, r.chamber)
    }
    assert {str(e[ID_FIELD[kind]]) for e in entries} == expected
    if kind in ("meeting", "hearing"):
        assert {e["congress"] for e in entries} == {congress}


def test_the_118th_meetings_and_printed_hearing_are_served(replica: ReplicaServer) -> None:
    for entry in every_page(replica, "committee-meeting/118", limit=250):
        item = get(replica, f"committee-meeting/118/{entry['chamber'].lower()}/{entry['eventId']}")
        assert item["committeeMeeting"]["congress"] == 118
        assert item["request"]["congress"] == "118"
    printed = get(replica, "hearing/118/house/51692")["hearing"]
    assert printed["associatedMeeting"]["eventId"] == "115538"
    # A meeting is served under its own Congress only.
    missing = HTTP.get(
        f"{replica.base_url}/committee-meeting/119/house/115538?format=json", headers=KEY
    )
    assert missing.status_code == 404


# ---- edits per Congress ----------------------------------------------------------------------


def test_a_jacket_number_can_recur_in_another_congress(replica: ReplicaServer) -> None:
    corpus = replica.corpus
    current = corpus.printed_hearing(60035, congress=119)
    assert current is not None
    older = {
        **current,
        "congress": 117,
        "title": "AN OLDER HEARING",
        "updateDate": "2022-05-01T00:00:00Z",
    }
    corpus.put_printed_hearing(older)
    assert get(replica, "hearing/117/house/60035")["hearing"]["title"] == "AN OLDER HEARING"
    assert get(replica, "hearing/119/house/60035")["hearing"]["title"] == current["title"]
    assert corpus.remove_printed_hearing(60035, congress=117)
    assert corpus.printed_hearing(60035, congress=117) is None
    assert corpus.printed_hearing(60035) == current


def test_an_override_can_name_the_congress_of_a_recurring_jacket(replica: ReplicaServer) -> None:
    corpus = replica.corpus
    current = corpus.printed_hearing(60035, congress=119) or {}
    corpus.put_printed_hearing({**current, "congress": 117, "updateDate": "2022-05-01T00:00:00Z"})
    replica.overrides.set_item("hearing", 60035, lambda h: {**h, "title": "ONLY 117"}, congress=117)
    replica.overrides.set_list_entry("hearing", 60035, lambda e: {**e, "part": 9}, congress=117)
    assert get(replica, "hearing/117/house/60035")["hearing"]["title"] == "ONLY 117"
    assert get(replica, "hearing/119/house/60035")["hearing"]["title"] == current["title"]
    parts = {
        e["congress"]: e.get("part")
        for e in every_page(replica, "hearing", limit=250)
        if e["jacketNumber"] == 60035
    }
    assert parts == {117: 9, 119: current.get("part")}


def test_an_override_changes_a_118th_meeting_on_the_wire(replica: ReplicaServer) -> None:
    replica.overrides.set_item("meeting", "115538", lambda m: {**m, "title": "Overridden"})
    item = get(replica, "committee-meeting/118/house/115538")
    assert item["committeeMeeting"]["title"] == "Overridden"
    assert item["request"]["congress"] == "118"


# ---- paging, for any page size and window -----------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    limit=st.integers(min_value=1, max_value=250),
    since_days=st.one_of(st.none(), st.integers(min_value=0, max_value=1500)),
    kind=st.sampled_from(["meeting", "hearing", "committee", "member"]),
)
def test_paging_across_congresses_covers_the_window_once(
    both_congresses: Corpus, limit: int, since_days: int | None, kind: Kind
) -> None:
    since = None
    if since_days is not None:
        since = datetime(2026, 11, 1, tzinfo=UTC) - timedelta(days=since_days)
    seen: list[object] = []
    offset, count = 0, None
    while count is None or offset < count:
        records, count = both_congresses.list_records(kind, offset=offset, limit=limit, since=since)
        seen.extend(records)
        offset += limit
    expected = [
        r
        for r in both_congresses.iter_records(kind)
        if since is None or r.updated >= since.timestamp()
    ]
    assert seen == expected
