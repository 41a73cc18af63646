"""After an import of the bundled corpus, the Senate has its hundred members, and a state's only
representative is shown at large, a delegate with no district, beside the state's senators."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_the_imported_congress_has_a_hundred_senators(client: TestClient) -> None:
    senate = client.get("/api/members", params={"chamber": "senate"}).json()
    house = client.get("/api/members", params={"chamber": "house"}).json()
    everyone = client.get("/api/members").json()
    assert (senate["total"], house["total"], everyone["total"]) == (100, 438, 538)


def member_rows(client: TestClient, q: str) -> dict[str, tuple[str, ...]]:
    """Name -> (state, district, chamber), as the member list shows them."""
    html = client.get("/members", params={"q": q}).text
    rows = re.findall(
        r'<a href="/members/[^"]+">([^<]+)</a>.*?<td class="short">([^<]*)</td>'
        r'<td class="opt">([^<]*)</td><td class="short">([^<]*)</td></tr>',
        html,
    )
    return {name: (state, district, chamber) for name, state, district, chamber in rows}


def test_a_states_only_representative_is_listed_at_large_and_a_delegate_without_district(
    client: TestClient,
) -> None:
    assert member_rows(client, "Vermont") == {
        "Becca Balint": ("Vermont", "at large", "House"),
        "Bernard Sanders": ("Vermont", "—", "Senate"),
        "Peter Welch": ("Vermont", "—", "Senate"),
    }
    assert member_rows(client, "Puerto Rico") == {
        "Pablo Jose Hernández": ("Puerto Rico", "—", "House")
    }
    page = client.get("/members/B001318").text
    assert "<dd>Vermont, at large</dd>" in page and "<dd>House</dd>" in page
    assert client.get("/api/members/B001318").json()["district"] == 0
    assert client.get("/api/members/H001103").json()["district"] is None
