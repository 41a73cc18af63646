"""An address longer than any page needs is refused with 414 and one sentence, never redirected
with its query echoed in `Location` (a 60 KB query was a 60 KB header)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from hearings.web.long_addresses import ADDRESS_LIMIT

LONG_QUERY = "q=" + "a" * 60_000


def test_a_trailing_slash_with_a_huge_query_is_refused_not_echoed(client: TestClient) -> None:
    response = client.get(f"/hearings/?{LONG_QUERY}", follow_redirects=False)
    assert response.status_code == 414
    assert "location" not in response.headers
    assert "60,012 characters long" in response.text and "at most 8,192" in response.text
    assert "aaaaaaaaaa" not in response.text  # the search box does not echo it either
    assert len(response.content) < 10_000


def test_a_page_past_the_end_with_a_huge_query_is_refused_not_echoed(client: TestClient) -> None:
    response = client.get(f"/witnesses?page=2000&{LONG_QUERY}", follow_redirects=False)
    assert response.status_code == 414
    assert "location" not in response.headers


def test_programs_get_the_refusal_as_json(client: TestClient) -> None:
    response = client.get(f"/api/hearings/?{LONG_QUERY}", follow_redirects=False)
    assert response.status_code == 414
    assert response.json()["error"]["status"] == 414
    assert "Shorten the search" in response.json()["error"]["message"]


def test_the_refusal_is_documented_where_parameters_can_make_an_address_long(
    client: TestClient,
) -> None:
    """Schemathesis drew a 9,762-character query for /api/witnesses and met an undocumented 414."""
    document = client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        for operation in item.values():
            if operation.get("parameters"):
                refusal = operation["responses"].get("414")
                assert refusal is not None, path
                assert refusal["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }
    response = client.get(f"/api/witnesses?{LONG_QUERY}")
    assert response.status_code == 414 and response.json()["error"]["status"] == 414


def test_an_address_within_the_limit_is_still_redirected_whole(client: TestClient) -> None:
    query = "q=" + "b" * 150 + "&sort=newest"
    response = client.get(f"/hearings/?{query}", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == f"/hearings?{query}"
    at_the_limit = "x=" + "c" * (ADDRESS_LIMIT - len("/hearings/") - 2)
    response = client.get(f"/hearings/?{at_the_limit}", follow_redirects=False)
    assert response.status_code == 307
