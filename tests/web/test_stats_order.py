"""/api/stats lists its groups in the same order on both backends: meetings whose status, type or
chamber the API left out ("unknown") come first, then the values in code-point order. SQLite
sorts NULL first and PostgreSQL last, so the same data gave the JSON keys in another order."""

from __future__ import annotations

from sqlalchemy import update

from hearings.store import schema
from tests.web.conftest import Scratch


def test_unknown_groups_come_first_on_both_backends(scratch: Scratch) -> None:
    with scratch.engine.begin() as connection:
        connection.execute(
            update(schema.hearings)
            .where(schema.hearings.c.event_id == "118088")
            .values(status=None, meeting_type=None)
        )
    stats = scratch.client().get("/api/stats").json()
    assert list(stats["by_status"]) == [
        "unknown",
        "Canceled",
        "Postponed",
        "Rescheduled",
        "Scheduled",
    ]
    assert list(stats["by_type"])[0] == "unknown"
    assert list(stats["by_type"])[1:] == sorted(list(stats["by_type"])[1:])
