"""The JSON API and the exports of a search."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hearings.store import schema


def test_hearings_list_has_results_and_links(client: TestClient) -> None:
    body = client.get("/api/hearings", params={"chamber": "house", "per_page": "5"}).json()
    assert body["total"] == 80 and body["page"] == 1 and body["pages"] == 16
    assert body["sort"] == "newest" and len(body["results"]) == 5
    first = body["results"][0]
    assert first["url"] == f"/hearings/{first['event_id']}"
    assert first["congress_gov_url"].startswith("https://www.congress.gov/event/119th-Congress/")
    assert first["start_eastern"].endswith("ET")
    assert body["next"] == "/api/hearings?chamber=house&page=2&per_page=5"
    assert body["csv"] == "/hearings.csv?chamber=house&per_page=5"


def test_a_search_is_ranked_by_relevance(client: TestClient) -> None:
    body = client.get("/api/hearings", params={"q": "veterans"}).json()
    assert body["sort"] == "relevance" and body["total"] >= 2
    assert all(r["snippet"] is None or isinstance(r["snippet"], str) for r in body["results"])


def test_one_hearing_in_full(client: TestClient) -> None:
    body = client.get("/api/hearings/118365").json()
    assert body["event_id"] == "118365" and body["start"] == "2025-06-11T14:00:00Z"
    assert [c["system_code"] for c in body["committees"]] == ["hsgo00", "hsvr10"]
    assert body["witnesses"][0]["name"] == "Mr. Nick Pamperin"
    assert body["witnesses"][0]["documents"]
    assert {"congress": 119, "type": "HR", "number": "2334"} in [
        {k: b[k] for k in ("congress", "type", "number")} for b in body["bills"]
    ]
    assert any(v["kind"] == "youtube" for v in body["videos"])
    missing = client.get("/api/hearings/nope")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"status": 404, "message": "There is no meeting with id 'nope' in this database."}
    }


def test_witnesses_committees_and_members(client: TestClient) -> None:
    witnesses = client.get("/api/witnesses", params={"q": "singleton"}).json()
    assert witnesses["results"][0]["witness_id"] == "craig-singleton-f4f1496895"
    assert witnesses["results"][0]["appearance_count"] == 2
    witness = client.get("/api/witnesses/craig-singleton-f4f1496895").json()
    assert [a["event_id"] for a in witness["appearances"]] == ["117895", "117903"]
    committees = client.get("/api/committees").json()
    assert committees["total"] == 214
    house = client.get("/api/committees?chamber=house").json()["results"]
    assert {c["chamber"] for c in house} == {"House"}
    committee = client.get("/api/committees/hsag00").json()
    assert "hsag29" in [s["system_code"] for s in committee["subcommittees"]]
    members = client.get("/api/members", params={"q": "cole"}).json()
    assert any(m["name"] == "Tom Cole" for m in members["results"])
    organization = client.get("/api/organizations/department-of-veterans-affairs").json()
    assert len(organization["witnesses"]) == 7


def test_stats_and_update_status(client: TestClient) -> None:
    stats = client.get("/api/stats").json()
    assert stats["hearings"] == 150 and stats["committees"] == 214 and stats["members"] == 538
    assert stats["by_chamber"] == {"House": 80, "Senate": 70}
    assert stats["by_status"]["Canceled"] == 4
    status = client.get("/api/update-status").json()
    assert status["data_as_of"] and status["data_as_of"].endswith("Z")
    assert status["last_successful_run"]["command"] == "import"
    assert status["latest_run"]["outcome"] == "succeeded"
    assert status["quarantined_open"] >= 1


def test_the_current_search_exports_as_csv_and_json(client: TestClient) -> None:
    listed = client.get("/api/hearings", params={"q": "veterans", "per_page": "100"}).json()
    order = [r["event_id"] for r in listed["results"]]
    as_json = client.get("/hearings.json", params={"q": "veterans"})
    assert as_json.status_code == 200
    assert as_json.headers["content-disposition"] == 'attachment; filename="hearings.json"'
    records = json.loads(as_json.text)
    assert [r["event_id"] for r in records] == order
    assert set(records[0]) >= {"event_id", "title", "witnesses", "bills", "committees"}
    as_csv = client.get("/hearings.csv", params={"q": "veterans"})
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["event_id"] for r in rows] == order
    assert json.loads(rows[0]["committees"])
    empty = client.get("/hearings.csv", params={"q": "zzzzqqq"})
    assert empty.text.startswith("event_id,congress,chamber")


def test_the_api_is_documented(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path in (
        "/api/hearings",
        "/api/hearings/{event_id}",
        "/api/witnesses",
        "/api/committees",
        "/api/stats",
        "/api/update-status",
        "/feeds/hearings.ics",
    ):
        assert path in document["paths"], path
    hearings = document["paths"]["/api/hearings"]["get"]
    assert "400" in hearings["responses"] and "422" not in hearings["responses"]
    assert {p["name"] for p in hearings["parameters"]} >= {
        "q",
        "congress",
        "chamber",
        "committee",
        "status",
        "type",
        "from",
        "to",
        "has_witnesses",
        "has_transcript",
        "sort",
        "page",
        "per_page",
    }
    docs = client.get("/api")
    assert docs.status_code == 200 and "GET /api/hearings" in docs.text


NUL_ADDRESSES = [
    "/hearings/%00",
    "/api/hearings/1%00",
    "/api/hearings/%00/history",
    "/committees/%00",
    "/api/members/%00",
    "/witnesses/a%00b",
    "/api/organizations/%00",
    "/api/witnesses?q=%00",
    "/members?q=x%00",
    "/hearings?type=%00",
]


def test_a_nul_character_in_an_address_is_a_400_in_one_sentence(
    make_client: Callable[..., TestClient],
) -> None:
    """PostgreSQL takes no NUL in a text parameter: these were 500s there (404 or 200 on
    SQLite). No stored value holds one: the gate drops them."""
    client = make_client()
    for address in NUL_ADDRESSES:
        if not address.startswith("/api/"):
            page = client.get(address)
            assert page.status_code == 400, address
            assert '<p class="error-message">' in page.text
        answer = client.get(address, headers={"Accept": "application/json"})
        assert answer.status_code == 400, address
        assert "NUL character" in answer.json()["error"]["message"]


def test_witnesses_come_in_the_same_order_on_both_backends(
    client: TestClient, engine: Engine
) -> None:
    """By last name, then first name, in code-point order: PostgreSQL's collation skips the
    apostrophe, so O'Malley came after Okon there and before it on SQLite."""
    listed: list[str] = []
    for page in range(1, 4):
        answer = client.get("/api/witnesses", params={"per_page": "100", "page": str(page)})
        listed += [w["witness_id"] for w in answer.json()["results"]]
    table = schema.witnesses
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                table.c.witness_id,
                table.c.last_name,
                table.c.first_name,
                table.c.display_name,
                table.c.organization_key,
            )
        ).all()

    def ascii_lower(text: str | None) -> str:
        return "".join(c.lower() if c.isascii() else c for c in text or "")

    expected = sorted(
        rows,
        key=lambda r: (
            ascii_lower(r.last_name or r.display_name),
            ascii_lower(r.first_name),
            r.organization_key or "",
            r.witness_id,
        ),
    )
    assert listed == [r.witness_id for r in expected]
    names = [r.display_name for r in expected]
    assert names.index("Martin O'Malley") < names.index("Ted Okon")
