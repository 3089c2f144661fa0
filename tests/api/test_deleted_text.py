"""Issue 13, point 5: deleted text does not linger in SQLite's files. With secure_delete the
freed pages are zeroed, and a WAL checkpoint (TRUNCATE) after a delete empties the WAL file,
which otherwise keeps the old pages' copies."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.api.test_retention import _run_hourly_loop


def _sqlite_files() -> list[Path]:
    from api.settings import get_settings

    url = get_settings().database_url
    if not url.startswith("sqlite:///"):
        pytest.skip("SQLite's files only")
    db = Path(url.removeprefix("sqlite:///"))
    return [db, db.with_name(db.name + "-wal")]


def _on_disk(marker: str) -> bool:
    needle = marker.encode()
    return any(f.exists() and needle in f.read_bytes() for f in _sqlite_files())


def _marker() -> str:
    # Letters only: nothing the redaction would touch; unique, so no other test wrote it.
    return "Kvittrande" + "".join(random.choices(string.ascii_lowercase, k=24))


def _write(client, conv, marker: str) -> None:  # type: ignore[no-untyped-def]
    resp = client.post(
        f"/api/conversations/{conv['id']}/messages",
        json={"text": f"Min fråga om {marker} och lånekort"},
        headers=conv["headers"],
    )
    assert resp.status_code == 200


def test_a_residents_deleted_text_is_not_in_the_database_files(client, conversation) -> None:  # type: ignore[no-untyped-def]
    _sqlite_files()
    marker = _marker()
    _write(client, conversation, marker)
    assert _on_disk(marker)  # the test can see it while it is stored
    assert client.delete(f"/api/conversations/{conversation['id']}", headers=conversation["headers"]).status_code == 204
    assert not _on_disk(marker)


def test_purged_text_is_not_in_the_database_files(client, conversation, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from api.db import get_engine

    _sqlite_files()
    marker = _marker()
    _write(client, conversation, marker)
    with get_engine().begin() as conn:
        conn.execute(
            text("UPDATE conversations SET last_activity_at = datetime('now', '-200 days') WHERE id = :id"),
            {"id": conversation["id"]},
        )
    assert _on_disk(marker)
    _run_hourly_loop(monkeypatch, rounds=1)
    assert not _on_disk(marker)
