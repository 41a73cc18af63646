"""A committee whose parent chain would lead back to itself is quarantined, and the stored tree
kept: only the committees whose new parent closes the loop, not those it runs through."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hearings.store import schema
from hearings.sync.runner import EXIT_QUARANTINED
from tests.sync.harness import Harness, api_time


def _update(harness: Harness) -> tuple[int, dict[str, Any]]:
    done = harness.cli("update", "--congress", "119", "--json")
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else {}


def _stored(harness: Harness, code: str) -> tuple[str, str | None]:
    committees = schema.committees
    with harness.engine().connect() as connection:
        row = connection.execute(
            select(committees.c.name, committees.c.parent_code).where(
                committees.c.system_code == code
            )
        ).one()
    return row.name, row.parent_code


@pytest.mark.imported
def test_a_parent_that_names_its_subcommittee_as_its_parent_costs_only_itself(
    harness: Harness,
) -> None:
    """hsju00 upstream names its own subcommittee hsju01 as its parent; hsju01, renamed the same
    day, still names hsju00, as stored. The loop is hsju00's doing: hsju01 was quarantined with
    it, and its rename lost (found by a mutation campaign of hearings import)."""
    stamp = api_time(datetime.now(UTC) - timedelta(minutes=10))
    corpus = harness.corpus
    parent, sub = corpus.committee("hsju00"), corpus.committee("hsju01")
    assert parent is not None and sub is not None and sub["parent"]["systemCode"] == "hsju00"
    parent.update(parent={"systemCode": "hsju01", "name": "Its own subcommittee"})
    parent["updateDate"] = stamp
    for entry in sub["history"]:
        entry["libraryOfCongressName"] = entry["officialName"] = "Renamed Subcommittee"
    sub["updateDate"] = stamp
    corpus.put_committee(parent, chamber="house", congresses=[119])
    corpus.put_committee(sub, chamber="house", congresses=[119])
    name_before = _stored(harness, "hsju00")[0]

    code, metrics = _update(harness)

    assert code == EXIT_QUARANTINED, metrics
    (record,) = metrics["quarantined_records"]
    assert record["identifier"] == "hsju00" and "leads back to itself" in record["reason"]
    assert _stored(harness, "hsju00") == (name_before, None)
    assert _stored(harness, "hsju01") == ("Renamed Subcommittee", "hsju00")


@pytest.mark.imported
def test_committees_whose_new_parents_make_a_loop_together_are_all_quarantined(
    harness: Harness,
) -> None:
    """When every committee of the loop has a new parent, none can be told at fault."""
    stamp = api_time(datetime.now(UTC) - timedelta(minutes=10))
    corpus = harness.corpus
    judiciary, appropriations = corpus.committee("hsju01"), corpus.committee("hsap06")
    assert judiciary is not None and appropriations is not None
    judiciary.update(parent={"systemCode": "hsap06", "name": "x"}, updateDate=stamp)
    appropriations.update(parent={"systemCode": "hsju01", "name": "y"}, updateDate=stamp)
    for body in (judiciary, appropriations):
        corpus.put_committee(body, chamber="house", congresses=[119])

    code, metrics = _update(harness)

    assert code == EXIT_QUARANTINED, metrics
    quarantined = sorted(r["identifier"] for r in metrics["quarantined_records"])
    assert quarantined == ["hsap06", "hsju01"]
    assert _stored(harness, "hsju01")[1] == "hsju00"
    assert _stored(harness, "hsap06")[1] == "hsap00"
