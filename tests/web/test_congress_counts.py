"""Counts by Congress agree with the filtered lists, whatever the data: checked on the bundled
corpus with both its Congresses (118th and 119th), which the tests' own two-Congress data
(tests/two_congresses.py) does not include. Nothing here names a record."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from hearings.config import Settings
from hearings.congresses import describe_congresses
from hearings.replica import BUNDLED_CORPUS_DIR, Corpus
from hearings.store import schema
from hearings.store.opening import open_database
from hearings.web.app import create_app
from tests.two_congresses import import_congresses
from tests.web.conftest import FIXED_NOW


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, TestClient]]:
    folder = tmp_path_factory.mktemp("bundled-congresses")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'hearings.db'}",
        backup_dir=folder / "backups",
        log_dir=folder / "logs",
    )
    corpus = Corpus.load(BUNDLED_CORPUS_DIR)
    held = sorted({c for r in corpus.iter_records("meeting") for c in r.congresses})
    assert len(held) >= 2, held
    import_congresses(settings, corpus, tuple(held))
    engine = open_database(settings.database_url)
    app = create_app(engine, settings=settings, clock=lambda: FIXED_NOW)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield engine, client
    engine.dispose()


def total(client: TestClient, **params: str) -> int:
    answer = client.get("/api/hearings", params=params)
    assert answer.status_code == 200, answer.text
    count: int = answer.json()["total"]
    return count


def test_each_congress_in_stats_is_what_the_congress_filter_lists(
    bundled: tuple[Engine, TestClient],
) -> None:
    _, client = bundled
    stats = client.get("/api/stats").json()
    congresses = stats["congresses"]
    assert len(congresses) >= 2
    assert [c["congress"] for c in congresses] == sorted(
        (c["congress"] for c in congresses), reverse=True
    )
    assert sum(c["meetings"] for c in congresses) == stats["hearings"]
    assert sum(c["printed_hearings"] for c in congresses) == stats["printed_hearings"]
    assert sum(c["witness_appearances"] for c in congresses) == stats["witness_appearances"]
    for counts in congresses:
        assert total(client, congress=str(counts["congress"])) == counts["meetings"]
    every = describe_congresses(c["congress"] for c in congresses)
    assert total(client, congress=every) == total(client, congress="all") == stats["hearings"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chosen=st.sets(st.integers(min_value=110, max_value=121), min_size=1, max_size=5))
def test_any_selection_lists_exactly_its_congresses_meetings(
    bundled: tuple[Engine, TestClient], chosen: set[int]
) -> None:
    engine, client = bundled
    hearings = schema.hearings
    with engine.connect() as connection:
        expected = connection.execute(
            select(func.count()).select_from(hearings).where(hearings.c.congress.in_(chosen))
        ).scalar_one()
    assert total(client, congress=describe_congresses(chosen)) == expected
    assert total(client, congress=",".join(str(c) for c in sorted(chosen))) == expected


def test_committee_pages_count_by_congress_what_their_filtered_lists_hold(
    bundled: tuple[Engine, TestClient],
) -> None:
    _, client = bundled
    committees = client.get("/api/committees").json()["results"]
    several = 0
    for committee in committees:
        if not committee["hearing_count"] or committee["parent"]:
            continue
        code = committee["system_code"]
        detail = client.get(f"/api/committees/{code}").json()
        by_congress = detail["meetings_by_congress"]
        several += len(by_congress) > 1
        for counts in by_congress:
            listed = total(client, committee=code, congress=str(counts["congress"]))
            assert listed == counts["meetings"], (code, counts)
        assert sum(c["meetings"] for c in by_congress) == total(client, committee=code)
    assert several, "no committee met in two Congresses"


def test_witnesses_of_several_congresses_are_one_witness_each(
    bundled: tuple[Engine, TestClient],
) -> None:
    engine, client = bundled
    appearances, hearings = schema.witness_appearances, schema.hearings
    with engine.connect() as connection:
        spanning = connection.execute(
            select(appearances.c.witness_id, func.count(func.distinct(hearings.c.congress)))
            .join(hearings, hearings.c.event_id == appearances.c.event_id)
            .group_by(appearances.c.witness_id)
            .having(func.count(func.distinct(hearings.c.congress)) > 1)
        ).all()
    assert spanning, "no witness testified in two Congresses"
    for witness_id, congress_count in spanning:
        detail = client.get(f"/api/witnesses/{witness_id}").json()
        assert len(detail["congresses"]) == congress_count
        assert {a["congress"] for a in detail["appearances"]} == set(detail["congresses"])
