"""The query parameters of a search and of the lists: fixed choices read in any case."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("path", "lower", "as_shown"),
    [
        # Results and exports say "House" and "Postponed": a value copied from them filters.
        ("/api/hearings", {"chamber": "house"}, {"chamber": "House"}),
        ("/api/hearings", {"status": "postponed"}, {"status": "Postponed"}),
        ("/api/hearings", {"sort": "date"}, {"sort": " Date "}),
        ("/api/changes", {"chamber": "senate"}, {"chamber": "SENATE"}),
        ("/api/committees", {"chamber": "joint"}, {"chamber": "Joint"}),
        ("/api/members", {"chamber": "senate"}, {"chamber": "Senate"}),
    ],
)
def test_choices_are_read_in_any_case(
    client: TestClient, path: str, lower: dict[str, str], as_shown: dict[str, str]
) -> None:
    expected = client.get(path, params=lower)
    response = client.get(path, params=as_shown)
    assert response.status_code == 200, response.text
    assert response.json()["results"] == expected.json()["results"]


def test_pages_read_choices_in_any_case(client: TestClient) -> None:
    page = client.get("/hearings", params={"status": "Postponed", "chamber": "House"})
    assert page.status_code == 200
    assert client.get("/changes", params={"kind": "Postponed"}).status_code == 200


def test_a_choice_that_is_none_of_them_is_still_refused(client: TestClient) -> None:
    response = client.get("/api/hearings", params={"status": "Delayed"})
    assert response.status_code == 400
    assert "'scheduled', 'canceled', 'postponed' or 'rescheduled'" in response.text
    assert "(got 'Delayed')" in response.text  # what was sent, not a lower-cased copy
