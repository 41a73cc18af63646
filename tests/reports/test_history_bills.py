"""History's bill sentences name a bill as the database keys it: by its Congress, type and number
as `bill_spelling` writes them. A bill respelled upstream (`h.r.`, `01`) is the same bill, and
one of another Congress is another bill, named with its Congress."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hearings.reports.history import describe_changes
from tests.sync.harness import Harness, api_time

EVENT = "118278"


def _bills(*bills: tuple[int | str, str, str]) -> dict[str, Any]:
    return {
        "congress": 119,
        "relatedItems": {"bills": [{"congress": c, "type": t, "number": n} for c, t, n in bills]},
    }


def _upstream(harness: Harness, minutes_ago: int, bills: dict[str, Any]) -> None:
    body = harness.corpus.meeting(EVENT)
    assert body is not None
    body["relatedItems"] = bills["relatedItems"]
    body["updateDate"] = api_time(datetime.now(UTC) - timedelta(minutes=minutes_ago))
    harness.corpus.put_meeting(body)


def test_a_bill_respelled_is_no_change_and_another_congress_is_another_bill(
    harness: Harness,
) -> None:
    _upstream(harness, 20, _bills((119, "HR", "1"), (119, "S", "5")))
    harness.run("update")
    _upstream(harness, 10, _bills((119, "h.r.", "01"), (118, "S", "5")))
    harness.run("update")

    shown = harness.cli("history", EVENT, "--json")
    assert shown.returncode == 0, shown.stderr
    versions = json.loads(shown.stdout)["versions"]
    assert [v["changes"] for v in versions[1:]] == [
        ["Bill added: H.R. 1", "Bill added: S. 5"],
        ["Bill added: S. 5 (118th Congress)", "Bill removed: S. 5"],
    ]
    # The database agrees: one H.R. 1 throughout, and S. 5 of the 118th in place of the 119th's.
    record = next(
        json.loads(line)
        for line in harness.cli("export", "hearings").stdout.splitlines()
        if json.loads(line)["event_id"] == EVENT
    )
    assert record["bills"] == [
        {"congress": 119, "type": "HR", "number": "1"},
        {"congress": 118, "type": "S", "number": "5"},
    ]


def test_bills_are_compared_as_the_database_keys_them() -> None:
    assert describe_changes(_bills((119, "HR", "1")), _bills((119, " H.R. ", "0001"))) == []
    assert describe_changes(_bills((119, "HR", "1")), _bills((118, "HR", "1"))) == [
        "Bill added: H.R. 1 (118th Congress)",
        "Bill removed: H.R. 1",
    ]
    # A Congress sent as text is the same Congress.
    assert describe_changes(_bills((119, "SRES", "7")), _bills(("119", "sres", "7"))) == []
