"""API test fixtures: every test that uses `client` or `db` runs on SQLite and on PostgreSQL.

PostgreSQL is the production path (127.0.0.1:5432, database `test`, trust auth); each run
uses its own schema so it never touches other data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import new_schema

ROOT = Path(__file__).resolve().parents[2]


def _reset_caches() -> None:
    from api import db, settings
    from api.conversations import rasa_client
    from api.faq import retrieval
    from api.texts.service import catalog

    settings.get_settings.cache_clear()
    rasa_client.reset()
    db.get_engine.cache_clear()
    db._factory.cache_clear()
    retrieval._index = None
    catalog._revision = -1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """TEST_DATABASE=sqlite or postgresql runs one half: the tests on that database, and with the
    SQLite half the tests that use none. scripts/test.sh runs both halves at once: one pytest
    process keeps one core busy, and the machine has two."""
    only = os.environ.get("TEST_DATABASE")
    if not only:
        return
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        database = callspec.params.get("database_url") if callspec else None
        (keep if (database or "sqlite") == only else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    with new_schema("t") as url:
        try:
            yield url
        finally:
            from api.db import get_engine

            get_engine().dispose()


@pytest.fixture(scope="session")
def seeded(database_url: str) -> Iterator[str]:
    """A migrated, seeded database; Rasa points at a closed port, so the API answers by itself."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["INTERNAL_TOKEN"] = "test-internal-token"
    os.environ["APP_ENV"] = "development"  # development secrets are fine here (api/production_guard.py)
    os.environ["RASA_URL"] = "http://127.0.0.1:9"
    os.environ["ACTION_SERVER_URL"] = "http://127.0.0.1:9"
    _reset_caches()
    from api.cli import migrate, seed

    migrate()
    seed()
    yield database_url
    _reset_caches()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Every test's requests come from the same test client address: each test starts uncounted."""
    from api.ratelimit import forget_process_state

    forget_process_state()


@pytest.fixture
def client(seeded: str) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from api.main import create_app

    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def db(seeded: str) -> Iterator[object]:
    from api.db import session_scope

    with session_scope() as session:
        yield session


@pytest.fixture
def conversation(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    resp = client.post("/api/conversations", json={"channel": "web", "locale": "sv"})
    assert resp.status_code == 201
    data = resp.json()
    data["headers"] = {"Authorization": f"Bearer {data['token']}"}
    return data


# ---- the handoff: staff accounts and residents (tests/api/handoff_support.py) ------------------


@pytest.fixture
def make_staff(client):  # type: ignore[no-untyped-def]
    """make_staff(role="staff", languages=("sv", "en"), library="stockholm") -> a logged-in Staff."""
    from tests.api.handoff_support import login, new_staff

    def make(role: str = "staff", languages: tuple[str, ...] = ("sv", "en"), library: str = "stockholm"):  # type: ignore[no-untyped-def]
        return login(client.app, new_staff(role, languages, library))

    return make


@pytest.fixture
def resident(client):  # type: ignore[no-untyped-def]
    """A resident with a new conversation (Swedish page, library solna)."""
    from tests.api.handoff_support import new_resident

    return new_resident(client, library="solna")


# ---- content curation (tests/api/curation_support.py) ------------------------------------------


@pytest.fixture
def content_guard(seeded: str) -> Iterator[None]:
    """Whatever a test changes in the content is put back afterwards: the seeded database is
    shared by every test of the session (retrieval accuracy tests among them)."""
    from tests.api.curation_support import restore_content, snapshot_content

    saved = snapshot_content()
    yield
    restore_content(saved)


@pytest.fixture
def coordinator(client, content_guard):  # type: ignore[no-untyped-def]
    """A logged-in coordinator of Solna who writes Swedish and English."""
    from tests.api.handoff_support import login, new_staff

    return login(client.app, new_staff("coordinator", ("sv", "en"), "solna"))
