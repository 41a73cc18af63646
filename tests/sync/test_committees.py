"""Committees the API files under another chamber than their code's first letter says.

JSEC03 is a real response of `GET /committee/senate/jsec03` (christopherkenny/congress,
`tests/testthat/t/comm8/v3/committee/senate/jsec03-f60c0f.json`, recorded 2023-12-29; that
recorder deletes `api.congress.gov/` from urls, put back here): a Joint Economic subcommittee the
API serves under `senate`, whose parent `jsec00` it serves under `joint` only. Public data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from hearings.store import schema
from tests.sync.harness import Harness, api_time

JSEC03: dict[str, Any] = {
    "committee": {
        "communications": {
            "count": 0,
            "url": "https://api.congress.gov/v3/committee/senate/jsec03/senate-communication?format=json",
        },
        "history": [
            {
                "endDate": "1994-12-31T05:00:00Z",
                "libraryOfCongressName": "Economic Goals and Intergovernmental Policy",
                "startDate": "1981-01-01T05:00:00Z",
                "updateDate": "2019-11-15T20:44:00Z",
            }
        ],
        "isCurrent": True,
        "parent": {
            "name": "Joint Economic Committee",
            "systemCode": "jsec00",
            "url": "https://api.congress.gov/v3/committee/joint/jsec00?format=json",
        },
        "systemCode": "jsec03",
        "type": "Subcommittee",
        "updateDate": "2020-11-24T14:13:20Z",
    },
    "request": {
        "chamber": "senate",
        "contentType": "application/json",
        "format": "json",
        "systemCode": "jsec03",
    },
}


def _committee(harness: Harness, code: str) -> Any:
    with harness.engine().connect() as connection:
        return connection.execute(
            select(schema.committees).where(schema.committees.c.system_code == code)
        ).first()


def _not_found(harness: Harness) -> int:
    return int(harness.replica.stats.by_status[404])


def test_a_parent_is_fetched_from_the_chamber_its_reference_names(harness: Harness) -> None:
    """Only the 116th's list names jsec03, and none names jsec00: the parent comes in through
    jsec03's reference alone. It was asked for at /committee/senate/jsec00 (its subcommittee's
    chamber), a 404 logged as 'not served by the API', and the tree stayed without its root."""
    harness.corpus.put_committee(JSEC03, chamber="senate", congresses=[116])

    done = harness.cli("import", "--congress", "116")
    assert done.returncode == 0, done.stderr

    parent = _committee(harness, "jsec00")
    assert parent is not None, "the parent jsec00 was not stored"
    assert (parent.name, parent.chamber) == ("Joint Economic Committee", "Joint")
    assert _committee(harness, "jsec03").parent_code == "jsec00"
    assert _not_found(harness) == 0


def test_a_committee_a_meeting_names_is_fetched_from_the_chamber_its_url_names(
    harness: Harness,
) -> None:
    """A meeting naming jsec03 by its url `/committee/senate/jsec03`: the committee was asked for
    at /committee/joint/jsec03 (its code's first letter), a 404, so only a placeholder row stood
    for it, with no type and no parent."""
    harness.corpus.put_committee(JSEC03, chamber="senate", congresses=[116])
    harness.run("import")
    event_id = sorted(harness.corpus.ids("meeting"))[0]
    body = harness.corpus.meeting(event_id)
    assert body is not None
    body["committees"] = [
        {
            "name": "Economic Goals and Intergovernmental Policy Subcommittee",
            "systemCode": "jsec03",
            "url": "https://api.congress.gov/v3/committee/senate/jsec03?format=json",
        }
    ]
    body["updateDate"] = api_time(datetime.now(UTC) - timedelta(hours=1))
    harness.corpus.put_meeting(body)
    before = _not_found(harness)

    harness.run("update")

    stored = _committee(harness, "jsec03")
    assert stored is not None
    assert (stored.committee_type, stored.parent_code) == ("Subcommittee", "jsec00")
    assert _not_found(harness) == before
