"""Stored values the app cannot read as hearings writes them: SQLite keeps any value in any column,
and a JSON column takes any JSON on both backends, so another program (or damage) can leave text
in a count or a number where a list belongs. `hearings verify` names them; the app shows what it
can, and where it cannot, says so in one sentence rather than as a bug with a traceback."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, update

from hearings.store import schema
from hearings.web.error_responses import UNREADABLE_MESSAGE
from tests.web.conftest import Scratch


def test_a_printed_hearing_whose_dates_are_not_a_list_still_shows_its_meeting(
    scratch: Scratch,
) -> None:
    with scratch.engine.begin() as connection:
        event_id = connection.execute(
            select(schema.hearing_transcripts.c.event_id).limit(1)
        ).scalar_one()
        connection.execute(update(schema.printed_hearings).values(dates=5, formats="PDF"))
    client = scratch.client()
    for path in (f"/hearings/{event_id}", f"/api/hearings/{event_id}", "/hearings.csv"):
        assert client.get(path).status_code == 200, path


def test_text_in_a_runs_count_is_one_sentence_not_a_bug(
    scratch: Scratch, caplog: pytest.LogCaptureFixture
) -> None:
    if not scratch.url.startswith("sqlite"):
        # PostgreSQL refuses text in an integer column: only the JSON case above can happen.
        assert scratch.url.startswith("postgresql")
        return
    with scratch.engine.begin() as connection:
        connection.execute(update(schema.update_logs).values(hearings_checked="many"))
    client = scratch.client(admin_token="a" * 32)

    with caplog.at_level(logging.ERROR):
        api = client.get("/api/update-status")
        admin = client.get("/admin", headers={"Authorization": "Bearer " + "a" * 32})

    assert api.status_code == 500
    assert api.json()["error"]["message"] == UNREADABLE_MESSAGE
    assert admin.status_code == 500 and "`hearings verify`" in admin.text
    logged = [r for r in caplog.records if r.name.startswith("hearings")]
    assert logged and not [r for r in logged if r.exc_info], "no traceback: not a bug"
    assert "update_logs.hearings_checked of run " in logged[0].getMessage()
    assert ": 'many'" in logged[0].getMessage()
