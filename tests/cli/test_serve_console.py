"""What `hearings serve` prints on its console: a bug inside a request is one line there, its
traceback only in the log file."""

from __future__ import annotations

import socket
import sqlite3

import httpx

from tests.cli.test_serve_behind_a_proxy import start_serve
from tests.store.conftest import Site, imported_database, site

__all__ = ["imported_database", "site"]  # the fixtures, shared with tests/store


def test_a_bug_in_a_request_leaves_its_traceback_in_the_log_not_on_the_console(
    site: Site,
) -> None:
    # A column gone from under the app (a missing table is refused before the app starts):
    # every meeting page now fails inside the app.
    connection = sqlite3.connect(site.database)
    connection.execute("ALTER TABLE videos RENAME COLUMN ordinal TO gone")
    connection.commit()
    connection.close()
    process, port, said = start_serve(site)
    try:
        # uvicorn listens: one request, given time enough for a loaded machine.
        answer = httpx.get(f"http://127.0.0.1:{port}/api/hearings/115446", timeout=60)
        assert answer.status_code == 500
        assert answer.json()["error"]["message"].startswith("Something went wrong on our side")
    finally:
        process.terminate()
        _, rest = process.communicate(timeout=30)
    console = (said + rest).decode()
    assert "unhandled error on GET '/api/hearings/115446'" in console
    assert "Traceback" not in console and "no such column" not in console
    logged = "".join(path.read_text() for path in (site.folder / "logs").glob("*.log"))
    assert "Traceback" in logged and "no such column" in logged


def test_an_address_it_cannot_listen_on_is_one_sentence_before_any_banner(site: Site) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        served = site.cli("serve", "--port", str(port), own_process=True, timeout=60)
    assert served.returncode == 2
    assert served.stderr.strip() == (
        f"Error: hearings serve cannot listen on 127.0.0.1:{port}: Address already in use."
    )
