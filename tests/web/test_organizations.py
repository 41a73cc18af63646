"""Organization pages are named by a slug of the organization's key: the key itself, dashed, as it
always was, and for a key too long for a URL a readable prefix and a hash of the whole key. The
links are followed over real HTTP, as a browser would."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
from sqlalchemy import insert, select

from hearings.store import schema
from hearings.store.records import witness_key
from hearings.store.witness_rows import witness_row
from hearings.web.app import create_app
from hearings.web.organization_slugs import organization_slug
from hearings.web.organizations import WITNESS_LIMIT
from hearings.witness_names import normalize_organization, parse_witness_name
from tests.web.conftest import FIXED_NOW, Scratch
from tests.web.live import live_server

# Two organizations of 99,000 characters that differ only in their last word.
LONG_PREFIX = "Coalition for " + "the Study of Very Long Organization Names " * 2400
LONG_NAMES = [LONG_PREFIX + "East", LONG_PREFIX + "West"]


def test_a_key_of_up_to_300_characters_is_its_own_slug() -> None:
    assert organization_slug("heritage foundation") == "heritage-foundation"
    key = " ".join(["word"] * 60)[:300].strip()
    assert organization_slug(key) == key.replace(" ", "-")


def test_a_longer_key_gets_a_short_slug_of_its_prefix_and_a_hash() -> None:
    keys = [normalize_organization(name) for name in LONG_NAMES]
    slugs = [organization_slug(key) for key in keys]
    assert slugs[0] != slugs[1]
    for slug in slugs:
        assert len(slug) <= 120
        assert slug.startswith("coalition-for-the-study-of-very-long-organization-names-the-")
        assert re.fullmatch(r"[a-z0-9-]+--[0-9a-f]{16}", slug)
    assert organization_slug(keys[0]) == slugs[0]  # stable: the same key, the same slug


def _plant_long_organizations(scratch: Scratch) -> str:
    """A witness from each long organization, at one meeting; returns the meeting's id."""
    with scratch.engine.begin() as connection:
        event_id = str(connection.execute(select(schema.hearings.c.event_id).limit(1)).scalar())
        for ordinal, organization in enumerate(LONG_NAMES, start=100):
            name = f"Pat Longname{ordinal}"
            person = parse_witness_name(name)
            witness_id = witness_key(person.normalized, normalize_organization(organization))
            now = datetime(2025, 6, 1)
            connection.execute(
                insert(schema.witnesses).values(
                    witness_row(person, name, organization, witness_id, now)
                )
            )
            connection.execute(
                insert(schema.witness_appearances).values(
                    event_id=event_id,
                    ordinal=ordinal,
                    witness_id=witness_id,
                    name_as_given=name,
                    organization=organization,
                )
            )
    return event_id


def test_links_to_long_organizations_are_short_and_lead_to_each_one(scratch: Scratch) -> None:
    event_id = _plant_long_organizations(scratch)
    app = create_app(scratch.engine, settings=scratch.database.settings(), clock=lambda: FIXED_NOW)
    with live_server(app) as base:
        page = httpx.get(f"{base}/hearings/{event_id}", timeout=60)
        assert page.status_code == 200
        links = re.findall(r'href="(/organizations/[^"]*)"', page.text)
        long_links = [link for link in links if "coalition" in link]
        assert len(long_links) == 2 and long_links[0] != long_links[1]
        for link, ordinal in zip(long_links, (100, 101), strict=True):
            assert len(link) <= 140
            organization = httpx.get(f"{base}{link}", timeout=60)
            assert organization.status_code == 200
            assert f"Pat Longname{ordinal}" in organization.text
            assert f"Pat Longname{201 - ordinal}" not in organization.text
            twin = httpx.get(f"{base}/api{link}", timeout=60).json()
            assert twin["organization_key"] == normalize_organization(LONG_NAMES[ordinal - 100])
            # The JSON gives the link, so an API user never has to make a slug.
            assert twin["url"] == link
            [witness] = twin["witnesses"]
            assert witness["organization_url"] == link
            listed = httpx.get(
                f"{base}/api/witnesses", params={"q": f"Longname{ordinal}"}, timeout=60
            )
            assert [w["organization_url"] for w in listed.json()["results"]] == [link]
            detail = httpx.get(f"{base}/api/witnesses/{witness['witness_id']}", timeout=60).json()
            assert detail["organization_url"] == link
        # A prefix with a hash no key has names nothing.
        forged = re.sub(r"--[0-9a-f]{16}$", "--" + "0" * 16, long_links[0])
        assert httpx.get(f"{base}{forged}", timeout=60).status_code == 404
        assert httpx.get(f"{base}/api{forged}", timeout=60).status_code == 404
        # Short slugs are as they always were.
        assert (
            httpx.get(
                f"{base}/organizations/department-of-veterans-affairs", timeout=60
            ).status_code
            == 200
        )


