"""Members come from the member list, whose entries have no `firstName`/`lastName`: `hearings
export members` still has both for every member of the bundled corpus, a second import rewrites
none, a rebuild exports them unchanged, and a database imported before revision 0008 gets them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from hearings.reports.export import export_to_string
from hearings.store import schema
from tests.store.migration_steps import downgrade, upgrade
from tests.sync.harness import Harness


def exported_members(harness: Harness) -> dict[str, dict[str, object]]:
    done = harness.cli("export", "members")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {row["bioguide_id"]: row for row in rows}


@pytest.mark.imported
def test_every_member_of_the_bundled_corpus_exports_a_first_and_last_name(
    harness: Harness,
) -> None:
    members = exported_members(harness)

    assert len(members) == 538
    assert all(m["first_name"] and m["last_name"] for m in members.values())
    names = {b: (members[b]["first_name"], members[b]["last_name"]) for b in members}
    assert names["S000033"] == ("Bernard", "Sanders")
    assert names["O000172"] == ("Alexandria", "Ocasio-Cortez")
    assert names["K000383"] == ("Angus", "King")  # "King, Angus S., Jr."
    assert names["G000586"] == ("Jesús", "García")  # 'García, Jesús G. "Chuy"'
    assert members["K000383"]["name"] == "Angus S. King Jr."


@pytest.mark.imported
def test_a_second_import_rewrites_no_member(harness: Harness) -> None:
    before = export_to_string(harness.engine(), "members")

    metrics = harness.run("import")

    assert metrics.members_updated == 0
    assert export_to_string(harness.engine(), "members") == before


@pytest.mark.imported
def test_a_rebuild_of_members_exports_the_same_bytes(harness: Harness) -> None:
    before = export_to_string(harness.engine(), "members")

    done = harness.cli("rebuild", "--entity", "members")

    assert done.returncode == 0, done.stderr
    for engine in harness.engines:
        engine.dispose()  # the file was replaced: read the new one
    assert export_to_string(harness.engine(), "members") == before


@pytest.mark.imported
def test_members_stored_without_names_get_them_from_the_archive_on_upgrade(
    harness: Harness,
) -> None:
    before = export_to_string(harness.engine(), "members")
    engine = harness.engine()
    downgrade(engine, "0007")
    with engine.begin() as connection:
        # What an import before 0008 stored: no first or last name for any listed member.
        connection.execute(update(schema.members).values(first_name=None, last_name=None))
    assert '"first_name":null' in export_to_string(engine, "members").replace(" ", "")

    upgrade(engine)

    assert export_to_string(harness.engine(), "members") == before
