"""The search's CSV and JSON go out whole or not at all: a record that cannot be read on the
way is a 500 sentence before anything is sent, never a 200 file cut off after `[` or a few
rows; a whole file is sent with its Content-Length."""

from __future__ import annotations

import html
import json
import sqlite3

import httpx
import pytest

from hearings.web.app import create_app
from hearings.web.error_responses import UNREADABLE_MESSAGE
from tests.web.conftest import FIXED_NOW, Scratch
from tests.web.live import live_server


# SQLite alone: a PostgreSQL timestamp column cannot hold the unreadable value.
@pytest.mark.parametrize("web_database", ["sqlite"], indirect=True)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_record_that_cannot_be_read_is_a_500_not_a_file_cut_off(
    scratch: Scratch, fmt: str
) -> None:
    # A value no version of hearings writes (damaged, or another program's): in the oldest
    # meeting, the last record of a search sorted newest first.
    connection = sqlite3.connect(scratch.database.path)
    connection.execute(
        "UPDATE hearings SET start_at = 'not a time' WHERE event_id = "
        "(SELECT event_id FROM hearings WHERE start_at IS NOT NULL ORDER BY start_at LIMIT 1)"
    )
    connection.commit()
    connection.close()
    app = create_app(scratch.engine, settings=scratch.database.settings(), clock=lambda: FIXED_NOW)
    with live_server(app) as base:
        answer = httpx.get(
            f"{base}/hearings.{fmt}",
            params={"sort": "newest"},
            headers={"Accept": "application/json"},
            timeout=60,
        )
        page = httpx.get(f"{base}/hearings.{fmt}", params={"sort": "newest"}, timeout=60)
    # The JSON twin answers in JSON whoever asks; the CSV in a page unless JSON is asked for.
    assert page.status_code == 500
    if fmt == "json":
        assert page.json() == answer.json()
    else:
        assert page.headers["content-type"].startswith("text/html")
        assert UNREADABLE_MESSAGE in html.unescape(page.text)
    assert answer.status_code == 500
    assert answer.json() == {"error": {"status": 500, "message": UNREADABLE_MESSAGE}}


def test_a_whole_export_is_sent_with_its_length(scratch: Scratch) -> None:
    app = create_app(scratch.engine, settings=scratch.database.settings(), clock=lambda: FIXED_NOW)
    with live_server(app) as base:
        answer = httpx.get(f"{base}/hearings.json", params={"chamber": "house"}, timeout=60)
    assert answer.status_code == 200
    assert int(answer.headers["content-length"]) == len(answer.content)
    records = json.loads(answer.content)
    assert len(records) == 80 and {r["chamber"] for r in records} == {"House"}
