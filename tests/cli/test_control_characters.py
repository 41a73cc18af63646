"""Text from the API never drives the terminal: a witness named with escape sequences is shown
with its control characters made visible ("␛[31m") in `history` and `report`, still readable,
and `--json` keeps the name exact (JSON escapes it)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearings.replica import Corpus, ReplicaServer
from hearings.reports.screen_text import printable
from tests.sync.harness import Harness, api_time

EVENT = "118278"
# Short enough that the report's table keeps it on one line at the default width (an in-process
# run's console keeps the width it was made with, whatever COLUMNS says); U+202E reverses the text
# after it until the line ends.
HOSTILE = "Evil\x1b[31mRed\x1b[0m Person\x9b2J\x07\u202e"
SHOWN = "Evil␛[31mRed␛[0m Person\ufffd2J␇\ufffd"
# A change sentence closes the override the name leaves open (U+202C), before "(Evil Co)".
CLOSED = "\u202c"
# Every control character a terminal acts on: all C0 but tab and newline, DEL, C1, and those
# that reorder text or break its line (bidirectional controls, line and paragraph separators).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """The corpus imported, then an update in which upstream adds the hostile witness."""
    folder: Path = tmp_path_factory.mktemp("control")
    with ReplicaServer(Corpus.load()) as replica:
        made = Harness(
            tmp_path=folder, database_url=f"sqlite:///{folder / 'hearings.db'}", replica=replica
        )
        assert made.run("import").success
        body: dict[str, Any] | None = made.corpus.meeting(EVENT)
        assert body is not None
        body["witnesses"].append({"name": HOSTILE, "organization": "Evil Co", "position": "CEO"})
        body["updateDate"] = api_time(datetime.now(UTC) - timedelta(minutes=5))
        made.corpus.put_meeting(body)
        assert made.run("update").success
        yield made
        made.close()


def _shown_safely(output: str) -> None:
    assert not CONTROL.search(output)
    assert SHOWN in output


def test_history_shows_the_name_with_its_control_characters_made_visible(
    harness: Harness,
) -> None:
    shown = harness.cli("history", EVENT)
    assert shown.returncode == 0, shown.stderr
    _shown_safely(shown.stdout)
    assert f"Witness added: {SHOWN}\ufffd (Evil Co)" in shown.stdout
    assert not CONTROL.search(shown.stderr)


def test_history_on_a_colour_terminal_obeys_none_of_them(harness: Harness) -> None:
    shown = harness.cli("history", EVENT, FORCE_COLOR="1", TTY_COMPATIBLE="1")
    assert shown.returncode == 0, shown.stderr
    assert "\x1b[31mRed" not in shown.stdout and "\x9b" not in shown.stdout
    assert SHOWN in shown.stdout


def test_history_as_json_keeps_the_name_exact(harness: Harness) -> None:
    shown = harness.cli("history", EVENT, "--json")
    assert "\x1b" not in shown.stdout  # escaped as \u001b
    changes = json.loads(shown.stdout)["versions"][-1]["changes"]
    assert f"Witness added: {HOSTILE}{CLOSED} (Evil Co)" in changes


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_the_report_shows_the_name_with_its_control_characters_made_visible(
    harness: Harness, fmt: str
) -> None:
    shown = harness.cli("report", "--format", fmt, "--limit", "1000")
    assert shown.returncode == 0, shown.stderr
    assert not CONTROL.search(shown.stdout)
    # Markdown escapes its own syntax too: the bracket renders as itself, not as a link.
    assert (SHOWN.replace("[", "\\[") if fmt == "markdown" else SHOWN) in shown.stdout


@given(st.text())
def test_printable_text_holds_no_control_character_but_layout(text: str) -> None:
    shown = printable(text)
    assert not CONTROL.search(shown)
    assert len(shown) == len(text)  # one character for one: columns and the rest stay put
    assert [c for c in shown if c in "\t\n"] == [c for c in text if c in "\t\n"]


def test_a_run_summary_shows_data_that_looks_like_markup_as_text(harness: Harness) -> None:
    """A quarantine reason quotes the API's value: rich markup in it ("[/]") must be shown, not
    read (it crashed the summary with a MarkupError after the run had committed). Last in the
    module: it quarantines a committee, which the tests above do not read."""
    code = sorted(harness.corpus.ids("committee"))[0]
    record = harness.corpus.record("committee", code)
    assert record is not None
    body = harness.corpus.body(record)
    body["name"] = "[/] \x1b[;"  # no letter or digit: refused, with the value quoted
    body["updateDate"] = api_time(datetime.now(UTC) - timedelta(minutes=5))
    harness.corpus.put_committee(body, chamber=record.chamber, congresses=list(record.congresses))
    run = harness.cli("update", "--congress", "119", "--lookback-days", "7")
    assert run.returncode == 3, run.stderr[-2000:]
    assert "Traceback" not in run.stdout + run.stderr
    assert f"quarantined committee {code}" in run.stdout
    assert "'[/] \\x1b[;'" in run.stdout  # quoted as the gate wrote it, markup and all
    assert not CONTROL.search(run.stdout + run.stderr)
