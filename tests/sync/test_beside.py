"""Work run beside the caller in a forked process (`hearings.sync.beside`): what it returns or
refuses with reaches the caller as if it had run there, and it never outlives a failed caller."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

import pytest

from hearings.errors import ConfigurationError, HearingsError
from hearings.sync.beside import running_beside

T = TypeVar("T")
pytestmark = pytest.mark.skipif(
    (os.cpu_count() or 1) < 2, reason="one core runs the work in place, beside nothing"
)


def answer(work: Callable[[], T], stopped: str = "stopped") -> T:
    with running_beside(work, stopped=stopped) as beside:
        return beside.result()


def test_the_work_runs_in_another_process_and_its_result_comes_back() -> None:
    child = answer(os.getpid)

    assert isinstance(child, int) and child != os.getpid()


def test_a_refusal_comes_back_with_its_class_sentence_and_exit_code() -> None:
    def refuse() -> None:
        raise ConfigurationError("BACKUP_DIR is a file.")

    with pytest.raises(ConfigurationError, match="BACKUP_DIR is a file.") as raised:
        answer(refuse)
    assert raised.value.exit_code == 2


class _TwoPartError(HearingsError):
    exit_code = 2

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} and {second}")


def test_a_refusal_that_cannot_be_pickled_keeps_its_sentence_and_exit_code() -> None:
    def refuse() -> None:
        raise _TwoPartError("one", "two")

    with pytest.raises(HearingsError, match="one and two") as raised:
        answer(refuse)
    assert raised.value.exit_code == 2


def test_a_bug_in_the_work_is_a_bug_here_with_its_traceback() -> None:
    def bug() -> None:
        raise ZeroDivisionError("division by zero in the work")

    with pytest.raises(RuntimeError, match="ZeroDivisionError: division by zero in the work"):
        answer(bug)


def test_work_killed_before_it_answers_is_the_stopped_sentence() -> None:
    def die() -> None:
        os._exit(9)

    with pytest.raises(HearingsError, match="^The work was stopped.$"):
        answer(die, stopped="The work was stopped.")


def test_leaving_the_block_without_asking_still_waits_for_the_work_and_its_refusal() -> None:
    def refuse() -> None:
        time.sleep(0.2)
        raise ConfigurationError("refused late")

    with (
        pytest.raises(ConfigurationError, match="refused late"),
        running_beside(refuse, stopped="stopped"),
    ):
        pass


def test_a_caller_that_fails_stops_the_work_at_once() -> None:
    started = time.monotonic()
    with (
        pytest.raises(KeyError),
        running_beside(lambda: time.sleep(60), stopped="stopped") as beside,
    ):
        raise KeyError("the caller's own error")
    assert time.monotonic() - started < 10
    process = beside._process
    assert process is not None and not process.is_alive()


def test_a_result_that_cannot_be_sent_back_is_a_bug_not_a_refusal() -> None:
    with pytest.raises(RuntimeError, match="its result could not be sent back"):
        answer(lambda: lambda: None)
