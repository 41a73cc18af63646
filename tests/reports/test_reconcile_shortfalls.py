"""`hearings verify --reconcile` against a list the API does not serve to its end: what the list
did not reach is not compared, so no stored meeting is called missing upstream for it; the
reconciliation says plainly that the list could not be read to its end (a problem: exit 1, since
it could not confirm the two sides agree). Read over loopback from the replica, whose list pages
are overridden per offset.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from hearings.reports.reconcile import reconcile
from tests.reports.conftest import Site, run_cli

HOUSE = "committee-meeting/119/house"
READ = 40  # the entries the first page serves before the list breaks off


@pytest.fixture
def short_house_list(site: Site) -> Iterator[int]:
    """The House list served short: its first page holds only the first `READ` entries (its
    count unchanged), and the page after them is empty. Yields how many the API counts."""
    with site.client() as client:
        whole = client.count_list(HOUSE)
    assert whole > READ + 10  # the corpus's House list is one page, long enough to cut

    def first(page: dict[str, Any]) -> dict[str, Any]:
        pagination = {k: v for k, v in page["pagination"].items() if k != "next"}
        return {
            **page,
            "committeeMeetings": page["committeeMeetings"][:READ],
            "pagination": pagination,
        }

    site.replica.overrides.set_list_page(HOUSE, 0, first)
    site.replica.overrides.set_list_page(HOUSE, READ, lambda p: {**p, "committeeMeetings": []})
    try:
        yield whole
    finally:
        site.replica.overrides.clear()


def test_a_list_read_short_calls_nothing_missing_upstream(
    site: Site, short_house_list: int
) -> None:
    with site.client() as client:
        house, senate = reconcile(site.engine(), client, 119, ["house", "senate"])

    assert house.missing_upstream == []  # the old code named every meeting past the break
    assert house.missing_locally == []
    assert house.list_shortfall is not None
    assert f"the page at offset {READ} was empty" in house.list_shortfall
    assert house.not_compared == house.local_count - READ
    assert not house.agrees
    assert senate.agrees and senate.list_shortfall is None and senate.not_compared == 0


def test_verify_says_the_list_could_not_be_read_to_its_end(
    site: Site,
    short_house_list: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = json.loads(
        run_cli(monkeypatch, capsys, site.env(), "verify", "--reconcile", "--json").out
    )
    assert data["healthy"] is False
    [problem] = [p for p in data["problems"] if p["check"] == "reconcile"]
    house = data["reconcile"][0]
    unchecked = house["local_count"] - READ
    assert problem["detail"].startswith("Congress 119, house: the API counts ")
    assert (
        "the API's list of meetings could not be read to its end (pagination.count is"
        in (problem["detail"])
    )
    assert (
        f"{unchecked} of the {house['local_count']} meetings the database holds were not in "
        "the part it served and were not compared, so none is reported as no longer listed"
    ) in problem["detail"]
    assert problem["detail"].endswith("Run `hearings verify --reconcile` again later")
    assert problem["ids"] == []  # no id is a finding: none was seen missing
    assert house["missing_upstream"] == [] and house["not_compared"] == unchecked
    assert f"offset {READ} was empty" in house["list_shortfall"]
    assert data["reconcile"][1]["list_shortfall"] is None
    # The count that differs is explained by the break, not by "repeated entries".
    assert not any("repeated entries" in w["detail"] for w in data["warnings"])

    shown = run_cli(monkeypatch, capsys, site.env(), "verify", "--reconcile")
    assert shown.code == 1, shown.out + shown.err
    assert "Traceback" not in shown.out + shown.err
    assert "no longer listed upstream" not in shown.out
    assert (
        f"reconcile Congress 119 house: the API counts {short_house_list}, the database holds "
        f"{house['local_count']}; 0 missing locally; the list could not be read to its end, "
        f"{unchecked} stored not compared"
    ) in shown.out
    assert "could not be read to its end (pagination.count is" in shown.out
