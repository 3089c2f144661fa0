"""The Alembic migrations build exactly the tables the models describe (revision 0002 adds the handoff)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from api.db import get_engine
from api.models import Base

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_match_the_models(seeded) -> None:  # type: ignore[no-untyped-def]
    with get_engine().connect() as conn:
        context = MigrationContext.configure(conn)
        head = ScriptDirectory.from_config(Config(str(ROOT / "api" / "alembic.ini"))).get_current_head()
        assert context.get_current_revision() == head
        assert compare_metadata(context, Base.metadata) == []
