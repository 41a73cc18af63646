"""A two-Congress corpus the bundled data does not contain, through the command line only: laid
out as one flat folder (meetings filed under 116/ and 117/, committee files silent about their
Congresses), served by `hearings replica --corpus`, imported with `--congress 116-117`, brought
current after a day of changes in both Congresses by one `hearings update`, and checked against
the corpus files through `hearings export`.

The 116th-117th records are built here from the bundled 119th meetings (new ids, dates moved
back, documents and videos left out) plus the real 116th printed hearing 41365 and the real
member L000174 from tests/samples/variants."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from hearings.replica import DEFAULT_CORPUS_DIR
from tests.cli_runs import run_hearings

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "variants"
# (119th event id, new event id, Congress): House and Senate meetings of several kinds.
MEETINGS = (
    ("118529", "110484", 116),  # Agriculture hearing: the real printed hearing 41365's meeting
    ("117846", "110646", 116),  # Natural Resources subcommittee hearing, 6 witnesses
    ("118294", "110894", 116),  # markup
    ("336604", "326604", 116),  # Senate Judiciary
    ("117887", "112487", 117),  # Education and Workforce hearing
    ("118088", "112688", 117),  # the Natural Resources subcommittee again: witnesses recur
    ("117895", "112495", 117),  # canceled
    ("336725", "330725", 117),  # Senate Finance
)
DROPPED = ("meetingDocuments", "witnessDocuments", "videos", "hearingTranscript", "relatedItems")
KEY = "unseen-corpus-key"


@dataclass
class Site:
    folder: Path
    corpus: Path
    base_url: str

    def hearings(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "CONGRESS_API_BASE_URL": self.base_url,
            "CONGRESS_API_KEY": KEY,
            "DATABASE_URL": f"sqlite:///{self.folder / 'hearings.db'}",
            "LOG_DIR": str(self.folder / "logs"),
            "BACKUP_DIR": str(self.folder / "backups"),
        }
        # The CLI in this process (the same `hearings.cli.main`, without a process start each);
        # the replica it talks to is a process of its own.
        return run_hearings(args, env=env, cwd=self.folder)

    def replica(self, path: str, method: str = "GET") -> dict[str, Any]:
        root = self.base_url.removesuffix("/v3")
        answer = httpx.request(method, f"{root}/_replica/{path}", timeout=30)
        assert answer.status_code == 200, answer.text
        parsed: dict[str, Any] = answer.json()
        return parsed

    def exported(self, entity: str) -> list[dict[str, Any]]:
        done = self.hearings("export", entity)
        assert done.returncode == 0, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def years_back(stamp: str, years: int) -> str:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment.replace(year=moment.year - years).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_item(path: Path, key: str, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {key: record, "request": {"contentType": "application/json", "format": "json"}}
    path.write_text(json.dumps(body, indent=4, sort_keys=True, ensure_ascii=False))


def build_corpus(root: Path) -> None:
    """The flat two-Congress corpus described above."""
    codes: set[str] = set()
    for source_id, event_id, congress in MEETINGS:
        source = next(DEFAULT_CORPUS_DIR.glob(f"committee-meeting/119/*/{source_id}.json"))
        original = json.loads(source.read_text())["committeeMeeting"]
        meeting = {k: v for k, v in original.items() if k not in DROPPED}
        years = 119 - congress
        years *= 2
        meeting.update(congress=congress, eventId=event_id)
        meeting["updateDate"] = years_back(str(original["updateDate"]).replace(" ", "T"), years)
        if original.get("date"):
            meeting["date"] = years_back(str(original["date"]), years)
        if event_id == "110484":
            url = "https://api.congress.gov/v3/hearing/116/house/41365?format=json"
            meeting["hearingTranscript"] = [{"jacketNumber": 41365, "url": url}]
        chamber = source.parent.name
        write_item(root / f"committee-meeting/{congress}/{chamber}/{event_id}.json",
                   "committeeMeeting", meeting)  # fmt: skip
        codes.update(c["systemCode"] for c in meeting.get("committees") or [])
    codes.add("hsag00")  # the printed hearing's committee
    written: set[str] = set()
    while codes:  # with their parents and the parents' subcommittees, as an import fetches them
        code = codes.pop()
        source = next(DEFAULT_CORPUS_DIR.glob(f"committee/*/{code}.json"), None)
        if source is None or code in written:
            continue
        committee = json.loads(source.read_text())["committee"]
        committee.pop("_congresses")  # a flat folder: the Congresses its meetings are filed under
        write_item(root / f"committee/{source.parent.name}/{code}.json", "committee", committee)
        written.add(code)
        parent = (committee.get("parent") or {}).get("systemCode")
        codes.update(s["systemCode"] for s in committee.get("subcommittees") or [])
        codes.update([parent] if parent else [])
    hearing = json.loads((SAMPLES / "hearing-item-116-house-41365-2023-verbatim.json").read_text())
    (root / "hearing/116/house").mkdir(parents=True)
    (root / "hearing/116/house/41365.json").write_text(json.dumps(hearing, indent=4))
    member = json.loads((SAMPLES / "member-item-L000174-2025.json").read_text())
    (root / "member").mkdir()
    (root / "member/L000174.json").write_text(json.dumps(member, indent=4))


def corpus_meetings(root: Path) -> dict[str, dict[str, Any]]:
    return {
        path.stem: json.loads(path.read_text())["committeeMeeting"]
        for path in root.glob("committee-meeting/*/*/*.json")
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("unseen")
    corpus = folder / "corpus"
    build_corpus(corpus)
    process = subprocess.Popen(
        [sys.executable, "-m", "hearings", "replica", "--corpus", str(corpus), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.endswith("/v3"), process.communicate(timeout=10)
        yield Site(folder, corpus, base_url)
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_import_update_and_export_of_an_unseen_two_congress_corpus(site: Site) -> None:
    imported = site.hearings("import", "--congress", "116-117", "--quiet")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert_export_matches(site)
    committees = {c["system_code"] for c in site.exported("committees")}
    assert committees == {p.stem for p in site.corpus.glob("committee/*/*.json")}
    assert [m["bioguide_id"] for m in site.exported("members")] == ["L000174"]

    # A day of changes in both Congresses, then one update with no --congress.
    now = datetime.now(UTC).replace(microsecond=0)
    for event_id in ("110646", "112688"):
        path = next(site.corpus.glob(f"committee-meeting/*/*/{event_id}.json"))
        body = json.loads(path.read_text())
        body["committeeMeeting"]["title"] += " (revised)"
        body["committeeMeeting"]["updateDate"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        path.write_text(json.dumps(body, indent=4))
    site.replica("reload", "POST")
    before = site.replica("stats")
    updated = site.hearings("update", "--quiet")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    after = site.replica("stats")
    list_pages = sum(after["list_pages"].values()) - sum(before["list_pages"].values())
    assert after["total"] - before["total"] <= 2 + list_pages + 5
    assert_export_matches(site)


def assert_export_matches(site: Site) -> None:
    """`hearings export hearings` holds exactly the corpus's meetings, each as filed."""
    exported = {r["event_id"]: r for r in site.exported("hearings")}
    meetings = corpus_meetings(site.corpus)
    assert set(exported) == set(meetings)
    for event_id, meeting in meetings.items():
        record = exported[event_id]
        assert record["congress"] == meeting["congress"]
        assert record["title"] == meeting.get("title")
        assert record["status"] == meeting.get("meetingStatus")
        assert sorted(record["committees"]) == sorted(
            c["systemCode"] for c in meeting.get("committees") or []
        )
        assert [w["name"] for w in record["witnesses"]] == [
            w["name"] for w in meeting.get("witnesses") or []
        ]
    assert exported["110484"]["jacket_numbers"] == [41365]
