"""The database schema, in SQLAlchemy Core. Alembic migrations are written against this metadata.

Timestamps are stored as naive UTC (`DateTime(timezone=False)`) on both backends so that SQLite and
PostgreSQL round-trip the same values and exports are byte-identical.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from hearings.store.metadata import metadata

committees = Table(
    "committees",
    metadata,
    Column("system_code", String(32), primary_key=True),
    Column("name", Text, nullable=True),
    Column("chamber", Text, nullable=True),
    Column("committee_type", Text, nullable=True),
    # Not a foreign key: the API may name a parent it no longer serves; `hearings verify` says so.
    Column("parent_code", String(32), nullable=True, index=True),
    Column("is_current", Boolean, nullable=True),
    Column("url", Text, nullable=True),
    Column("update_date", DateTime, nullable=True),
    Column("content_hash", String(64), nullable=True),
    Column("first_seen_at", DateTime, nullable=False),
    Column("last_changed_at", DateTime, nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("bioguide_id", String(16), primary_key=True),
    Column("name", Text, nullable=True),
    Column("first_name", Text, nullable=True),
    Column("last_name", Text, nullable=True),
    Column("party", Text, nullable=True),
    Column("state", Text, nullable=True),
    Column("district", Integer, nullable=True),
    Column("chamber", Text, nullable=True),
    Column("image_url", Text, nullable=True),
    Column("update_date", DateTime, nullable=True),
    Column("content_hash", String(64), nullable=True),
    Column("first_seen_at", DateTime, nullable=False),
    Column("last_changed_at", DateTime, nullable=False),
)

# A committee meeting. The table is called `hearings` because that is what users search for;
# printed hearings (transcripts) live in `printed_hearings`.
hearings = Table(
    "hearings",
    metadata,
    Column("event_id", String(32), primary_key=True),
    Column("congress", Integer, nullable=False, index=True),
    Column("chamber", String(16), nullable=False),
    Column("meeting_type", Text, nullable=True),
    Column("status", Text, nullable=True),
    Column("title", Text, nullable=True),
    Column("start_at", DateTime, nullable=True, index=True),
    Column("room", Text, nullable=True),
    Column("building", Text, nullable=True),
    Column("address", Text, nullable=True),
    # True for the empty records the API really returns (Senate stubs with no title and no date).
    Column("is_stub", Boolean, nullable=False, default=False),
    Column("update_date", DateTime, nullable=True, index=True),
    Column("content_hash", String(64), nullable=False),
    Column("first_seen_at", DateTime, nullable=False),
    Column("last_changed_at", DateTime, nullable=False, index=True),
    # True when the API gave a day without a time: `start_at` is then that day's midnight Eastern
    # (store/meeting_start.py). Last, where migration 0009 added it.
    Column("start_date_only", Boolean, nullable=False, default=False, server_default=false()),
)

hearing_committees = Table(
    "hearing_committees",
    metadata,
    Column(
        "event_id",
        String(32),
        ForeignKey("hearings.event_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("system_code", String(32), ForeignKey("committees.system_code"), primary_key=True),
    Column("is_primary", Boolean, nullable=False),
    Column("ordinal", Integer, nullable=False),
    Index("ix_hearing_committees_system_code", "system_code"),
)

witnesses = Table(
    "witnesses",
    metadata,
    # Deterministic (a slug of the name plus a hash of name and organization), so the same person
    # gets the same id in every database built from the same data, SQLite or PostgreSQL.
    Column("witness_id", String(96), primary_key=True),
    # "Same person" is the same normalized name and normalized organization.
    Column("normalized_name", Text, nullable=False),
    Column("organization_key", Text, nullable=False, default=""),
    Column("display_name", Text, nullable=False),
    Column("honorific", Text, nullable=True),
    Column("first_name", Text, nullable=True),
    Column("last_name", Text, nullable=True),
    Column("suffix", Text, nullable=True),
    Column("organization", Text, nullable=True),
    Column("first_seen_at", DateTime, nullable=False),
    UniqueConstraint("normalized_name", "organization_key", name="uq_witnesses_person"),
)

witness_appearances = Table(
    "witness_appearances",
    metadata,
    Column(
        "event_id",
        String(32),
        ForeignKey("hearings.event_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # The witness's place in the API's list, from 0.
    Column("ordinal", Integer, primary_key=True),
    Column(
        "witness_id", String(96), ForeignKey("witnesses.witness_id"), nullable=False, index=True
    ),
    Column("name_as_given", Text, nullable=False),
    Column("position", Text, nullable=True),
    Column("organization", Text, nullable=True),
)

witness_documents = Table(
    "witness_documents",
    metadata,
    Column("document_id", Integer, primary_key=True, autoincrement=True),
    Column(
        "event_id",
        String(32),
        ForeignKey("hearings.event_id", ondelete="CASCADE"),
        nullable=False,
    ),
    # Null when no appearance's name token matches the URL: the document stays on the meeting.
    Column("appearance_ordinal", Integer, nullable=True),
    Column("ordinal", Integer, nullable=False),
    Column("document_type", Text, nullable=True),
    Column("format", Text, nullable=True),
    Column("url", Text, nullable=True),
    Column("name", Text, nullable=True),
    UniqueConstraint("event_id", "url", name="uq_witness_documents_event_url"),
    ForeignKeyConstraint(
        ["event_id", "appearance_ordinal"],
        ["witness_appearances.event_id", "witness_appearances.ordinal"],
        name="fk_witness_documents_appearance",
        ondelete="CASCADE",
    ),
)

meeting_documents = Table(
    "meeting_documents",
    metadata,
    Column("document_id", Integer, primary_key=True, autoincrement=True),
    Column(
        "event_id",
        String(32),
        ForeignKey("hearings.event_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("ordinal", Integer, nullable=False),
    Column("document_type", Text, nullable=True),
    Column("format", Text, nullable=True),
    Column("url", Text, nullable=True),
    Column("name", Text, nullable=True),
    Column("description", Text, nullable=True),
    UniqueConstraint("event_id", "url", name="uq_meeting_documents_event_url"),
)

videos = Table(
    "videos",
    metadata,
    Column("video_id", Integer, primary_key=True, autoincrement=True),
    Column(
        "event_id",
        String(32),
        ForeignKey("hearings.event_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("ordinal", Integer, nullable=False),
    Column("url", Text, nullable=False),
    Column("name", Text, nullable=True),
    # youtube | senate | congress.gov | other
    Column("kind", String(16), nullable=False),
    UniqueConstraint("event_id", "url", name="uq_videos_event_url"),
)

bills = Table(
    "bills",
    metadata,
    # "119-hr-1653": deterministic, like witness ids.
    Column("bill_id", String(48), primary_key=True),
    Column("congress", Integer, nullable=False),
    # As the API gives it ("HR", "S", "HRES"); matching is case-insensitive.
    Column("bill_type", Text, nullable=False),
    Column("number", Text, nullable=False),
    Column("url", Text, nullable=True),
    UniqueConstraint("congress", "bill_type", "number", name="uq_bills_citation"),
)

hearing_bills = Table(
    "hearing_bills",
    metadata,
    Column(
        "event_id",
        String(32),
        ForeignKey("hearings.event_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("bill_id", String(48), ForeignKey("bills.bill_id"), primary_key=True),
    Column("ordinal", Integer, nullable=False),
    Index("ix_hearing_bills_bill_id", "bill_id"),
)

# Keyed by Congress and jacket number: GPO reuses jacket numbers across Congresses.
printed_hearings = Table(
    "printed_hearings",
    metadata,
    Column("jacket_number", Integer, nullable=False),
    Column("congress", Integer, nullable=False, index=True),
    Column("chamber", Text, nullable=True),
    Column("title", Text, nullable=True),
    Column("citation", Text, nullable=True),
    Column("library_of_congress_id", Text, nullable=True),
    # From `associatedMeeting`. Not a foreign key: a printed hearing can arrive before its meeting.
    Column("associated_event_id", String(32), nullable=True, index=True),
    Column("dates", JSON, nullable=False, default=list),
    Column("formats", JSON, nullable=False, default=list),
    Column("committee_codes", JSON, nullable=False, default=list),
    Column("update_date", DateTime, nullable=True),
    Column("content_hash", String(64), nullable=True),
    Column("first_seen_at", DateTime, nullable=False),
    Column("last_changed_at", DateTime, nullable=False),
    PrimaryKeyConstraint("congress", "jacket_number"),
)

# A meeting's `hearingTranscript` entries: the link from a meeting to its printed hearings.
hearing_transcripts = Table(
    "hearing_transcripts",
    metadata,
    Column(
        "event_id",
        String(32),
        ForeignKey("hearings.event_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("jacket_number", Integer, nullable=False),
    Column("ordinal", Integer, nullable=False),
    # The printed hearing's Congress: the one its url names, else the meeting's.
    Column("congress", Integer, nullable=False),
    PrimaryKeyConstraint("event_id", "congress", "jacket_number"),
    Index("ix_hearing_transcripts_jacket_number", "jacket_number"),
)


# The run's own bookkeeping, registered after the data tables so that `metadata` keeps its order.
from hearings.store import run_tables  # noqa: E402

import_errors = run_tables.import_errors
sync_state = run_tables.sync_state
update_logs = run_tables.update_logs
batch_checkpoints = run_tables.batch_checkpoints
payload_archive = run_tables.payload_archive
import_lists = run_tables.import_lists
import_list_entries = run_tables.import_list_entries
