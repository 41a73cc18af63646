"""The run's own bookkeeping tables: the quarantine, high-water marks, the run log, batch
checkpoints, the payload archive and the stored import lists. `schema` re-exports them, so every
table is `schema.<name>`."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from hearings.store.metadata import metadata

# The largest id an INTEGER column holds on both backends (32 bits on PostgreSQL): an id typed
# by a user past it names no row, and the database driver would refuse to even look it up.
MAX_INTEGER_ID = 2**31 - 1

# The quarantine: records that failed to parse, validate or apply, kept with their raw payload.
import_errors = Table(
    "import_errors",
    metadata,
    Column("error_id", Integer, primary_key=True, autoincrement=True),
    Column("entity", String(32), nullable=False),
    Column("identifier", String(128), nullable=False),
    # fetch | parse | validate | apply
    Column("stage", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw_payload", Text, nullable=True),
    # Enough to fetch it again: congress and chamber for meetings, for example.
    Column("locator", JSON, nullable=True),
    Column("first_seen_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=1),
    Column("resolved", Boolean, nullable=False, default=False),
    Column("resolved_at", DateTime, nullable=True),
    UniqueConstraint("entity", "identifier", name="uq_import_errors_record"),
)

# High-water marks: the newest `updateDate` committed per congress, chamber and entity.
sync_state = Table(
    "sync_state",
    metadata,
    Column("congress", Integer, primary_key=True),
    Column("chamber", String(16), primary_key=True),
    Column("entity", String(32), primary_key=True),
    Column("high_water_mark", DateTime, nullable=True),
    Column("last_run_id", Integer, nullable=True),
    Column("updated_at", DateTime, nullable=False),
)

update_logs = Table(
    "update_logs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    # import | update
    Column("command", String(16), nullable=False),
    Column("congress", Integer, nullable=True),
    Column("chamber", String(16), nullable=True),
    Column("mode", String(16), nullable=False),
    Column("start_time", DateTime, nullable=False, index=True),
    Column("end_time", DateTime, nullable=True),
    Column("duration_seconds", Float, nullable=True),
    Column("hearings_checked", Integer, nullable=False, default=0),
    Column("hearings_added", Integer, nullable=False, default=0),
    Column("hearings_updated", Integer, nullable=False, default=0),
    Column("hearings_unchanged", Integer, nullable=False, default=0),
    Column("committees_updated", Integer, nullable=False, default=0),
    Column("witnesses_updated", Integer, nullable=False, default=0),
    Column("api_requests", Integer, nullable=False, default=0),
    Column("error_count", Integer, nullable=False, default=0),
    Column("quarantined", Integer, nullable=False, default=0),
    # null while running; a row left null by a killed run is reported as "interrupted"
    Column("success", Boolean, nullable=True),
    Column("exit_code", Integer, nullable=True),
    Column("metrics", JSON, nullable=True),
)

# One row per batch: what it touched, the before-images of the rows it changed, and its outcome.
batch_checkpoints = Table(
    "batch_checkpoints",
    metadata,
    Column("checkpoint_id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("update_logs.run_id"), nullable=False, index=True),
    Column("batch_number", Integer, nullable=False),
    Column("event_ids", JSON, nullable=False),
    # {event_id: {"hearing": {...}, "committees": [...], "witnesses": [...]}} or null when added
    Column("before_images", JSON, nullable=False),
    # pending | committed | rolled_back
    Column("status", String(16), nullable=False),
    Column("error", Text, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
)

# Every distinct version of every record the gate admitted: the API's payload, compressed, keyed
# by entity, identifier and content hash (which ignores `updateDate`, so a record touched upstream
# but not changed is one version seen again). Written in the transaction of the rows derived from
# it; what history and rebuilding without the API read.
payload_archive = Table(
    "payload_archive",
    metadata,
    Column("version_id", Integer, primary_key=True, autoincrement=True),
    # meeting | printed_hearing | committee | member
    Column("entity", String(32), nullable=False),
    Column("identifier", String(128), nullable=False),
    Column("content_hash", String(64), nullable=False),
    # zlib-compressed UTF-8 JSON, keys sorted
    Column("payload", LargeBinary, nullable=False),
    # The newest `updateDate` this version was seen with (it is not part of the content).
    Column("update_date", DateTime, nullable=True),
    # Where the record was fetched from (congress, chamber): items do not always say.
    Column("locator", JSON, nullable=True),
    Column("first_seen_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    # The run that first fetched this version (no foreign key: a run's row may be pruned).
    Column("run_id", Integer, nullable=True),
    # Not unique: a record that goes back to an earlier content gets a row of its own, so its
    # newest row is always its current version (migration 0010).
    Index("ix_payload_archive_content", "entity", "identifier", "content_hash"),
    Index("ix_payload_archive_record", "entity", "identifier", "first_seen_at"),
)

# Lists an import read to the end, kept until the import completes, so that an import stopped by
# its --max-requests budget, Ctrl-C or kill -9 resumes without reading them again
# (`hearings.sync.stored_lists`). One row per list; its entries, as the API sent them, below.
import_lists = Table(
    "import_lists",
    metadata,
    # The list endpoint and its arguments, e.g. `meeting/119/all`.
    Column("list_key", String(200), primary_key=True),
    Column("entity", String(32), nullable=False),
    Column("congress", Integer, nullable=True),
    Column("entries", Integer, nullable=False),
    Column("listed_at", DateTime, nullable=False),
)

import_list_entries = Table(
    "import_list_entries",
    metadata,
    Column("list_key", String(200), primary_key=True),
    Column("position", Integer, primary_key=True),
    # The entry's JSON as the API sent it (the gate reads it again on resume).
    Column("entry", Text, nullable=False),
)
