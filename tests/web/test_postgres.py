"""The web app over PostgreSQL: the same corpus, imported by the same pipeline, searched through
the tsvector index (migration 0002), gives the same answers as on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from hearings.replica import Corpus
from hearings.store.opening import open_database
from hearings.web.app import create_app
from tests.pg_server import PostgresServer
from tests.web.conftest import FIXED_NOW, WebDatabase, import_corpus

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_client(
    postgres_server: PostgresServer,
    packaged_corpus: Corpus,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TestClient]:
    name = postgres_server.create_database()
    folder: Path = tmp_path_factory.mktemp("web-pg")
    database = WebDatabase(url=postgres_server.url(name), path=folder / "unused", folder=folder)
    import_corpus(database, packaged_corpus)
    engine = open_database(database.url)
    app = create_app(engine, settings=database.settings(), clock=lambda: FIXED_NOW)
    with TestClient(app) as client:
        yield client
    engine.dispose()
    postgres_server.drop_database(name)


def ids(client: TestClient, **params: str) -> list[str]:
    response = client.get("/api/hearings", params={"per_page": "100", **params})
    assert response.status_code == 200, response.text
    return [r["event_id"] for r in response.json()["results"]]


def test_search_finds_titles_witnesses_organizations_and_bills(pg_client: TestClient) -> None:
    assert "337126" in ids(pg_client, q="intelligence matters")
    assert ids(pg_client, q="Kurilla") == ["118307"]
    assert ids(pg_client, q="Kuril") == ["118307"]
    assert "118307" in ids(pg_client, q="Central Command")
    assert set(ids(pg_client, q="H.R. 2334")) == {"118365", "118537"}
    assert ids(pg_client, q="H.R. 2334 Pamperin") == ["118365"]
    page = pg_client.get("/hearings", params={"q": "Kurilla"})
    assert "<mark>Kurilla</mark>" in page.text


def test_filters_sorting_and_pages(pg_client: TestClient) -> None:
    assert pg_client.get("/api/hearings?chamber=senate").json()["total"] == 70
    canceled = set(ids(pg_client, status="canceled"))
    assert canceled == {"336937", "336978", "118451", "117895"}
    newest = [
        r
        for page in ("1", "2")
        for r in pg_client.get(f"/api/hearings?sort=newest&per_page=100&page={page}").json()[
            "results"
        ]
    ]
    starts = [r["start"] for r in newest if r["start"]]
    assert starts == sorted(starts, reverse=True)
    assert newest[-1]["start"] is None  # undated stubs last, as on SQLite
    assert "This week’s hearings" in pg_client.get("/hearings").text


def test_pages_feeds_and_errors(pg_client: TestClient) -> None:
    for url in (
        "/hearings/118365",
        "/witnesses/craig-singleton-f4f1496895",
        "/committees/hsag00",
        "/calendar?month=2025-06",
        "/api/stats",
        "/api/update-status",
    ):
        assert pg_client.get(url).status_code == 200, url
    calendar = Calendar.from_ical(pg_client.get("/feeds/committee/hsag00.ics").text)
    assert calendar.walk("VEVENT")
    assert pg_client.get("/hearings/nope").status_code == 404
    assert pg_client.get("/api/hearings?congress=abc").status_code == 400