def test_witnesses_of_an_organization_are_in_the_same_order_on_both_backends(
    scratch: Scratch,
) -> None:
    # Most appearances first, then the name in code-point order (capitals before small letters,
    # punctuation counted, as SQLite sorts and PostgreSQL's collation does not), then the id:
    # two people can show the same name ("Alex Doe" and "Alex Doe" with a suffix the name drops).
    organization = "Order Test Institute"
    people = [
        ("order-alex-doe-2", "Alex Doe", "alex doe 2"),
        ("order-al-amin", "al-Amin Sara", "al amin sara"),
        ("order-zed", "Zed Ames", "zed ames"),
        ("order-alex-doe-1", "Alex Doe", "alex doe 1"),
        ("order-ada", "Ada O'Neil", "ada oneil"),
    ]
    with scratch.engine.begin() as connection:
        for witness_id, display, normalized in people:
            connection.execute(
                insert(schema.witnesses).values(
                    witness_id=witness_id,
                    normalized_name=normalized,
                    organization_key=normalize_organization(organization),
                    display_name=display,
                    organization=organization,
                    first_seen_at=datetime(2025, 6, 1),
                )
            )
    answer = scratch.client().get("/api/organizations/order-test-institute")
    assert [w["witness_id"] for w in answer.json()["witnesses"]] == [
        "order-ada",
        "order-alex-doe-1",
        "order-alex-doe-2",
        "order-zed",
        "order-al-amin",
    ]


def test_a_large_organization_lists_its_most_frequent_witnesses_and_counts_them_all(
    scratch: Scratch,
) -> None:
    """Above the limit the page keeps the witnesses with the most appearances: it kept the first
    by name, so one who testified often but was named late in the alphabet was left out."""
    organization = "Very Large Agency"
    key = normalize_organization(organization)
    with scratch.engine.begin() as connection:
        event_id = str(connection.execute(select(schema.hearings.c.event_id).limit(1)).scalar())
        connection.execute(
            insert(schema.witnesses),
            [
                {
                    "witness_id": f"large-{n:04d}",
                    "normalized_name": f"aaron staff {n:04d}",
                    "organization_key": key,
                    "display_name": f"Aaron Staff {n:04d}",
                    "organization": organization,
                    "first_seen_at": datetime(2025, 6, 1),
                }
                for n in range(WITNESS_LIMIT + 5)
            ]
            + [
                {
                    "witness_id": "large-zoe",
                    "normalized_name": "zoe zimmer",
                    "organization_key": key,
                    "display_name": "Zoe Zimmer",
                    "organization": organization,
                    "first_seen_at": datetime(2025, 6, 1),
                }
            ],
        )
        connection.execute(
            insert(schema.witness_appearances).values(
                event_id=event_id,
                ordinal=900,
                witness_id="large-zoe",
                name_as_given="Zoe Zimmer",
                organization=organization,
            )
        )
    client = scratch.client()
    answer = client.get("/api/organizations/very-large-agency").json()
    assert answer["witness_count"] == WITNESS_LIMIT + 6
    listed = [w["witness_id"] for w in answer["witnesses"]]
    assert len(listed) == WITNESS_LIMIT
    assert listed[:3] == ["large-zoe", "large-0000", "large-0001"]
    page = client.get("/organizations/very-large-agency").text
    assert "1,006 witnesses" in page
    assert "Listed here: the 1,000 with the most appearances." in page
    # A small organization says nothing of a limit.
    small = client.get("/organizations/department-of-veterans-affairs").text
    assert "Listed here" not in small
