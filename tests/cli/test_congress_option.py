"""`--congress` on import: a Congress that has not begun is refused before any request, lock or
backup, while the next one (whose first meetings may be listed early) is allowed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hearings.cli.congress_option import congresses_to_import
from hearings.congresses import current_congress, ordinal, parse_congresses
from hearings.errors import UsageError
from tests.cli_runs import run_hearings


def test_an_import_of_a_congress_that_has_not_begun_is_one_sentence(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CONGRESS_", "DATABASE_"))},
        "CONGRESS_API_KEY": "DEMO_KEY",
        # Nothing listens here: a request would fail the run with another sentence.
        "CONGRESS_API_BASE_URL": "http://127.0.0.1:9/v3",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'hearings.db'}",
        "BACKUP_DIR": str(tmp_path / "backups"),
    }
    run = run_hearings(["import", "--congress", "118,200"], env=env, cwd=tmp_path)

    assert run.returncode == 2, run.stderr
    sitting = current_congress()
    assert (
        f"has not begun: the {ordinal(sitting)} is sitting, so --congress goes up to {sitting + 1}."
        in (" ".join(run.stderr.split()))
    )
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "hearings.db").exists() and not (tmp_path / "backups").exists()


def test_the_next_congress_and_every_earlier_one_are_allowed() -> None:
    sitting = current_congress()
    assert congresses_to_import(parse_congresses(f"113-{sitting + 1}"))[-1] == sitting + 1
    assert congresses_to_import(parse_congresses("all"))[-1] == sitting
    with pytest.raises(UsageError):
        congresses_to_import(parse_congresses(str(sitting + 2)))
