"""A test harness that runs the real pipeline against the real replica and a real database file.

`day_of_changes` edits the replica's corpus the way a day upstream does, and says what a correct
update must count.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from hearings.config import Settings
from hearings.congress_api.client import CongressClient
from hearings.replica import Corpus, ReplicaServer
from hearings.reports.export import export_to_string
from hearings.store import schema
from hearings.store.opening import open_database
from hearings.sync.failpoints import FailureInjector
from hearings.sync.pipeline import SyncOptions
from hearings.sync.runlog import BatchStats, RunMetrics
from hearings.sync.runner import RunEnvironment, run_sync
from tests.cli_runs import run_hearings, run_hearings_process

API_KEY = "test-key-7f3a9c"


def api_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def slow_from_the_first_meeting(replica: ReplicaServer, latency_ms: float) -> None:
    """Wait until a run (in another process) has fetched its first meeting, then answer every
    request `latency_ms` late: the list, committee and member requests before the meetings
    (about 220 for the 119th) need no latency for a test to stop the run among its meetings."""
    deadline = time.monotonic() + 120
    while not replica.stats.snapshot()["by_kind"].get("meeting_item"):
        assert time.monotonic() < deadline, "the run fetched no meeting in 120 s"
        time.sleep(0.001)
    replica.faults.latency_ms = latency_ms


@dataclass
class Harness:
    tmp_path: Path
    database_url: str
    replica: ReplicaServer
    engines: list[Engine] = field(default_factory=list)

    @property
    def corpus(self) -> Corpus:
        return self.replica.corpus

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": self.database_url,
            "congress_api_base_url": self.replica.base_url,
            "congress_api_key": API_KEY,
            "backup_dir": self.tmp_path / "backups",
            "log_dir": self.tmp_path / "logs",
            "api_max_retries": 3,
            "api_concurrency": 4,
        }
        values.update(overrides)
        return Settings(**values)

    def engine(self) -> Engine:
        engine = open_database(self.database_url)
        self.engines.append(engine)
        return engine

    def run(
        self,
        command: str = "update",
        *,
        clock: Callable[[], datetime] | None = None,
        batch: bool = True,
        batch_size: int = 50,
        failure_rate: float = 0.0,
        seed: int = 0,
        **option_overrides: Any,
    ) -> RunMetrics:
        settings = self.settings()
        options = SyncOptions(
            congress=119,
            batch_enabled=batch,
            batch_size=batch_size,
            concurrency=4,
            failure_injector=FailureInjector(rate=failure_rate, seed=seed),
            **option_overrides,
        )
        with CongressClient.from_settings(settings, backoff_base=0.01, backoff_max=0.05) as client:
            env = RunEnvironment(settings=settings, engine=self.engine(), client=client)
            if clock is not None:
                env.clock = clock
            return run_sync(env, options, command=command)

    def export(self) -> str:
        return export_to_string(self.engine(), "hearings")

    def count(self, table: Any, *where: Any) -> int:
        with self.engine().connect() as connection:
            return int(
                connection.execute(
                    select(func.count()).select_from(table).where(*where)
                ).scalar_one()
            )

    def hearing(self, event_id: str) -> Any:
        with self.engine().connect() as connection:
            return connection.execute(
                select(schema.hearings).where(schema.hearings.c.event_id == event_id)
            ).first()

    def cli_env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CONGRESS_", "DATABASE_"))}
        env.update(
            CONGRESS_API_BASE_URL=self.replica.base_url,
            CONGRESS_API_KEY=API_KEY,
            DATABASE_URL=self.database_url,
            BACKUP_DIR=str(self.tmp_path / "backups"),
            LOG_DIR=str(self.tmp_path / "logs"),
            API_MAX_RETRIES="2",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def cli(
        self, *args: str, own_process: bool = False, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        """`hearings ARGS` in this process; `own_process` where the process is what is tested
        (a failpoint's kill, a lock held by another process)."""
        run = run_hearings_process if own_process else run_hearings
        return run(args, env=self.cli_env(**extra_env), cwd=self.tmp_path)

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()


@dataclass
class Expected:
    checked: int
    added: int
    updated: int
    unchanged: int
    quarantined: set[str]
    new_subcommittee: str
    new_event_ids: list[str]
    changed_event_ids: list[str]


def meeting_ids(corpus: Corpus, *, with_witnesses: bool | None = None) -> list[str]:
    ids = []
    for event_id in sorted(corpus.ids("meeting")):
        body = corpus.meeting(event_id)
        assert body is not None
        if not body.get("title"):
            continue
        if with_witnesses is not None and bool(body.get("witnesses")) != with_witnesses:
            continue
        ids.append(event_id)
    return ids


def day_of_changes(corpus: Corpus, now: datetime) -> Expected:
    """Upstream changes over one day: statuses, titles and witnesses updated; new meetings, one
    under a brand-new subcommittee; two malformed records; one record touched but unchanged."""
    stamp = api_time(now - timedelta(hours=2))
    plain = meeting_ids(corpus, with_witnesses=False)
    witnessed = meeting_ids(corpus, with_witnesses=True)
    changed: list[str] = []

    def edit(event_id: str, change: Callable[[dict[str, Any]], None]) -> None:
        body = corpus.meeting(event_id)
        assert body is not None
        change(body)
        body["updateDate"] = stamp
        corpus.put_meeting(body)

    for event_id, status in zip(plain[:3], ["Canceled", "Postponed", "Rescheduled"], strict=True):
        edit(event_id, lambda b, s=status: b.__setitem__("meetingStatus", s))
        changed.append(event_id)
    for event_id in plain[3:5]:
        edit(event_id, lambda b: b.__setitem__("title", (b.get("title") or "") + " (revised)"))
        changed.append(event_id)
    edit(
        witnessed[0],
        lambda b: b["witnesses"].append(
            {"name": "Dr. Ada Quill", "organization": "Institute of Tests", "position": "Fellow"}
        ),
    )
    edit(witnessed[1], lambda b: b["witnesses"][0].__setitem__("organization", "New Org, Inc."))
    changed += witnessed[:2]
    touched = plain[5]
    edit(touched, lambda b: None)

    parent = "hsap00"
    new_code = "hsap77"
    corpus.put_committee(
        {
            "history": [
                {
                    "committeeTypeCode": "Subcommittee",
                    "libraryOfCongressName": "Test Readiness Subcommittee",
                    "officialName": "Test Readiness Subcommittee",
                    "startDate": stamp,
                    "updateDate": stamp,
                }
            ],
            "isCurrent": True,
            "parent": {
                "name": "Appropriations Committee",
                "systemCode": parent,
                "url": f"https://api.congress.gov/v3/committee/house/{parent}?format=json",
            },
            "systemCode": new_code,
            "type": "Subcommittee",
            "updateDate": stamp,
        },
        chamber="house",
        congresses=[119],
    )

    template = corpus.meeting(witnessed[2])
    assert template is not None
    new_ids = ["990001", "990002", "990003"]
    for index, event_id in enumerate(new_ids):
        body = copy.deepcopy(template)
        body["eventId"] = event_id
        body["title"] = f"New hearing number {index + 1}"
        body["updateDate"] = stamp
        body.pop("hearingTranscript", None)
        if index == 0:
            body["committees"] = [
                {
                    "name": "Test Readiness Subcommittee",
                    "systemCode": new_code,
                    "url": f"https://api.congress.gov/v3/committee/house/{new_code}?format=json",
                }
            ]
        corpus.put_meeting(body)

    bad_date = copy.deepcopy(template)
    bad_date.update(eventId="990101", date="the day after tomorrow", updateDate=stamp)
    bad_witness = copy.deepcopy(template)
    bad_witness.update(eventId="990102", updateDate=stamp)
    bad_witness["witnesses"] = [{"name": 12345, "organization": ["not", "text"]}]
    for body in (bad_date, bad_witness):
        body.pop("hearingTranscript", None)
        corpus.put_meeting(body)

    return Expected(
        checked=len(changed) + 1 + len(new_ids) + 2,
        added=len(new_ids),
        updated=len(changed),
        unchanged=1,
        quarantined={"990101", "990102"},
        new_subcommittee=new_code,
        new_event_ids=new_ids,
        changed_event_ids=changed,
    )


def snapshot(engine: Engine) -> dict[str, list[Any]]:
    """Every data table's rows, minus timestamps that legitimately differ between runs."""
    volatile = {"first_seen_at", "last_changed_at", "document_id", "video_id"}
    tables = [
        schema.committees,
        schema.members,
        schema.hearings,
        schema.hearing_committees,
        schema.witnesses,
        schema.witness_appearances,
        schema.witness_documents,
        schema.meeting_documents,
        schema.videos,
        schema.bills,
        schema.hearing_bills,
        schema.printed_hearings,
        schema.hearing_transcripts,
    ]
    result: dict[str, list[Any]] = {}
    with engine.connect() as connection:
        for table in tables:
            columns = [c for c in table.c if c.name not in volatile]
            rows = connection.execute(select(*columns)).all()
            result[table.name] = sorted(json.dumps(list(r), default=str) for r in rows)
    return result


def blank_metrics() -> RunMetrics:
    """The metrics an update of the 119th Congress starts with, in batches of 50."""
    return RunMetrics(
        command="update",
        congress=119,
        chamber=None,
        batch_processing=BatchStats(enabled=True, batch_size=50),
        start_time=datetime.now(UTC),
    )
