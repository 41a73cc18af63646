"""Revision 0007 keys printed hearings by Congress and jacket number. A database at 0006 holding
printed hearings, their archived payloads and a quarantined printed hearing upgrades with every
row kept: the archive and the quarantine then name each printed hearing `{congress}/{jacket}`,
and the next update fetches the quarantined one again and resolves it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from hearings.replica import BUNDLED_CORPUS_DIR, Corpus, ReplicaServer
from hearings.store import schema
from hearings.store.engine import create_db_engine
from tests.store.migration_steps import downgrade, upgrade
from tests.sync.site import Site

QUARANTINED = 51692  # the 118th Congress's printed hearing in the bundled corpus


@pytest.fixture
def site(tmp_path: Path, database_url: str) -> Iterator[Site]:
    with ReplicaServer(Corpus.load(BUNDLED_CORPUS_DIR)) as replica:
        site = Site(tmp_path, replica, database_url)
        run = site.hearings("import", "--congress", "118-119")
        assert run.code == 0, run.err[-3000:]
        yield site


def printed_contents(site: Site) -> dict[str, list[dict[str, Any]]]:
    return {
        "printed_hearings": site.query(
            "SELECT * FROM printed_hearings ORDER BY congress, jacket_number"
        ),
        "links": site.query(
            "SELECT event_id, jacket_number, ordinal FROM hearing_transcripts "
            "ORDER BY event_id, jacket_number"
        ),
        "archive": site.query(
            "SELECT version_id, identifier, content_hash, payload, locator, first_seen_at "
            "FROM payload_archive WHERE entity = 'printed_hearing' ORDER BY version_id"
        ),
    }


def quarantined_printed_hearings(site: Site) -> list[tuple[str, bool]]:
    rows = site.query(
        "SELECT identifier, resolved FROM import_errors WHERE entity = 'printed_hearing'"
    )
    return [(row["identifier"], bool(row["resolved"])) for row in rows]


def test_a_database_at_0006_with_printed_hearings_upgrades_with_every_row_kept(site: Site) -> None:
    at_head = printed_contents(site)
    assert len(at_head["printed_hearings"]) == 12 and at_head["archive"]
    engine = create_db_engine(site.database_url)
    try:
        downgrade(engine, "0006")
        # What 0006 holds: printed hearings keyed and archived by jacket number alone.
        archived = {row["identifier"] for row in printed_contents(site)["archive"]}
        assert archived == {str(row["jacket_number"]) for row in at_head["printed_hearings"]}
        assert "congress" not in site.query("SELECT * FROM hearing_transcripts")[0]
        with engine.begin() as connection:
            connection.execute(
                insert(schema.import_errors).values(
                    entity="printed_hearing",
                    identifier=str(QUARANTINED),
                    stage="fetch",
                    reason="the API answered 503 for it after every retry",
                    raw_payload=None,
                    locator={"congress": 118, "chamber": "house"},
                    first_seen_at=datetime(2026, 11, 30, 9, 0),
                    last_seen_at=datetime(2026, 11, 30, 9, 0),
                    attempts=1,
                    resolved=False,
                )
            )

        upgrade(engine)
    finally:
        engine.dispose()

    assert printed_contents(site) == at_head
    meeting_congress = site.query(
        "SELECT COUNT(*) AS n FROM hearing_transcripts t JOIN hearings h "
        "ON h.event_id = t.event_id WHERE t.congress = h.congress"
    )
    assert meeting_congress[0]["n"] == len(at_head["links"]) > 0
    assert quarantined_printed_hearings(site) == [(f"118/{QUARANTINED}", False)]

    run = site.hearings("update", "--lookback-days", "7")

    site.assert_sound(run)
    assert run.code == 0, run.err[-3000:]
    assert quarantined_printed_hearings(site) == [(f"118/{QUARANTINED}", True)]
