"""A change belongs to the committees, chamber and Congress either of its versions names, not only
to those the meeting names now: a meeting that moved from one subcommittee to another vanished
from the first one's /changes and its Atom feed, so whoever followed that committee never saw it
leave. One database per backend: the corpus imported, then the meeting moved in two updates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient

from hearings.replica import Corpus, ReplicaServer
from hearings.web.app import create_app
from tests.backends import BACKENDS, empty_database_url
from tests.sync.harness import Harness, api_time

MOVED = "118278"  # House, 119th, Economic Opportunity Subcommittee (hsvr10) of hsvr00
OVERSIGHT = {
    "name": "Oversight and Government Reform Committee",
    "systemCode": "hsgo00",
    "url": "https://api.congress.gov/v3/committee/house/hsgo00?format=json",
}
ADDED = f"urn:hearings:meeting:{MOVED}:version:2"
LEFT = f"urn:hearings:meeting:{MOVED}:version:3"


def _move(corpus: Corpus, committees: Any, ago: int) -> None:
    body = corpus.meeting(MOVED)
    assert body is not None
    body["committees"] = committees(body["committees"])
    body["updateDate"] = api_time(datetime.now(UTC) - timedelta(minutes=ago))
    corpus.put_meeting(body)


@pytest.fixture(scope="module", params=BACKENDS)
def client(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    packaged_corpus: Corpus,
) -> Iterator[TestClient]:
    folder: Path = tmp_path_factory.mktemp("belonging")
    url = empty_database_url(request, folder)
    with ReplicaServer(packaged_corpus.copy()) as replica:
        harness = Harness(tmp_path=folder, database_url=url, replica=replica)
        assert harness.run("import").success
        _move(harness.corpus, lambda listed: [*listed, OVERSIGHT], 30)  # hsgo00 added
        assert harness.run("update").success
        _move(harness.corpus, lambda listed: [OVERSIGHT], 10)  # hsvr10 removed
        assert harness.run("update").success
    app = create_app(harness.engine(), settings=harness.settings())
    with TestClient(app) as made:
        yield made
    harness.close()


@pytest.mark.parametrize(
    ("committee", "expected"),
    [
        ("hsvr10", {ADDED, LEFT}),  # no longer the meeting's: both changes were made under it
        ("hsvr00", {ADDED, LEFT}),  # its parent
        ("hsgo00", {ADDED, LEFT}),  # the meeting's now
        ("hsas00", set()),
    ],
)
def test_a_committees_changes_include_a_meeting_that_left_it(
    client: TestClient, committee: str, expected: set[str]
) -> None:
    listed = client.get(f"/api/changes?committee={committee}").json()
    found = {
        f"urn:hearings:meeting:{r['event_id']}:version:{r['version']}" for r in listed["results"]
    }
    assert found == expected and listed["total"] == len(expected)
    feed = feedparser.parse(client.get(f"/feeds/committee/{committee}/changes.atom").content)
    assert not feed.bozo
    assert {entry.id for entry in feed.entries} == expected
    left = [entry.title for entry in feed.entries if entry.id == LEFT]
    assert left == (["Committee removed: Economic Opportunity Subcommittee"] if expected else [])


def test_the_congress_and_chamber_filters_read_the_versions_too(client: TestClient) -> None:
    for query in ("chamber=house", "congress=119", "chamber=house&committee=hsvr10"):
        listed = client.get(f"/api/changes?{query}").json()
        versions = {r["version"] for r in listed["results"] if r["event_id"] == MOVED}
        assert versions == {2, 3}, query
    assert client.get("/api/changes?chamber=senate&committee=hsvr10").json()["total"] == 0


def test_the_changes_page_links_a_feed_only_for_a_committee_that_has_one(
    client: TestClient,
) -> None:
    known = client.get("/changes?committee=HSVR10").text
    assert known.count('href="/feeds/committee/hsvr10/changes.atom"') == 2  # head and page
    assert client.get("/feeds/committee/hsvr10/changes.atom").status_code == 200
    unknown = client.get("/changes?committee=zzzz99")
    assert unknown.status_code == 200 and "No changes match" in unknown.text
    assert "changes.atom" not in unknown.text  # its feed would be a 404
    assert client.get("/changes").text.count('href="/feeds/changes.atom"') == 2
