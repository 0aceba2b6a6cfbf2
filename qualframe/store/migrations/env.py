"""Alembic environment: always run with a connection handed in by qualframe.store.db.upgrade."""

from __future__ import annotations

from alembic import context

from qualframe.store.db import include_name
from qualframe.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic is run by hand
    raise RuntimeError("qualframe migrations are run by qualframe.store.db.upgrade, not the alembic CLI")

context.configure(
    connection=connection, target_metadata=Base.metadata, render_as_batch=True, include_name=include_name
)
with context.begin_transaction():
    context.run_migrations()
