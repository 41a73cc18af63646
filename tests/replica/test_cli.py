"""`hearings replica`: runs in the foreground, prints its base URL, stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
from typer.testing import CliRunner

from hearings.cli import app
from hearings.cli import replica_command as _registers_the_command  # noqa: F401
from hearings.replica import BUNDLED_CORPUS_DIR


def test_the_command_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "hearings", "replica", "--port", "0", "--scale", "300"],
        # A shell's background job ignores SIGINT, and Python keeps that: undo it for the child.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Unbuffered: communicate() reads the pipes itself, and would miss what a buffered reader
        # had read ahead.
        bufsize=0,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        base_url = process.stdout.readline().decode().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v3")
        # By default it serves every bundled Congress; --scale counts meetings across them.
        counts = {
            path: httpx.get(
                f"{base_url}/{path}?format=json&limit=1",
                headers={"X-Api-Key": "DEMO_KEY"},
                timeout=60,
            ).json()["pagination"]["count"]
            for path in ("committee-meeting", "committee-meeting/118", "committee-meeting/119")
        }
        assert counts["committee-meeting"] == 300
        assert counts["committee-meeting/118"] + counts["committee-meeting/119"] == 300
        assert counts["committee-meeting/118"] >= 10
        # The URL is printed before the banner, and the banner before the command waits for
        # Ctrl-C: the server answers from its own thread meanwhile, so a Ctrl-C sent once the
        # answers came could land before the wait, on a loaded machine. Wait for the banner.
        banner = b""
        while "Ctrl-C stops it." not in " ".join(banner.decode().split()):
            read = os.read(process.stderr.fileno(), 4096)
            assert read, banner
            banner += read
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=60)
        stderr = (banner + rest).decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "Replica stopped." in stderr
    assert "serving 300 meetings (Congress 118-119)" in " ".join(stderr.split())


def test_several_corpus_folders_are_served_as_one() -> None:
    folders = [str(BUNDLED_CORPUS_DIR / f"congress-{c}") for c in (118, 119)]
    process = subprocess.Popen(
        [sys.executable, "-m", "hearings", "replica", "--port", "0",
         "--corpus", folders[0], "--corpus", folders[1]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        answer = httpx.get(
            f"{base_url}/committee/118/senate?format=json&limit=250",
            headers={"X-Api-Key": "DEMO_KEY"},
            timeout=60,
        ).json()
        # A committee in both folders is one, listed for each Congress.
        assert "ssju00" in {c["systemCode"] for c in answer["committees"]}
        meetings = httpx.get(
            f"{base_url}/committee-meeting?format=json&limit=1",
            headers={"X-Api-Key": "DEMO_KEY"},
            timeout=60,
        ).json()
        assert meetings["pagination"]["count"] == 160
    finally:
        process.kill()
        process.wait()


def test_bad_arguments_are_refused_cleanly() -> None:
    runner = CliRunner()
    for args in (["--fault-rate", "2"], ["--port", "-1"], ["--corpus", "/no/such/folder"]):
        result = runner.invoke(app, ["replica", *args])
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output


def test_a_429_burst_can_be_asked_for_on_the_command_line() -> None:
    process = subprocess.Popen(
        [
            sys.executable, "-m", "hearings", "replica", "--port", "0",
            "--burst-429", "30", "--burst-after", "1", "--retry-after", "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        url = f"{base_url}/member/A000055?format=json"
        first, second = (
            httpx.get(url, headers={"X-Api-Key": "DEMO_KEY"}, timeout=60) for _ in range(2)
        )
        assert first.status_code == 200
        assert second.status_code == 429 and second.headers["Retry-After"] == "2"
    finally:
        process.kill()
        process.wait()
