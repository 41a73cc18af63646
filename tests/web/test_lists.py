"""Lists read the way people read them: committees by name within each chamber, witnesses and
members by last name; members found by state name or postal code, their chamber never blank;
the admin in one labelled time zone and out of the public navigation."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from hearings.store import schema
from hearings.web.committee_entities import list_committees, reading_order
from tests.web.conftest import ADMIN_TOKEN, Scratch

BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_committees_are_listed_by_chamber_then_name(client: TestClient) -> None:
    html = client.get("/committees").text
    parents = re.findall(r'<tr class="(chamber|parent)">\s*<t[hd][^>]*>(?:<a [^>]*>)?([^<]+)', html)
    chambers = [name for kind, name in parents if kind == "chamber"]
    assert chambers == ["House", "Senate"] or chambers[:2] == ["House", "Senate"]
    house = []
    for kind, name in parents:
        if kind == "chamber" and house:
            break
        if kind == "parent":
            house.append(name)
    assert house.index("Agriculture Committee") < house.index(
        "Intelligence (Permanent Select) Committee"
    )
    # By name, a leading "Committee on" set aside ("Committee on House Administration" is
    # read as "House Administration").
    assert house == sorted(house, key=lambda n: re.sub(r"^committee on (the )?", "", n.lower()))


def test_subcommittees_follow_their_parent_by_name(engine: Engine) -> None:
    with engine.connect() as connection:
        rows = list_committees(connection)
    assert rows == sorted(rows, key=reading_order)
    html_order = [r.system_code for r in rows if r.parent_code == "hsgo00"]
    names = [r.name for r in rows if r.parent_code == "hsgo00"]
    assert names == sorted(names, key=lambda n: (n or "").lower()) and html_order


def test_witnesses_are_listed_by_last_name(client: TestClient, engine: Engine) -> None:
    html = client.get("/witnesses").text
    ids = re.findall(r'<a href="/witnesses/([^"]+)">', html)
    witnesses = schema.witnesses
    with engine.connect() as connection:
        last = dict(
            connection.execute(
                select(witnesses.c.witness_id, witnesses.c.last_name).where(
                    witnesses.c.witness_id.in_(ids)
                )
            ).all()
        )
    names = [(last[i] or "").lower() for i in ids]
    assert len(ids) == 50 and names == sorted(names)


def test_members_are_found_by_state_name_or_code_and_listed_by_last_name(
    scratch: Scratch,
) -> None:
    # Two members of other states moved, one stored with the state's name, one with its postal
    # code: they are found beside the corpus's own New Yorkers.
    members = schema.members
    new_york = members.c.state.in_(("New York", "NY"))
    with scratch.engine.begin() as connection:
        already = set(connection.execute(select(members.c.bioguide_id).where(new_york)).scalars())
        ids = list(
            connection.execute(
                select(members.c.bioguide_id)
                .where(~new_york)
                .order_by(members.c.bioguide_id)
                .limit(2)
            ).scalars()
        )
        for bioguide_id, state in zip(ids, ("New York", "NY"), strict=True):
            connection.execute(
                update(members).where(members.c.bioguide_id == bioguide_id).values(state=state)
            )
    client = scratch.client()
    for q in ("New York", "new york", "NY"):
        found = client.get("/api/members", params={"q": q, "per_page": "100"}).json()
        assert {m["bioguide_id"] for m in found["results"]} == already | set(ids), q
    html = client.get("/members", params={"q": "new york"}).text
    assert "matching “new york”" in html and "by last name" in html


def test_members_are_listed_by_last_name(scratch: Scratch) -> None:
    client = scratch.client()
    names = re.findall(r'<a href="/members/[^"]+">([^<]+)</a>', client.get("/members").text)
    # The corpus's member list gives no separate last names: they come from the display name.
    assert names.index("Robert B. Aderholt") < names.index("Aaron Bean")
    # A stored last name wins.
    members = schema.members
    with scratch.engine.begin() as connection:
        connection.execute(
            update(members).where(members.c.name == "Aaron Bean").values(last_name="Zzyzx")
        )
    last_page = client.get("/members", params={"page": "11"}).text
    assert re.findall(r'<a href="/members/[^"]+">([^<]+)</a>', last_page)[-1] == "Aaron Bean"


def test_a_member_without_a_recorded_chamber_is_placed_by_district(scratch: Scratch) -> None:
    members = schema.members
    with scratch.engine.begin() as connection:
        member = connection.execute(
            select(members.c.bioguide_id, members.c.name)
            .where(members.c.district.is_not(None))
            .limit(1)
        ).one()
        connection.execute(
            update(members).where(members.c.bioguide_id == member.bioguide_id).values(chamber=None)
        )
    client = scratch.client()
    html = client.get("/members", params={"q": member.name}).text
    row = html[html.index(f'href="/members/{member.bioguide_id}"') :]
    row = row[: row.index("</tr>")]
    assert row.rstrip().endswith(">House</td>")
    house = client.get("/api/members", params={"chamber": "house", "per_page": "100"}).json()
    assert house["total"] >= 1


def test_the_admin_is_not_in_the_public_navigation(client: TestClient) -> None:
    # The client's app has an ADMIN_TOKEN: the admin exists, but the public is not pointed to it.
    assert client.get("/admin", headers=BEARER).status_code == 200
    assert 'href="/admin"' not in client.get("/hearings").text


def test_the_admin_shows_every_time_in_eastern_time_and_says_so(client: TestClient) -> None:
    html = client.get("/admin", headers=BEARER).text
    assert "All times are Eastern Time (ET)." in html
    assert "UTC" not in html
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ET", html)


def _listed(client: TestClient, kind: str, q: str) -> tuple[set[str], set[str]]:
    """The ids `/api/{kind}` and `/{kind}` list for the search `q`."""
    api = client.get(f"/api/{kind}", params={"q": q, "per_page": "100"}).json()
    key = "bioguide_id" if kind == "members" else "witness_id"
    html = client.get(f"/{kind}", params={"q": q}).text
    return {r[key] for r in api["results"]}, set(re.findall(rf'<a href="/{kind}/([^"]+)">', html))


def test_a_member_or_witness_search_reads_percent_and_underscore_as_themselves(
    client: TestClient, engine: Engine
) -> None:
    members, witnesses = schema.members, schema.witnesses
    with engine.connect() as connection:
        texts = [
            *connection.execute(select(members.c.name, members.c.state)).all(),
            *connection.execute(
                select(witnesses.c.normalized_name, witnesses.c.organization_key)
            ).all(),
        ]
    # No name in the corpus holds them, so none is found ("S_i" once found "Cassidy").
    for q in ("%", "_", "S_i"):
        assert not any(q.lower() in (text or "").lower() for row in texts for text in row)
        for kind in ("members", "witnesses"):
            assert _listed(client, kind, q) == (set(), set()), (kind, q)
    aderholt = _listed(client, "members", "Aderholt")
    assert aderholt[0] and aderholt[0] == aderholt[1]
    landwermeyer = _listed(client, "witnesses", "Landwermeyer")
    assert landwermeyer[0] and landwermeyer[0] == landwermeyer[1]


def test_a_name_holding_percent_or_underscore_is_found_by_them(scratch: Scratch) -> None:
    members, witnesses = schema.members, schema.witnesses
    with scratch.engine.begin() as connection:
        member = connection.execute(
            select(members.c.bioguide_id).order_by(members.c.bioguide_id).limit(1)
        ).scalar_one()
        connection.execute(
            update(members).where(members.c.bioguide_id == member).values(name="Ann 50%_Smith")
        )
        witness = connection.execute(
            select(witnesses.c.witness_id).order_by(witnesses.c.witness_id).limit(1)
        ).scalar_one()
        connection.execute(
            update(witnesses)
            .where(witnesses.c.witness_id == witness)
            .values(normalized_name="jo 50%_smith")
        )
    client = scratch.client()
    for q in ("%", "_", "%_S"):
        assert _listed(client, "members", q) == ({member}, {member}), q
        assert _listed(client, "witnesses", q) == ({witness}, {witness}), q
