"""RESULTS.md as the sum of runs: a run of some sections (`--only`) replaces those sections and
their summary rows, and keeps every other section as its own run measured it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_SECTION = re.compile(r"(?m)^(?=## \d+\. )")
_RUN_LINE = re.compile(r"(?m)^- `.*: sections [\d, ]+\.$")
_PRODUCED = re.compile(r"Produced by `([^`]*)` on ([^,]*) in ([^,]*), at commit (\w+)")


@dataclass
class Results:
    """What a RESULTS.md holds: the runs behind it, summary rows and sections, by number."""

    runs: dict[str, list[int]] = field(default_factory=dict)  # run line → its sections
    rows: dict[int, list[str]] = field(default_factory=dict)
    sections: dict[int, str] = field(default_factory=dict)


def parse(text: str) -> Results:
    found = Results()
    head, _, rest = text.partition("## Summary: requirements and targets")
    summary, _, body = rest.partition("\n## ")
    for line in summary.splitlines():
        match = re.search(r"\| (\d+) \|\s*$", line)
        if line.startswith("| ") and match:
            found.rows.setdefault(int(match.group(1)), []).append(line)
    for chunk in _SECTION.split("## " + body if body else ""):
        match = re.match(r"## (\d+)\. ", chunk)
        if match and ": failed" not in chunk.splitlines()[0]:
            found.sections[int(match.group(1))] = chunk.rstrip() + "\n"
    produced = _PRODUCED.search(head)
    if produced:
        command, when, took, commit = produced.groups()
        line = f"- `{command}` on {when} in {took}, at commit {commit}"
        found.runs[line] = sorted(found.sections)
    for match in _RUN_LINE.finditer(head):
        line, _, numbers = match.group().rpartition(": sections ")
        found.runs[line] = [int(n) for n in numbers.rstrip(".").split(", ")]
    return found


def merged(old_text: str, new_text: str) -> str:
    """`new_text`'s sections over `old_text`'s; the header names the run behind each."""
    old, new = parse(old_text), parse(new_text)
    sections = {**old.sections, **new.sections}
    rows = {**old.rows, **{n: new.rows.get(n, []) for n in new.sections}}
    runs: dict[str, list[int]] = {}
    for line, numbers in (*old.runs.items(), *new.runs.items()):
        for number in numbers:
            for kept in runs.values():
                if number in kept:
                    kept.remove(number)
        runs[line] = list(numbers)
    lines = [
        "# Benchmark results",
        "",
        "Each section comes from the run named in its `Command:` line. The runs, oldest first:",
        "",
        *(
            f"{line}: sections {', '.join(map(str, sorted(numbers)))}."
            for line, numbers in runs.items()
            if numbers
        ),
        "",
        "The machine is shared and noisy: every comparison is measured side by side within one "
        "run (variants interleaved round by round), and every figure is the median (min–max) "
        "over the rounds. Runs on different days may be on different processors: compare "
        "figures across sections with care.",
        "",
        "## Summary: requirements and targets",
        "",
        "| requirement or target | figure | | section |",
        "|---|---|---|---|",
        *(row for number in sorted(rows) for row in rows[number]),
        "",
        *(sections[number] for number in sorted(sections)),
    ]
    return "\n".join(lines).rstrip() + "\n"


def write_merged(output: Path, new_text: str) -> None:
    old_text = output.read_text(encoding="utf-8") if output.exists() else ""
    output.write_text(merged(old_text, new_text) if old_text else new_text, encoding="utf-8")
