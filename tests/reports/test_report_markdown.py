"""`hearings report --format markdown` is pasted into issues, wikis and chat, so the API's text in
it renders as that text: no tag, link, image, emphasis or code span forms from a title, a room or
a witness's name, and the table keeps its shape."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from hearings.replica import Corpus, ReplicaServer
from hearings.reports.report import NewWitness, Report, build_report
from hearings.reports.report_markdown import render_markdown
from hearings.reports.report_wording import one_line
from hearings.reports.screen_text import printable
from tests.reports.conftest import Site, api_time, copy_database, run_cli

SCRIPT_TITLE = '<script>alert("x")</script> & “Test” </title>'
IMAGE_ROOM = "<img src=x onerror=alert(1)>"
MARKUP_TITLE = (
    "[link](javascript:alert(1)) ![pixel](https://example.org/p.png) **bold** `code` "
    "~~gone~~ _under_ $x$ &lt;b&gt; a | b"
)
NATURAL_TITLE = "Hearing on H.R. 1: Energy & Water"
WITNESS = {
    "name": "<b onmouseover=alert(1)>Eve</b> [me](javascript:alert(2))",
    "organization": "*Evil* <i>Corp</i>",
    "position": "Fellow",
}

# CommonMark with GitHub's tables and strikethrough: what a pasted report is read as.
GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])


@dataclass
class Day:
    """An update that brought hostile text in: a title, a room, a witness; and a plain title."""

    site: Site
    script: str
    markup: str
    natural: str


@pytest.fixture(scope="module")
def day(
    tmp_path_factory: pytest.TempPathFactory, packaged_corpus: Corpus, imported_db: Path
) -> Iterator[Day]:
    folder = tmp_path_factory.mktemp("hostile")
    with ReplicaServer(packaged_corpus.copy()) as replica:
        site = Site(folder, replica, copy_database(imported_db, folder / "hearings.db"))
        corpus = site.corpus
        stamp = api_time(datetime.now(UTC) - timedelta(hours=1))
        script, markup, natural = _titled(corpus, with_witnesses=True)[:3]
        edits = {
            script: {
                "title": SCRIPT_TITLE,
                "location": {"building": "Rayburn", "room": IMAGE_ROOM},
            },
            markup: {"title": MARKUP_TITLE},
            natural: {"title": NATURAL_TITLE},
        }
        for event_id, fields in edits.items():
            body = dict(corpus.meeting(event_id) or {})
            body.update(fields, updateDate=stamp)
            corpus.put_meeting(body)
        body = dict(corpus.meeting(script) or {})
        body["witnesses"] = [*body["witnesses"], WITNESS]
        corpus.put_meeting(body)
        metrics = site.run("update")
        assert metrics.success and metrics.hearings_updated == 3
        yield Day(site, script, markup, natural)
        site.close()


@pytest.fixture(scope="module")
def report(day: Day) -> Report:
    return build_report(day.site.engine(), 7, datetime.now(UTC))


def _titled(corpus: Corpus, *, with_witnesses: bool) -> list[str]:
    return [
        event_id
        for event_id in sorted(corpus.ids("meeting"))
        if (corpus.meeting(event_id) or {}).get("title")
        and bool((corpus.meeting(event_id) or {}).get("witnesses")) == with_witnesses
    ]


def _cells(markdown: str) -> list[list[Token]]:
    """The inline children of every table cell, headers and data alike."""
    tokens = GFM.parse(markdown)
    return [
        inline.children or []
        for opening, inline in zip(tokens, tokens[1:], strict=False)
        if opening.type in ("th_open", "td_open")
    ]


def _text(cell: list[Token]) -> str:
    return "".join(token.content for token in cell)


def _rows(markdown: str) -> dict[str, str]:
    """The Markdown table rows, by their first cell."""
    return {
        line.split(" | ")[0][2:]: line for line in markdown.splitlines() if line.startswith("| ")
    }


def test_hostile_titles_rooms_and_witnesses_render_as_their_text(
    day: Day, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(monkeypatch, capsys, day.site.env(), "report", "--format", "markdown")
    assert result.code == 0, result.err
    markdown = result.out
    for raw in ("<script", "<img", "<b ", "<i>", "![pixel]", "**bold**"):
        assert raw not in markdown
    assert not re.search(r"(?<!\\)\]\(javascript:", markdown)  # a link's `](`, unescaped
    rows = _rows(markdown)
    assert "title: “" in rows[day.natural] and f"→ “{NATURAL_TITLE}”" in rows[day.natural]
    assert '&lt;script&gt;alert("x")&lt;/script&gt; & “Test” &lt;/title&gt;' in rows[day.script]
    assert "&lt;img src=x onerror=alert(1)&gt;" in rows[day.script]
    # Read as GitHub reads it, every cell is plain text: nothing but text tokens.
    cells = _cells(markdown)
    assert cells and all(token.type == "text" for cell in cells for token in cell)
    shown = [_text(cell) for cell in cells]
    assert SCRIPT_TITLE in shown and MARKUP_TITLE in shown
    changes = next(t for t in shown if t.startswith("title: ") and f"→ “{SCRIPT_TITLE}”" in t)
    assert f"→ {IMAGE_ROOM}, Rayburn;" in changes
    assert f"witnesses: +{WITNESS['name']} ({WITNESS['organization']})" in changes
    assert any(text.endswith(f"“{NATURAL_TITLE}”") for text in shown)


# Any text, with Markdown's and HTML's punctuation and line ends far more often than chance gives.
@given(st.text(st.characters(codec="utf-8") | st.sampled_from("<>&#;[]()!`*_~|$@:/\\\n\r\t ")))
def test_any_witness_text_is_one_cell_of_plain_text(report: Report, name: str) -> None:
    witness = NewWitness(
        witness_id="1", name=name, organization=name, appearances=1, first_seen=None
    )
    markdown = render_markdown(replace(report, new_witnesses=[witness]))
    table = markdown.split("## Recently added witnesses (1)")[1].split("\n## ")[0]
    header, _, row = table.strip().splitlines()  # one row: no line end came through
    assert "<" not in row and row.count(" | ") == 2
    cells = _cells(table)
    expected = printable(one_line(name))
    assert [_text(cell) for cell in cells] == [
        "name",
        "organization",
        "appearances",
        expected,
        expected,
        "1",
    ]
    assert all(token.type == "text" for cell in cells for token in cell)
