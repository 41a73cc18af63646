"""Search that speaks Congress: acronyms and full names find each other (matches as typed first),
snippets say what matched and never show the index's own tokens."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, update

from hearings.store import schema
from hearings.web.acronyms import (
    Acronyms,
    committee_pair,
    curated_pairs,
    derived_pairs,
    organisation_pair,
)
from hearings.web.search import build_query, parse_terms, refresh_search_index
from tests.web.conftest import Scratch

# Meetings of the corpus given titles that use one phrasing or the other.
TITLES = {
    "118307": "AI in the Department of Defense",
    "118451": "Artificial intelligence and the federal workforce",
    "117895": "Oversight of the GAO high-risk list",
    "117903": "Government Accountability Office: priority recommendations",
}


def found(client: TestClient, q: str) -> list[str]:
    response = client.get("/api/hearings", params={"q": q, "per_page": "100"})
    assert response.status_code == 200, response.text
    return [r["event_id"] for r in response.json()["results"]]


@pytest.fixture
def retitled(scratch: Scratch) -> TestClient:
    with scratch.engine.begin() as connection:
        for event_id, title in TITLES.items():
            connection.execute(
                update(schema.hearings)
                .where(schema.hearings.c.event_id == event_id)
                .values(title=title)
            )
        refresh_search_index(connection, list(TITLES))
    return scratch.client()


@pytest.mark.parametrize(
    ("short", "long"),
    [("AI", "artificial intelligence"), ("GAO", "Government Accountability Office")],
)
def test_an_acronym_and_its_full_name_find_the_union_of_both(
    retitled: TestClient, short: str, long: str
) -> None:
    by_short, by_long = found(retitled, short), found(retitled, long)
    assert set(by_short) == set(by_long)
    titled = {e for e, t in TITLES.items() if short in t or long.lower() in t.lower()}
    assert titled <= set(by_short)


def test_matches_as_typed_rank_before_matches_through_an_equivalent(retitled: TestClient) -> None:
    by_short = found(retitled, "AI")
    by_long = found(retitled, "artificial intelligence")
    assert by_short.index("118307") < by_short.index("118451")
    assert by_long.index("118451") < by_long.index("118307")


def test_the_witness_organisation_counts_as_the_full_name(retitled: TestClient) -> None:
    # 118487's witness came from the "U.S. Government Accountability Office".
    assert "118487" in found(retitled, "GAO")


def test_the_html_page_marks_both_phrasings(retitled: TestClient) -> None:
    page = retitled.get("/hearings", params={"q": "AI"}).text
    assert "<mark>AI</mark>" in page
    assert "Also searched: “artificial intelligence”" in page
    api = retitled.get("/api/hearings", params={"q": "AI"}).json()
    assert api["also_searched"] == ["artificial intelligence"]
    # FTS5 marks the phrase as one, PostgreSQL word by word.
    assert re.search(r"<mark>Artificial(</mark>\s*<mark>|\s+)intelligence</mark>", page)


def test_everyday_words_are_not_read_as_acronyms_unless_typed_in_capitals() -> None:
    acronyms = Acronyms.from_pairs(curated_pairs())
    assert build_query(parse_terms("it"), acronyms).expanded is False
    assert build_query(parse_terms("IT"), acronyms).expanded is True
    assert build_query(parse_terms("ai policy"), acronyms).expanded is True


NGB = ("NGB", "National Guard Bureau")
TAPS = ("TAPS", "Tragedy Assistance Program for Survivors")
IRI = ("IRI", "International Republican Institute")


@pytest.mark.parametrize(
    ("organisation", "pair"),
    [
        ("National Guard Bureau (NGB)", NGB),
        ("Tragedy Assistance Program for Survivors (TAPS)", TAPS),
        ("The International Republican Institute (IRI)", IRI),
        ("Department of the Navy (Ret.)", None),
        ("Office of the Governor (R-TX)", None),
        ("Acme Corp (Virginia)", None),
    ],
)
def test_organisations_spell_out_their_acronyms(
    organisation: str, pair: tuple[str, str] | None
) -> None:
    assert organisation_pair(organisation) == pair


def test_committee_names_give_their_usual_acronyms() -> None:
    assert committee_pair("Armed Services Committee", "House") == (
        "HASC",
        "Armed Services Committee",
    )
    assert committee_pair("Foreign Relations Committee", "Senate") == (
        "SFRC",
        "Foreign Relations Committee",
    )
    assert committee_pair("Health Subcommittee", "House") is None


def test_curated_acronyms_win_over_initials_and_three_letters_are_not_guessed(
    engine: Engine,
) -> None:
    with engine.connect() as connection:
        derived = dict(derived_pairs(connection, frozenset({"sec"})))
    assert derived["HASC"] == "Armed Services Committee"
    assert derived["HVAC"] == "Veterans' Affairs Committee"
    # The Senate's Ethics Committee would be SEC; the Judiciary Committees HJC and SJC.
    assert "SEC" not in derived and "HJC" not in derived and "SJC" not in derived


def test_acronyms_the_data_spells_out_are_searchable(client: TestClient) -> None:
    # 'Tragedy Assistance Program for Survivors (TAPS)' testified in the corpus.
    by_short = found(client, "TAPS")
    assert by_short
    assert set(by_short) == set(found(client, "Tragedy Assistance Program for Survivors"))


def test_a_bill_citation_is_shown_as_written_never_as_the_index_token(
    client: TestClient,
) -> None:
    page = client.get("/hearings", params={"q": "H.R. 2334"})
    assert page.status_code == 200
    results = page.text[page.text.index('<ol class="results">') :]
    assert "hr2334" not in results.lower().replace("h.r. 2334", "")
    assert re.search(r"<mark>H\.R\. 2334</mark>", results)
    api = client.get("/api/hearings", params={"q": "H.R. 2334"}).json()["results"]
    assert api and all("hr2334" not in (r["snippet"] or "") for r in api)


def test_a_match_outside_the_title_says_what_matched(client: TestClient) -> None:
    page = client.get("/hearings", params={"q": "Kurilla"}).text
    assert '<span class="matched">Witness:</span>' in page
    result = client.get("/api/hearings", params={"q": "Kurilla"}).json()["results"][0]
    assert "witnesses" in result["matched_in"]
    assert result["snippet"].startswith("Witness: ")


def test_committee_codes_never_show_in_a_snippet(client: TestClient) -> None:
    page = client.get("/hearings", params={"q": "Economic Opportunity Subcommittee"}).text
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', page, re.S)
    assert snippets
    assert not any(re.search(r"\b[a-z]{4}\d{2}\b", s) for s in snippets)


# Words a query may be made of: acronyms and their full names, citations, operators FTS5 and
# tsquery would read as syntax, and stray punctuation.
_PIECES = st.sampled_from(
    [
        "AI", "ai", "GAO", "Government", "Accountability", "Office", "artificial",
        "intelligence", "IT", "it", "H.R.", "1", "H.R. 2334", "S.J.Res. 3", "E&C", "HASC",
        '"', "'", "(", ")", "*", "-", ":", "NEAR", "OR", "AND", "NOT", "&", "|", "!", "<->",
        "veterans", "Kurilla", "New York", "NY",
    ]
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, min_size=1, max_size=6).map(" ".join))
def test_any_query_gets_an_answer_and_no_internal_token(client: TestClient, q: str) -> None:
    response = client.get("/api/hearings", params={"q": q})
    assert response.status_code == 200, (q, response.text)
    for result in response.json()["results"]:
        assert not re.search(r"\b(hr|s|sjres)\d+\b", result["snippet"] or ""), (q, result)
    assert client.get("/hearings", params={"q": q}).status_code == 200
