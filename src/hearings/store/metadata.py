"""The metadata every table belongs to: the data's tables (`schema`) and the run's own
bookkeeping (`run_tables`). Alembic migrations are written against it."""

from __future__ import annotations

from sqlalchemy import MetaData

# Named constraints keep Alembic's batch migrations on SQLite and PostgreSQL in step.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
