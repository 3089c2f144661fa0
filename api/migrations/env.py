"""Alembic environment: the database URL comes from the API's settings (DATABASE_URL)."""

from __future__ import annotations

from alembic import context

from api.db import get_engine
from api.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    with get_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
