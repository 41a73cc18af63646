"""JSON Lines exports: one record a line for any reader, whatever the text holds. U+2028,
U+2029 and NEL are valid unescaped in JSON but end a line for `str.splitlines`; they are escaped,
so the records still decode to exactly what was written."""

from __future__ import annotations

import io
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from hearings.reports.export_formats import write_jsonl

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)
RECORDS = st.lists(st.dictionaries(st.text(), VALUES, max_size=4), max_size=5)


@given(RECORDS)
def test_every_record_is_one_line_by_any_rule_and_decodes_exactly(
    records: list[dict[str, Any]],
) -> None:
    output = io.StringIO()
    assert write_jsonl(records, output) == len(records)
    text = output.getvalue()
    lines = text.splitlines()  # Unicode's line ends, not only "\n"
    assert lines == text.split("\n")[:-1] if records else text == ""
    assert [json.loads(line) for line in lines] == records


def test_line_separators_are_escaped_and_other_text_is_not() -> None:
    output = io.StringIO()
    write_jsonl([{"title": "one\u2028two\u2029three\x85four — é"}], output)
    assert output.getvalue() == '{"title": "one\\u2028two\\u2029three\\u0085four — é"}\n'
