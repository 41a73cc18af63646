"""NOTIFY_WEBHOOK_URL: a failed run, or one with anomalies, is announced by a JSON POST with the
run's metrics and a Slack-compatible `text`; a notification that fails never fails the run.
The receiver is a real HTTP server on loopback."""

from __future__ import annotations

import copy
import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from hearings.congress_api.client import CongressClient
from hearings.sync.notify import notification_text, notify_webhook
from hearings.sync.pipeline import SyncOptions
from hearings.sync.runlog import RunMetrics, SuspiciousChange
from hearings.sync.runner import RunEnvironment, run_sync
from tests.sync.harness import API_KEY, Harness, api_time, blank_metrics, meeting_ids

TOKEN_PATH = "/hooks/T0KEN-s3cret"


class Receiver:
    """A webhook endpoint that records what it is sent and answers with `status`."""

    def __init__(self, status: int = 200):
        self.status = status
        self.posts: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.raw.append(body)
                receiver.posts.append(json.loads(body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{TOKEN_PATH}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.close()


def _run(harness: Harness, command: str, url: str, **settings: Any) -> RunMetrics:
    """A run through the real runner, announcing to `url` the way the CLI wires it."""
    config = harness.settings(**settings)
    with CongressClient.from_settings(config, backoff_base=0.01, backoff_max=0.02) as client:
        env = RunEnvironment(
            settings=config,
            engine=harness.engine(),
            client=client,
            notify=lambda metrics: notify_webhook(url, metrics, timeout=5),
        )
        return run_sync(env, SyncOptions(congress=119, concurrency=4), command=command)


@pytest.mark.imported  # an update covers only a Congress the database holds
def test_a_failed_update_is_announced_with_its_metrics(
    harness: Harness, receiver: Receiver
) -> None:
    harness.replica.stop()  # Congress.gov is down
    done = harness.cli(
        "update",
        "--congress",
        "119",
        "--quiet",
        NOTIFY_WEBHOOK_URL=receiver.url,
        API_MAX_RETRIES="0",
    )
    assert done.returncode == 1 and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("hearings update FAILED: Congress.gov is unavailable")
    (post,) = receiver.posts
    # The body is the run's metrics, every field of them, plus `text`.
    blank = blank_metrics()
    assert set(post) == set(blank.as_dict()) | {"text"}
    assert (post["command"], post["success"], post["exit_code"]) == ("update", False, 1)
    assert "unavailable" in post["errors"][0]
    assert post["text"].startswith("hearings update FAILED (run ")
    assert "congress 119" in post["text"] and "unavailable" in post["text"]
    assert API_KEY.encode() not in receiver.raw[0]


@pytest.mark.imported
def test_an_anomaly_is_announced_and_ordinary_runs_are_not(
    harness: Harness, receiver: Receiver
) -> None:
    for _ in range(5):  # a quiet week: the history anomalies are judged against
        assert _run(harness, "update", receiver.url).anomalies == []
    assert receiver.posts == []
    template = harness.corpus.meeting(meeting_ids(harness.corpus)[0])
    stamp = api_time(datetime.now(UTC) - timedelta(hours=1))
    for number in range(12):
        body = copy.deepcopy(template)
        assert body is not None
        body.update(eventId=str(995000 + number), title=f"Surprise {number}", updateDate=stamp)
        body.pop("hearingTranscript", None)
        harness.corpus.put_meeting(body)
    metrics = _run(harness, "update", receiver.url)
    assert metrics.success and metrics.hearings_added == 12
    assert any(a.startswith("hearings_added = 12") for a in metrics.anomalies)
    (post,) = receiver.posts
    assert post["success"] is True and post["anomalies"] == metrics.anomalies
    assert post["text"].startswith("hearings update succeeded with ")
    assert "hearings_added = 12" in post["text"]


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.mark.parametrize("problem", ["refused", "unreachable"])
def test_a_failed_notification_never_fails_the_run(harness: Harness, problem: str) -> None:
    collected = Collected()
    logging.getLogger("hearings.sync.notify").addHandler(collected)
    receiver = Receiver(status=500)
    url = receiver.url
    if problem == "unreachable":
        receiver.close()
    harness.run("import")
    harness.replica.stop()
    metrics = _run(harness, "update", url, api_max_retries=0)
    assert (metrics.success, metrics.exit_code) == (False, 1)  # its own outcome, untouched
    assert notify_webhook(url, metrics, timeout=2) is False
    if problem == "refused":
        assert len(receiver.posts) == 2
        receiver.close()
    logging.getLogger("hearings.sync.notify").removeHandler(collected)
    assert collected.lines and all("notification to 127.0.0.1" in m for m in collected.lines)
    assert not any("T0KEN" in m for m in collected.lines)  # the URL's token is never logged


def test_a_webhook_that_is_not_an_http_url_is_a_configuration_error(harness: Harness) -> None:
    done = harness.cli("update", "--congress", "119", NOTIFY_WEBHOOK_URL="file:///etc/passwd")
    assert done.returncode == 2
    assert "NOTIFY_WEBHOOK_URL 'file:///etc/passwd' is not an http(s) URL" in done.stderr
    assert "Traceback" not in done.stderr and harness.replica.request_count == 0


@pytest.mark.imported
def test_a_run_whose_backup_fails_is_announced_as_a_failed_run(
    harness: Harness, receiver: Receiver
) -> None:
    afile = harness.tmp_path / "afile"
    afile.write_text("not a folder\n")
    done = harness.cli(
        "update", "--congress", "119", NOTIFY_WEBHOOK_URL=receiver.url, BACKUP_DIR=str(afile)
    )
    assert done.returncode == 1
    (post,) = receiver.posts
    assert (post["command"], post["success"], post["exit_code"]) == ("update", False, 1)
    assert post["errors"] == [
        f"BACKUP_DIR {afile} is a file, not a folder: set BACKUP_DIR to a folder."
    ]
    assert post["text"].startswith(f"hearings update FAILED (run {post['run_id']}, congress 119)")


def test_the_text_is_one_line_whatever_the_titles_hold() -> None:
    """Upstream sends titles with "\\r\\n" in them; a suspicious change quotes its before and
    after, which broke the line for people (and quoted a 100,000-character title whole)."""
    metrics = blank_metrics()
    metrics.suspicious_changes = [
        SuspiciousChange(
            event_id="118278",
            reason="title_placeholder",
            sentence="Title replaced by a placeholder.",
            before="Oversight of the\r\nVA\tbudget",
            after="T" * 100_000,
            action="flagged",
        )
    ]
    text = notification_text(metrics)
    assert "\n" not in text and "\r" not in text and "\t" not in text
    assert "(Oversight of the VA budget → " + "T" * 119 + "…)" in text
    assert len(text) < 1_000
