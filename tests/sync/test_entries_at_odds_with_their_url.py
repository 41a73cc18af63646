"""A list entry whose chamber and `url` disagree names no record for sure: it is quarantined at the
list, and the record is fetched from the path its `url` names on the next run, even once no list
names it any more. Fetched from the other chamber's path, it answered 404, and the next day's
retry from the quarantine closed it as gone upstream: the day's change was never applied.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hearings.replica import Corpus, Faults, ReplicaServer
from tests.sync.mutations import KIND, Entity, touch
from tests.sync.site import Site, api_time, copy_database

#: A House meeting and a House printed hearing, and a meeting that moves the high-water mark.
VICTIMS: dict[Entity, str] = {"meeting": "117838", "printed_hearing": "60388"}
MATE = "117846"


@pytest.fixture
def site(imported_119: Path, tmp_path: Path) -> Iterator[Site]:
    copy_database(imported_119, tmp_path / "hearings.db")
    with ReplicaServer(Corpus.load(), faults=Faults(retry_after=0)) as replica:
        yield Site(tmp_path, replica)


def revised(site: Site, entity: Entity, ident: str) -> bool:
    row = site.row(entity, ident)
    return row is not None and str(row["title"]).endswith("(revised)")


@pytest.mark.parametrize("entity", list(VICTIMS))
def test_an_entry_whose_chamber_is_not_its_urls_is_retried_where_its_url_is(
    site: Site, entity: Entity
) -> None:
    victim, now = VICTIMS[entity], datetime.now(UTC)
    # The victim changed five hours ago; a later change moves the mark past it, so the next
    # day's list (no lookback beyond the mark's hour) no longer names the victim.
    touch(site.corpus, entity, victim, api_time(now - timedelta(hours=5)))
    touch(site.corpus, "meeting", MATE, api_time(now - timedelta(hours=2)))
    site.replica.overrides.set_list_entry(
        KIND[entity], victim, lambda e: {**e, "chamber": "Senate"}
    )

    first = site.update()
    site.assert_sound(first)
    assert first.code == 3, first.err[-2000:]
    key = victim if entity == "meeting" else f"119/{victim}"
    entry = site.quarantine()[(entity, key)]
    assert entry["stage"] == "list" and "its url names house" in entry["reason"], entry
    assert not revised(site, entity, victim)

    site.replica.overrides.clear()
    second = site.hearings("update", "--congress", "119", "--lookback-days", "0")
    site.assert_sound(second)
    assert second.code == 0, second.err[-2000:]
    assert revised(site, entity, victim), f"the day's change to {entity} {victim} was lost"
    assert (entity, key) not in site.quarantine()


def test_a_meeting_named_by_an_entry_that_says_not_where_is_retried_where_it_is_stored(
    site: Site,
) -> None:
    """An entry whose eventId names another stored meeting and whose url names nothing is
    quarantined under that meeting, with no chamber to fetch it from. Such an entry was never
    retried, and stayed open for good; it is retried where the meeting is stored."""
    named = "117846"  # stored, House
    touch(
        site.corpus, "meeting", VICTIMS["meeting"], api_time(datetime.now(UTC) - timedelta(hours=2))
    )
    site.replica.overrides.set_list_entry(
        "meeting", VICTIMS["meeting"], lambda e: {**e, "eventId": named, "url": 12345}
    )
    first = site.update()
    site.assert_sound(first)
    assert first.code == 3, first.err[-2000:]
    assert "chamber" not in site.quarantine()[("meeting", named)].get("locator", {})

    site.replica.overrides.clear()
    second = site.update()
    site.assert_sound(second)
    assert second.code == 0, second.err[-2000:]
    assert ("meeting", named) not in site.quarantine()
    assert revised(site, "meeting", VICTIMS["meeting"])
