"""A damaged archived payload: a value SQLite's integrity check cannot see (it reads a file's
structure, not the values in it). It was an internal error in `history`, `rebuild` and
`report`, and a 500 on the hearing page, while `verify` called the database healthy. Now verify
names it, history and the changes feed say what they cannot show, and a rebuild that needs it
changes nothing."""

from __future__ import annotations

import json
import zlib

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from hearings.reports.history import AFTER_DAMAGED_VERSION, DAMAGED_VERSION
from hearings.store import schema
from hearings.store.archive import DamagedPayload, pack, unpack
from hearings.web.app import create_app
from tests.reports.conftest import harness, imported
from tests.reports.test_history import EVENT, _upstream
from tests.sync.harness import Harness

__all__ = ["harness", "imported"]  # the history tests' fixtures, from tests/reports/conftest.py

_PAYLOAD = {"eventId": "118278", "title": "Oversight of the VA", "witnesses": [{"name": "Roe"}]}


@given(st.data())
def test_a_changed_or_cut_payload_reads_back_whole_or_is_damaged(data: st.DataObject) -> None:
    """zlib's checksum catches a changed byte: never a wrong payload, never another error."""
    packed = bytearray(pack(_PAYLOAD))
    at = data.draw(st.integers(0, len(packed) - 1))
    if data.draw(st.booleans()):
        packed[at] = data.draw(st.integers(0, 255).filter(lambda b: b != packed[at]))
    else:
        del packed[at:]
    try:
        assert unpack(bytes(packed)) == _PAYLOAD
    except DamagedPayload as exc:
        assert str(exc).startswith("The payload archive's copy of an archived version is damaged")


@pytest.mark.parametrize(
    "stored",
    [b"", "text, not bytes", zlib.compress(b"[1, 2]"), zlib.compress(b"{not json"), b"\xff" * 9],
)
def test_what_is_not_a_packed_payload_is_damaged(stored: object) -> None:
    with pytest.raises(DamagedPayload, match="meeting 1 is damaged"):
        unpack(stored, "meeting 1")  # type: ignore[arg-type]


def _damage(harness: Harness, version: int) -> int:
    """Change one byte in the middle of the meeting's `version`-th archived payload."""
    archive = schema.payload_archive
    with harness.engine().begin() as connection:
        rows = connection.execute(
            select(archive.c.version_id, archive.c.payload)
            .where(archive.c.entity == "meeting", archive.c.identifier == EVENT)
            .order_by(archive.c.version_id)
        ).all()
        version_id, payload = rows[version - 1]
        damaged = bytearray(payload)
        damaged[len(damaged) // 2] ^= 0xFF
        connection.execute(
            update(archive).where(archive.c.version_id == version_id).values(payload=bytes(damaged))
        )
    return int(version_id)


def test_a_damaged_version_is_named_by_verify_and_shown_as_such_by_history(
    harness: Harness,
) -> None:
    _upstream(harness, 30, lambda body: body.update(meetingStatus="Postponed"))
    harness.run("update")
    _upstream(harness, 10, lambda body: body.update(meetingStatus="Canceled"))
    harness.run("update")
    before = harness.export()
    version_id = _damage(harness, 2)

    verified = harness.cli("verify")
    assert verified.returncode == 1
    assert "archive: 1 archived version cannot be read back (damaged)" in verified.stdout
    assert f"meeting {EVENT} (archive version {version_id})" in verified.stdout

    shown = harness.cli("history", EVENT, "--json")
    assert shown.returncode == 0, shown.stderr
    assert [v["changes"] for v in json.loads(shown.stdout)["versions"]] == [
        ["First seen"],
        [DAMAGED_VERSION],
        [AFTER_DAMAGED_VERSION],
    ]
    app = create_app(harness.engine(), settings=harness.settings())
    with TestClient(app) as client:
        page = client.get(f"/hearings/{EVENT}")
        assert page.status_code == 200 and DAMAGED_VERSION in page.text.replace("&#39;", "'")
        api = client.get(f"/api/hearings/{EVENT}/history")
        assert api.status_code == 200 and api.json()["versions"][1]["changes"] == [DAMAGED_VERSION]
        changes = client.get("/api/changes").json()["results"]
        mine = [c["changes"] for c in changes if c["event_id"] == EVENT]
        assert mine == [[AFTER_DAMAGED_VERSION], [DAMAGED_VERSION]]
        assert client.get("/feeds/changes.atom").status_code == 200
    reported = harness.cli("report")
    assert reported.returncode == 0, reported.stderr

    # A rebuild reads only each meeting's newest version: the damaged one is not needed.
    rebuilt = harness.cli("rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert harness.export() == before


def test_a_rebuild_that_needs_a_damaged_version_changes_nothing(harness: Harness) -> None:
    _upstream(harness, 10, lambda body: body.update(meetingStatus="Postponed"))
    harness.run("update")
    before = harness.export()
    _damage(harness, 2)

    rebuilt = harness.cli("rebuild")
    assert rebuilt.returncode == 1
    sentence = " ".join(rebuilt.stderr.split())
    assert sentence.startswith(
        f"Error: Nothing was changed: the payload archive's copy of meeting {EVENT} is damaged ("
    )
    assert sentence.endswith("`hearings backup restore PATH`).")
    assert harness.export() == before
    assert harness.hearing(EVENT).status == "Postponed"


# Only SQLite lets a text value stand in a binary column.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_archived_text_that_is_not_utf8_is_a_damaged_version_not_an_unreadable_database(
    harness: Harness,
) -> None:
    _upstream(harness, 10, lambda body: body.update(meetingStatus="Postponed"))
    harness.run("update")
    with harness.engine().begin() as connection:
        connection.exec_driver_sql(
            "UPDATE payload_archive SET payload = CAST(x'ff1b5b33316d' AS TEXT) "
            "WHERE entity = 'meeting' AND identifier = ? AND version_id = "
            "(SELECT min(version_id) FROM payload_archive WHERE identifier = ?)",
            (EVENT, EVENT),
        )
    shown = harness.cli("history", EVENT)
    assert shown.returncode == 0, shown.stderr
    assert DAMAGED_VERSION in shown.stdout and "\x1b" not in shown.stdout
    verified = harness.cli("verify")
    assert verified.returncode == 1 and "archive: 1 archived version" in verified.stdout
