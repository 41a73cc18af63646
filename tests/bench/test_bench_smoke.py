"""The benchmark command runs end to end and writes its tables. A smoke run only: these machines
are shared and noisy, so nothing here asserts a timing; bench/RESULTS.md is where speed is shown."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_a_quick_apply_run_writes_a_results_table_with_numbers(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--only",
            "apply",
            "--repeats",
            "1",
            # The 500-meeting figures are what this checks; --sizes spares the 1,000 ones.
            "--sizes",
            "500",
            "--output",
            str(output),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]

    text = output.read_text(encoding="utf-8")
    assert "## 2. Apply throughput" in text
    assert re.search(r"^Machine: \d+ cores", text, re.MULTILINE)
    assert "Command: `" in text
    rates, p5 = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("| 500 |")
    ]
    # meetings, meetings/s in each of the three modes, their commits, their CPU time
    assert len(rates) == 6
    assert all(re.search(r"\d", cell) for cell in rates)
    # 500 meetings are under the 1,000 records after which units group: 10 commits, as alone;
    # single-transaction mode commits once.
    assert rates[4] == "10 / 10 / 1"
    # meetings, then wall and CPU against single and a verdict, for adaptive and alone
    assert len(p5) == 7
    assert all(re.search(r"\[[-+][\d.]+% to [-+][\d.]+%, \d+%, 4 rounds\]", c) for c in p5[1:3])
    assert p5[3] in ("met", "**not met**", "not decidable")
    assert "P1: 500 hearings applied in under 5 s" in text
    assert "P5: batch mode (adaptive commit units) within ±10% of single-transaction mode" in text

    figures = json.loads(output.with_suffix(".json").read_text(encoding="utf-8"))
    rate = figures["sections"]["apply"]["500"]["batch_per_second"]
    assert rate["min"] <= rate["median"] <= rate["max"]
    assert rate["min"] > 0
