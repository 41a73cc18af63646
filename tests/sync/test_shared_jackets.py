"""Printed hearings of two Congresses under one jacket number (GPO reuses them): both are stored,
each under its Congress and jacket number, each updates and rebuilds on its own, and each Congress's
meeting links to its own.

The corpus is the bundled one (the 119th and a small 118th) plus a 118th printed hearing under the
jacket number of the 119th's printed hearing of meeting 117775. It names no meeting itself: the
118th meeting 115538 links it from its `hearingTranscript`, by a url naming the 118th.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from hearings.config import Settings
from hearings.replica import BUNDLED_CORPUS_DIR, Corpus, ReplicaServer
from hearings.web.app import create_app
from tests.sync.imported_template import ImportedTemplates
from tests.sync.site import Site, stamp_for

SHARED = 60035
MEETING_118, MEETING_119 = "115538", "117775"
JACKETS = {MEETING_118: [51692, SHARED], MEETING_119: [SHARED]}


def with_a_shared_jacket(corpus: Corpus) -> Corpus:
    shared = corpus.copy()
    printed = shared.printed_hearing(SHARED, congress=119)
    assert printed is not None and printed["congress"] == 119
    printed.pop("associatedMeeting", None)
    printed.update(
        congress=118,
        title="OVERSIGHT OF INSULAR AREA ENERGY",
        citation="H.Hrg.118-42",
        dates=[{"date": "2023-03-24"}],
        formats=[{"type": "PDF", "url": "https://www.congress.gov/118/chrg/CHRG-118hhrg60035.pdf"}],
        updateDate="2023-10-02T10:00:00Z",
    )
    shared.put_printed_hearing(printed)
    meeting = shared.meeting(MEETING_118)
    assert meeting is not None
    meeting["hearingTranscript"].append(
        {"jacketNumber": SHARED, "url": f"https://api.congress.gov/v3/hearing/118/house/{SHARED}"}
    )
    shared.put_meeting(meeting)
    return shared


@pytest.fixture(scope="module")
def shared_corpus() -> Corpus:
    return with_a_shared_jacket(Corpus.load(BUNDLED_CORPUS_DIR))


def import_both(folder: Path, database_url: str, corpus: Corpus) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with ReplicaServer(corpus.copy()) as replica:
        site = Site(folder, replica, database_url)
        run = site.hearings("import", "--congress", "118-119")
        site.assert_sound(run)
        assert run.code == 0, run.err[-3000:]


@pytest.fixture(scope="module")
def shared_imported(
    shared_corpus: Corpus, tmp_path_factory: pytest.TempPathFactory
) -> ImportedTemplates:
    """`hearings import --congress 118-119` of the shared corpus, run once per module and
    backend."""
    return ImportedTemplates(
        shared_corpus, tmp_path_factory.mktemp("shared-imported"), importer=import_both
    )


@pytest.fixture
def site(
    request: pytest.FixtureRequest,
    shared_corpus: Corpus,
    shared_imported: ImportedTemplates,
    tmp_path: Path,
    database_url: str,
) -> Iterator[Site]:
    """A database that starts as a copy of that import, and a replica of its own."""
    on_postgres = database_url.startswith("postgresql")
    shared_imported.fill(
        database_url, request.getfixturevalue("postgres_server") if on_postgres else None
    )
    with ReplicaServer(shared_corpus.copy()) as replica:
        yield Site(tmp_path, replica, database_url)


def as_served(body: dict[str, Any]) -> dict[str, Any]:
    """What the hearing page's JSON twin shows of a printed hearing the replica serves."""
    return {
        "jacket_number": body["jacketNumber"],
        "congress": body["congress"],
        "title": body["title"],
        "citation": body["citation"],
        "dates": [d["date"] for d in body["dates"]],
        "formats": [{"type": f["type"], "url": f["url"]} for f in body["formats"]],
        # Its own page, addressed by Congress too: the jacket number alone names two.
        "url": f"/printed-hearings/{body['congress']}/{body['jacketNumber']}",
    }


def printed_rows(site: Site) -> dict[int, dict[str, Any]]:
    rows = site.query(
        "SELECT * FROM printed_hearings WHERE jacket_number = ? ORDER BY congress", SHARED
    )
    return {int(row["congress"]): row for row in rows}


def test_both_congresses_printed_hearings_are_stored_under_one_jacket_number(site: Site) -> None:
    stored = printed_rows(site)
    assert sorted(stored) == [118, 119]
    for congress, row in stored.items():
        body = site.corpus.printed_hearing(SHARED, congress=congress)
        assert body is not None
        assert (row["title"], row["citation"]) == (body["title"], body["citation"])
    assert site.quarantine() == {}
    archived = site.query(
        "SELECT identifier FROM payload_archive WHERE entity = 'printed_hearing' "
        "AND identifier LIKE ? ORDER BY identifier",
        f"%/{SHARED}",
    )
    assert [row["identifier"] for row in archived] == [f"118/{SHARED}", f"119/{SHARED}"]


def test_each_congress_meeting_links_its_own_printed_hearing(site: Site) -> None:
    app = create_app(Settings(database_url=site.database_url))
    with TestClient(app) as client:
        for event_id, congress in ((MEETING_118, 118), (MEETING_119, 119)):
            detail = client.get(f"/api/hearings/{event_id}")
            assert detail.status_code == 200, detail.text
            printed = {p["jacket_number"]: p for p in detail.json()["printed_hearings"]}
            assert list(printed) == JACKETS[event_id]
            body = site.corpus.printed_hearing(SHARED, congress=congress)
            assert body is not None
            assert printed[SHARED] == as_served(body)
            other = site.corpus.printed_hearing(SHARED, congress=237 - congress)
            assert other is not None
            page = client.get(f"/hearings/{event_id}")
            assert page.status_code == 200
            assert str(escape(body["title"])) in page.text
            assert str(escape(other["title"])) not in page.text
    exported = site.folder / "hearings.jsonl"
    assert site.hearings("export", "hearings", "--output", str(exported)).code == 0
    records = [json.loads(line) for line in exported.read_text().splitlines()]
    jackets = {r["event_id"]: r["jacket_numbers"] for r in records if r["event_id"] in JACKETS}
    assert jackets == JACKETS


def test_an_update_of_one_leaves_the_other_alone(site: Site) -> None:
    before = printed_rows(site)
    revised = site.corpus.printed_hearing(SHARED, congress=118)
    assert revised is not None
    revised.update(title=f"{revised['title']} (revised)", updateDate=stamp_for(datetime.now(UTC)))
    site.corpus.put_printed_hearing(revised)

    run = site.hearings("update", "--lookback-days", "7")

    site.assert_sound(run)
    assert run.code == 0, run.err[-3000:]
    after = printed_rows(site)
    assert after[119] == before[119]
    assert after[118]["title"] == revised["title"]
    assert after[118]["content_hash"] != before[118]["content_hash"]
    assert site.last_metrics()["printed_hearings_updated"] == 1


def test_a_rebuild_from_the_archive_gives_both_back(site: Site) -> None:
    tables = ("printed_hearings", "hearing_transcripts")
    orders = {"printed_hearings": "congress, jacket_number", "hearing_transcripts": "1, 2, 3, 4"}

    def contents() -> dict[str, list[dict[str, Any]]]:
        return {t: site.query(f"SELECT * FROM {t} ORDER BY {orders[t]}") for t in tables}  # noqa: S608

    before = contents()
    site.replica.stop()  # the archive alone: no API
    run = site.hearings("rebuild")
    assert run.code == 0, run.err[-3000:]
    assert contents() == before
    assert sorted(printed_rows(site)) == [118, 119]
