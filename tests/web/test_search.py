"""Full-text search: what it finds (title words, witnesses, organizations, committees, bills),
how it ranks and highlights, and how the index stays in step with the tables."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select, text, update

from hearings.citations import Citation, find_citations
from hearings.store import schema
from hearings.web.search import (
    IndexGuard,
    hearing_search,
    parse_terms,
    rebuild_search_index,
    refresh_search_index,
)
from tests.web.conftest import Scratch


def found(client: TestClient, q: str, **params: str) -> list[str]:
    response = client.get("/api/hearings", params={"q": q, "per_page": "100", **params})
    assert response.status_code == 200, response.text
    return [r["event_id"] for r in response.json()["results"]]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("H.R. 580", Citation("HR", "580")),
        ("HR 580", Citation("HR", "580")),
        ("hr580", Citation("HR", "580")),
        ("S. 12", Citation("S", "12")),
        ("H.Res. 5", Citation("HRES", "5")),
        ("S.J.Res. 3", Citation("SJRES", "3")),
        ("H. J. Res. 22", Citation("HJRES", "22")),
        ("S.Con.Res. 7", Citation("SCONRES", "7")),
        ("H.Con.Res.14", Citation("HCONRES", "14")),
        ("S.Res. 0101", Citation("SRES", "101")),
    ],
)
def test_bill_citations_are_read_as_people_write_them(written: str, expected: Citation) -> None:
    citations, rest = find_citations(written)
    assert citations == [expected]
    assert rest == ""


@pytest.mark.parametrize("text_", ["U.S. 2025 budget", "Section 5", "HR", "Thompson", "Res 4"])
def test_text_that_is_not_a_citation_stays_text(text_: str) -> None:
    assert find_citations(text_) == ([], text_)


def test_a_query_splits_into_citations_phrases_and_words() -> None:
    terms = parse_terms('veterans "health care" H.R. 2334 Kesselh')
    assert terms.citations == [Citation("HR", "2334")]
    assert terms.phrases == [["health", "care"]]
    assert terms.words == ["veterans", "kesselh"]
    assert terms.prefix_last


def test_title_words_find_meetings(client: TestClient) -> None:
    assert "337126" in found(client, "intelligence matters")
    assert "118307" in found(client, "military posture")


def test_witness_names_find_their_meetings(client: TestClient) -> None:
    assert found(client, "Kurilla") == ["118307"]
    assert set(found(client, "Craig Singleton")) == {"117895", "117903"}


def test_a_partial_last_word_matches_while_typing(client: TestClient) -> None:
    assert "118307" in found(client, "Kuril")


def test_organizations_and_positions_find_meetings(client: TestClient) -> None:
    assert "118307" in found(client, "Central Command")
    assert "117895" in found(client, "Foundation for Defense of Democracies")
    assert "118307" in found(client, "Commander")


def test_committee_and_document_names_find_meetings(client: TestClient) -> None:
    assert "118365" in found(client, "Economic Opportunity Subcommittee")
    assert found(client, "Truth in Testimony")


@pytest.mark.parametrize("citation", ["H.R. 2334", "HR 2334", "hr2334", "H.R.2334"])
def test_a_bill_citation_finds_the_meetings_that_take_it_up(
    client: TestClient, citation: str
) -> None:
    assert set(found(client, citation)) == {"118365", "118537"}


def test_a_bill_citation_with_words_narrows_to_both(client: TestClient) -> None:
    assert found(client, "H.R. 2334 Pamperin") == ["118365"]


def test_senate_joint_resolutions_are_found_by_citation(client: TestClient, engine: Engine) -> None:
    with engine.connect() as connection:
        number = connection.execute(
            select(schema.bills.c.number).where(schema.bills.c.bill_type == "SJRES").limit(1)
        ).scalar_one()
    assert found(client, f"S.J.Res. {number}")


def test_results_are_ranked_and_highlighted(client: TestClient) -> None:
    page = client.get("/hearings", params={"q": "Kurilla"})
    assert page.status_code == 200
    assert "ranked by relevance" in page.text
    assert "<mark>Kurilla</mark>" in page.text
    snippet = client.get("/api/hearings", params={"q": "Kurilla"}).json()["results"][0]["snippet"]
    assert "Kurilla" in snippet and "<mark>" not in snippet


def test_search_combines_with_filters(client: TestClient) -> None:
    assert found(client, "intelligence", chamber="house") == [
        e for e in found(client, "intelligence") if e.startswith("1")
    ]
    assert found(client, "Kurilla", chamber="senate") == []


def test_punctuation_alone_finds_nothing_and_does_not_fail(client: TestClient) -> None:
    for q in ['"', "*", "((", "-", "NEAR(", "a:b"]:
        response = client.get("/api/hearings", params={"q": q})
        assert response.status_code == 200, q


def test_refresh_rebuilds_the_rows_of_changed_meetings(scratch: Scratch) -> None:
    client = scratch.client()
    with scratch.engine.begin() as connection:
        rebuild_search_index(connection)
        connection.execute(
            update(schema.hearings)
            .where(schema.hearings.c.event_id == "118307")
            .values(title="Zeppelin procurement oversight")
        )
        assert refresh_search_index(connection, ["118307"]) == 1
    assert found(client, "zeppelin") == ["118307"]
    assert "118307" not in found(client, "military posture")


def test_refresh_drops_meetings_that_are_gone(scratch: Scratch) -> None:
    with scratch.engine.begin() as connection:
        rebuild_search_index(connection)
        connection.execute(delete(schema.hearings).where(schema.hearings.c.event_id == "118307"))
        assert refresh_search_index(connection, ["118307"]) == 0
        left = connection.execute(
            select(func.count())
            .select_from(hearing_search)
            .where(hearing_search.c.event_id == "118307")
        ).scalar_one()
    assert left == 0
    assert found(scratch.client(), "Kurilla") == []


def test_an_empty_index_is_rebuilt_on_the_first_search(scratch: Scratch) -> None:
    with scratch.engine.begin() as connection:
        connection.execute(text("DELETE FROM hearing_search"))
    guard = IndexGuard()
    guard.ensure(scratch.engine)
    with scratch.engine.connect() as connection:
        indexed = connection.execute(select(func.count()).select_from(hearing_search)).scalar()
        meetings = connection.execute(select(func.count()).select_from(schema.hearings)).scalar()
    assert indexed == meetings == 150
    assert found(scratch.client(), "Kurilla") == ["118307"]
