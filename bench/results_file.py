"""RESULTS.md as the sum of runs: a run of some sections (`--only`) replaces those sections and
their summary rows, and keeps every other section as its own run measured it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_SECTION = re.compile(r"(?m)^(?=## \d+\. )")
# A run line may end with a remark after its section numbers: "sections 10 (the figures at …)."
_RUN_LINE = re.compile(
    r"(?m)^(?P<line>- `.*): sections? (?P<numbers>\d+(?:, \d+)*)(?P<remark>.*)\.$"
)
_PRODUCED = re.compile(r"Produced by `([^`]*)` on ([^,]*) in ([^,]*), at commit (\w+)")


@dataclass
class Results:
    """What a RESULTS.md holds: the runs behind it, summary rows and sections, by number."""

    runs: dict[str, list[int]] = field(default_factory=dict)  # run line → its sections
    remarks: dict[str, str] = field(default_factory=dict)  # run line → what follows its numbers
    rows: dict[int, list[str]] = field(default_factory=dict)
    sections: dict[int, str] = field(default_factory=dict)


def parse(text: str) -> Results:
    found = Results()
    # A run that checked no target has no summary: its sections follow the head.
    first = _SECTION.search(text)
    head, body = (text[: first.start()], text[first.start() :]) if first else (text, "")
    _, _, summary = head.partition("## Summary: requirements and targets")
    for line in summary.splitlines():
        match = re.search(r"\| (\d+) \|\s*$", line)
        if line.startswith("| ") and match:
            found.rows.setdefault(int(match.group(1)), []).append(line)
    for chunk in _SECTION.split(body):
        match = re.match(r"## (\d+)\. ", chunk)
        if match and ": failed" not in chunk.splitlines()[0]:
            found.sections[int(match.group(1))] = chunk.rstrip() + "\n"
    produced = _PRODUCED.search(head)
    if produced:
        command, when, took, commit = produced.groups()
        line = f"- `{command}` on {when} in {took}, at commit {commit}"
        found.runs[line] = sorted(found.sections)
    for match in _RUN_LINE.finditer(head):
        line = match.group("line")
        found.runs[line] = [int(n) for n in match.group("numbers").split(", ")]
        found.remarks[line] = match.group("remark")
    return found


def merged(old_text: str, new_text: str) -> str:
    """`new_text`'s sections over `old_text`'s; the header names the run behind each."""
    old, new = parse(old_text), parse(new_text)
    sections = {**old.sections, **new.sections}
    rows = {**old.rows, **{n: new.rows.get(n, []) for n in new.sections}}
    # The old runs stay as the header names them (a section written up from several runs keeps
    # them all); a new run takes its sections from every one of them.
    runs = {line: list(numbers) for line, numbers in old.runs.items()}
    remarks = {**old.remarks, **new.remarks}
    for line, numbers in new.runs.items():
        for kept in runs.values():
            kept[:] = [n for n in kept if n not in numbers]
        runs[line] = list(numbers)
    lines = [
        "# Benchmark results",
        "",
        "Each section comes from the run named in its `Command:` line. The runs, oldest first:",
        "",
        *(
            f"{line}: sections {', '.join(map(str, sorted(numbers)))}{remarks.get(line, '')}."
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
