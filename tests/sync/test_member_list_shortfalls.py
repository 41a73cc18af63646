"""An import whose member list the API does not serve to its end: members are not updated day to
day, so the members it did not reach would wait for an import a completed one never has. The
import says so, holds the list (`members.relist`), and the next update lists it again, whole,
until one reads it to its end; an update with nothing held lists no members. Real runs against
the replica over loopback, its list pages overridden.
"""

from __future__ import annotations

import pytest

from hearings.store import schema
from tests.sync.harness import Harness

MEMBERS = "member/congress/119"


def member_count(harness: Harness) -> int:
    return harness.count(schema.members)


def held(harness: Harness) -> int:
    """How many Congresses' member lists are held for the next run."""
    return harness.count(schema.sync_state, schema.sync_state.c.entity == "members.relist")


def test_a_member_list_read_short_is_listed_again_by_the_next_update(
    harness: Harness,
) -> None:
    whole = len(harness.corpus.ids("member"))
    assert whole > 500  # three pages of 250
    harness.replica.overrides.set_list_page(MEMBERS, 250, lambda p: {**p, "members": []})

    imported = harness.run("import")

    assert imported.success
    # The page after the hole is read; the hole's 250 are not.
    assert member_count(harness) == whole - 250
    [sentence] = imported.anomalies
    assert sentence == (
        f"The list {harness.replica.base_url}/{MEMBERS} could not be read to its end "
        f"(pagination.count is {whole}, but the page at offset 250 was empty, leaving "
        f"{whole - 250} entries unseen); records it lists past that point may not have been "
        "seen, and the next run lists it again."
    )
    assert held(harness) == 1

    harness.replica.overrides.clear()
    harness.replica.reset_counters()
    updated = harness.run("update", lookback_days=1)

    assert updated.success and updated.anomalies == []
    assert member_count(harness) == whole
    assert updated.stages["members"].status == "completed"
    assert harness.replica.stats.list_pages[MEMBERS] == 3
    assert held(harness) == 0

    harness.replica.reset_counters()
    again = harness.run("update", lookback_days=1)

    assert again.success and "members" not in again.stages
    assert harness.replica.stats.list_pages[MEMBERS] == 0  # nothing held: no member list read


@pytest.mark.imported
def test_an_update_reading_the_held_list_short_again_keeps_it_held(harness: Harness) -> None:
    harness.replica.overrides.set_list_page(MEMBERS, 250, lambda p: {**p, "members": []})
    harness.run("import")  # the import of an imported Congress: its member list read short
    assert held(harness) == 1

    updated = harness.run("update", lookback_days=1)

    [sentence] = updated.anomalies
    assert f"{harness.replica.base_url}/{MEMBERS} could not be read to its end" in sentence
    assert held(harness) == 1
