"""The two export formats: JSON Lines, exact; and CSV (RFC 4180 line ends, nested values as
JSON in their cell, and cells a spreadsheet would run as formulas neutralized)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import IO, Any

FORMATS = ("jsonl", "csv")


# Characters valid unescaped in JSON that a reader splitting text into lines by Unicode's rules
# (Python's str.splitlines, some editors and log tools) takes for line ends: escaped, each record
# stays on one line for every reader and decodes to the same value.
_LINE_ENDS = {0x2028: "\\u2028", 0x2029: "\\u2029", 0x85: "\\u0085"}


def write_jsonl(records: Iterable[dict[str, Any]], output: IO[str]) -> int:
    count = 0
    for record in records:
        output.write(json.dumps(record, ensure_ascii=False, sort_keys=False).translate(_LINE_ENDS))
        output.write("\n")
        count += 1
    return count


# RFC 4180's line end. It also makes the csv module quote any cell holding a carriage return,
# which with "\n" alone it would leave bare, breaking the row for every reader.
CSV_LINE_END = "\r\n"
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV
# Injection"); full-width forms too, which some spreadsheets fold to ASCII.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: Any) -> str:
    # Nested values (lists, objects) are JSON in their cell; scalars as they are.
    if isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False)
    elif value is None:
        return ""
    elif isinstance(value, bool):
        return "true" if value else "false"
    else:
        text = str(value)
    return neutralize_formula(text)


def neutralize_formula(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs: one that starts (after any spaces) with a
    formula character gets a leading apostrophe, as OWASP advises. JSON exports stay exact."""
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(
    records: Iterable[dict[str, Any]], output: IO[str], fields: Sequence[str] | None = None
) -> int:
    """Records as CSV, header first. With `fields` the header is written even when no record
    follows: a daily `--since` export with nothing new is still a CSV its reader can open
    (pandas refuses a file with no header at all)."""
    writer: csv.DictWriter[str] | None = None
    if fields is not None:
        writer = csv.DictWriter(output, fieldnames=list(fields), lineterminator=CSV_LINE_END)
        writer.writeheader()
    count = 0
    for record in records:
        if writer is None:
            writer = csv.DictWriter(output, fieldnames=list(record), lineterminator=CSV_LINE_END)
            writer.writeheader()
        writer.writerow({k: csv_cell(v) for k, v in record.items()})
        count += 1
    return count
