"""A benchmark run of some sections replaces those sections in RESULTS.md and keeps the rest."""

from __future__ import annotations

from bench.results_file import merged, parse


def results(command: str, commit: str, sections: dict[int, str]) -> str:
    rows = "\n".join(f"| target {n} | {v} | met | {n} |" for n, v in sections.items())
    body = "\n".join(
        f"## {n}. Section {n}\n\nCommand: `{command}`\n\n{v}\n" for n, v in sections.items()
    )
    return (
        f"# Benchmark results\n\nProduced by `{command}` on 2026-12-02 10:00 UTC in 1.0 min, "
        f"at commit {commit}.\n\n## Summary: requirements and targets\n\n"
        f"| requirement or target | figure | | section |\n|---|---|---|---|\n{rows}\n\n{body}"
    )


def test_a_partial_run_replaces_its_sections_and_keeps_the_others() -> None:
    full = results("python -m bench", "aaaa111", {1: "old one", 2: "old two", 3: "old three"})
    partial = results("python -m bench --only apply", "bbbb222", {2: "new two"})

    text = merged(full, partial)

    found = parse(text)
    assert sorted(found.sections) == [1, 2, 3]
    assert "new two" in found.sections[2] and "old one" in found.sections[1]
    assert found.rows[2] == ["| target 2 | new two | met | 2 |"]
    assert list(found.runs.values()) == [[1, 3], [2]]
    # Merging again is stable: the header's run lines are read back.
    assert merged(text, partial) == text
