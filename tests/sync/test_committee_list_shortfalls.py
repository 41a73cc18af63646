"""An update across Congresses decides which committees new to the database are its own from the
per-Congress committee lists (`/committee/{congress}/{chamber}`). One of those lists the API does
not serve to its end cannot decide: the committee it may not name is left out, but not in
silence. The run says so in one anomaly sentence, keeps the committees' mark and holds their
window where it started, and the next run lists it again and brings the committee in.
Real `hearings update` runs against the replica over loopback, its list pages overridden.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hearings.replica import BUNDLED_CORPUS_DIR, Corpus, ReplicaServer
from tests.sync.imported_template import ImportedTemplates
from tests.sync.site import Site, stamp_for
from tests.sync.test_several_congresses import a_committee, import_both

PER_CONGRESS = "committee/119/house"


@pytest.fixture(scope="module")
def both_congresses() -> Corpus:
    return Corpus.load(BUNDLED_CORPUS_DIR)


@pytest.fixture(scope="module")
def both_imported(
    both_congresses: Corpus, tmp_path_factory: pytest.TempPathFactory
) -> ImportedTemplates:
    """`hearings import --congress 118-119`, once per module and backend."""
    return ImportedTemplates(
        both_congresses, tmp_path_factory.mktemp("both-imported"), importer=import_both
    )


@pytest.fixture
def site(
    request: pytest.FixtureRequest,
    both_congresses: Corpus,
    both_imported: ImportedTemplates,
    tmp_path: Path,
    database_url: str,
) -> Iterator[Site]:
    with ReplicaServer(both_congresses.copy()) as replica:
        made = Site(tmp_path, replica, database_url)
        server = None if made.on_sqlite else request.getfixturevalue("postgres_server")
        both_imported.fill(made.database_url, server)
        yield made


def committee_marks(site: Site) -> dict[str, datetime]:
    rows = site.query(
        "SELECT entity, high_water_mark FROM sync_state WHERE congress = 119 "
        "AND entity IN ('committees', 'committees.relist')"
    )
    return {r["entity"]: naive(r["high_water_mark"]) for r in rows}


def naive(value: str | datetime) -> datetime:
    """A stored mark as naive UTC: SQLite gives text, PostgreSQL a datetime."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def test_a_per_congress_committee_list_read_short_is_an_anomaly_and_listed_again(
    site: Site,
) -> None:
    site.corpus.put_committee(
        a_committee("hlzz00", "Select Committee on Tests", stamp_for(datetime.now(UTC))),
        chamber="house",
        congresses=[119],
    )
    before = committee_marks(site)
    # The API counts committees in the 119th's House list, and serves none of them.
    site.replica.overrides.set_list_page(
        PER_CONGRESS, 0, lambda p: {**p, "committees": [], "pagination": {"count": 5}}
    )

    first = site.hearings("update", "--lookback-days", "7")

    site.assert_sound(first)
    assert first.code == 0, first.err[-3000:]
    assert site.row("committee", "hlzz00") is None  # not known to be the 119th's: left out
    [sentence] = site.last_metrics()["anomalies"]
    assert sentence == (
        f"The list {site.replica.base_url}/{PER_CONGRESS} could not be read to its end "
        "(pagination.count is 5, but the page at offset 0 was empty, leaving 5 entries unseen); "
        "records it lists past that point may not have been seen, and the next run lists it "
        "again."
    )
    after = committee_marks(site)
    assert after.get("committees") == before.get("committees")
    # Held where this run's window started, not at the beginning of time (every committee ever).
    assert after["committees.relist"] > naive(datetime.now(UTC) - timedelta(days=8))

    site.replica.overrides.clear()
    second = site.hearings("update", "--lookback-days", "1")

    assert second.code == 0, second.err[-3000:]
    assert site.row("committee", "hlzz00") is not None
    assert site.last_metrics()["anomalies"] == []
    assert "committees.relist" not in committee_marks(site)
