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


def test_a_run_that_checked_no_target_adds_its_section() -> None:
    full = results("python -m bench", "aaaa111", {1: "old one", 2: "old two"})
    unchecked = (
        "# Benchmark results\n\nProduced by `python -m bench --only changes` on 2026-12-04 "
        "15:39 UTC in 0.6 min, at commit cccc333.\n\n## 12. Section 12\n\n"
        "Command: `python -m bench --only changes`\n\nnew twelve\n"
    )

    found = parse(merged(full, unchecked))

    assert sorted(found.sections) == [1, 2, 12] and "new twelve" in found.sections[12]
    assert list(found.runs.values()) == [[1, 2], [12]]


def test_run_lines_written_up_by_hand_are_kept_until_a_run_replaces_their_section() -> None:
    full = results("python -m bench", "aaaa111", {1: "old one", 2: "old two"})
    head, _, rest = full.partition("\n\n## Summary")
    by_hand = (
        f"{head}\n\n- `python -m bench --only apply` on 2026-12-03 10:00 UTC in 1.0 min, at "
        "commit dddd444: section 2, P5 at 5,000.\n- `python -m bench --only apply` on "
        "2026-12-03 11:00 UTC in 1.0 min, at commit eeee555: sections 2 (the latest figures)."
        f"\n\n## Summary{rest}"
    )
    other = results("python -m bench --only import", "ffff666", {1: "new one"})

    text = merged(by_hand, other)

    assert "at commit dddd444: sections 2, P5 at 5,000." in text
    assert "at commit eeee555: sections 2 (the latest figures)." in text
    assert "at commit ffff666: sections 1." in text
    replaced = merged(text, results("python -m bench --only apply", "abab777", {2: "new two"}))
    assert "dddd444" not in replaced and "eeee555" not in replaced
