"""A copy of one imported database and a replica whose corpus a test degrades, for the tests of
suspicious changes (tests/sync/test_screening.py, tests/cli/test_quarantine_command.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hearings.replica import Corpus, ReplicaServer
from tests.sync.site import Site, copy_database, stamp_for


@contextmanager
def site_copy(imported: Path, folder: Path) -> Iterator[Site]:
    copy_database(imported, folder / "hearings.db")
    with ReplicaServer(Corpus.load()) as replica:
        yield Site(folder, replica)


def witnessed_meeting(site: Site) -> dict[str, Any]:
    """A meeting that has taken place, with witnesses and a title."""
    for event_id in sorted(site.corpus.ids("meeting")):
        body = site.corpus.meeting(event_id)
        if body and body.get("witnesses") and body.get("date") and body.get("title"):
            return body
    raise AssertionError("the corpus has no meeting with witnesses")


def publish(site: Site, body: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> None:
    """Upstream publishes a new version of `body` today."""
    edited = copy.deepcopy(body)
    change(edited)
    edited["updateDate"] = stamp_for(datetime.now(UTC))
    site.corpus.put_meeting(edited)


def appearances(site: Site, event_id: str) -> int:
    rows = site.query("SELECT COUNT(*) AS n FROM witness_appearances WHERE event_id = ?", event_id)
    return int(rows[0]["n"])
