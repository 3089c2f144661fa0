"""Issue 13, point 2: the retention purge never stalls. It deletes any number of expired
conversations, logs the real cause of a failure, keeps running after one, and /health shows
when it last succeeded (on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

MANY = 70_000  # above PostgreSQL's 65,535 bind parameters per statement


def _engine():  # type: ignore[no-untyped-def]
    from api.db import get_engine

    return get_engine()


def _insert_expired(prefix: str, n: int) -> None:
    """n conversations idle for 200 days, each with one message, inserted by the database itself."""
    engine = _engine()
    if engine.dialect.name == "postgresql":
        numbers = "SELECT g AS n FROM generate_series(1, :n) AS g"
        ago = "now() - interval '200 days'"
    else:
        numbers = "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < :n) SELECT n FROM g"
        ago = "datetime('now', '-200 days')"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO conversations (id, token_hash, channel, language_locked, easy_read, state,"
                " failed_turns, created_at, last_activity_at)"
                f" SELECT :prefix || n, 'x', 'web', false, false, 'bot', 0, {ago}, {ago} FROM ({numbers}) AS s"
            ),
            {"prefix": prefix, "n": n},
        )
        conn.execute(
            text(
                "INSERT INTO messages (conversation_id, sender, text, buttons, created_at)"
                f" SELECT id, 'resident', 'gammal fråga', '[]', {ago} FROM conversations WHERE id LIKE :like"
            ),
            {"like": prefix + "%"},
        )


def _count(table: str, column: str, prefix: str) -> int:
    with _engine().connect() as conn:
        query = text(f"SELECT count(*) FROM {table} WHERE {column} LIKE :p")
        return int(conn.execute(query, {"p": prefix + "%"}).scalar_one())


def test_purge_deletes_70000_expired_conversations(client, conversation, capsys) -> None:  # type: ignore[no-untyped-def]
    from api.conversations.retention import purge_expired
    from api.db import session_scope

    url = f"/api/conversations/{conversation['id']}/messages"
    client.post(url, json={"text": "hej"}, headers=conversation["headers"])
    _insert_expired("old70k", MANY)
    started = time.monotonic()
    with session_scope() as session:
        deleted = purge_expired(session)
    took = time.monotonic() - started
    with capsys.disabled():
        print(f"\npurged {deleted} expired conversations on {_engine().dialect.name} in {took:.1f} s")
    assert deleted >= MANY
    assert _count("conversations", "id", "old70k") == 0
    assert _count("messages", "conversation_id", "old70k") == 0
    # A conversation of today is kept, with its transcript.
    got = client.get(f"/api/conversations/{conversation['id']}/messages", headers=conversation["headers"])
    assert got.status_code == 200 and got.json()["messages"]


class _Stop(Exception):
    pass


def _run_hourly_loop(monkeypatch: pytest.MonkeyPatch, rounds: int) -> list[float]:
    """Runs the API's hourly purge loop for `rounds` rounds (the hour-long sleeps cut short)."""
    from api import main

    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(seconds: float, *args: Any, **kwargs: Any) -> None:
        if seconds >= 60:  # the loop's hourly pause
            slept.append(seconds)
            if len(slept) >= rounds:
                raise _Stop
            return
        await real_sleep(seconds, *args, **kwargs)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    with pytest.raises(_Stop):
        asyncio.run(main._purge_every_hour())
    return slept


def _block_deletes(prefix: str) -> None:
    """A database that refuses to delete some conversations: a real error from the database."""
    with _engine().begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                text(
                    "CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS"
                    " $$ BEGIN RAISE EXCEPTION 'refused by the test trigger'; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_delete BEFORE DELETE ON conversations FOR EACH ROW"
                    f" WHEN (OLD.id LIKE '{prefix}%') EXECUTE FUNCTION refuse_delete()"
                )
            )
        else:
            conn.execute(
                text(
                    f"CREATE TRIGGER refuse_delete BEFORE DELETE ON conversations WHEN OLD.id LIKE '{prefix}%'"
                    " BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"
                )
            )


def _unblock_deletes() -> None:
    with _engine().begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER IF EXISTS refuse_delete ON conversations"))
            conn.execute(text("DROP FUNCTION IF EXISTS refuse_delete()"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS refuse_delete"))


def test_a_failing_purge_logs_the_real_error_and_the_hourly_job_keeps_going(  # type: ignore[no-untyped-def]
    seeded, monkeypatch, caplog
) -> None:
    _insert_expired("blocked", 3)
    _block_deletes("blocked")
    try:
        with caplog.at_level(logging.WARNING):
            slept = _run_hourly_loop(monkeypatch, rounds=2)
    finally:
        _unblock_deletes()
    assert len(slept) == 2, "the loop stopped after a failure"
    failures = [r.getMessage() for r in caplog.records if "purge" in r.getMessage()]
    assert failures and all("refused by the test trigger" in m for m in failures), failures
    assert not any("database not reachable" in m for m in failures)
    assert all("gammal fråga" not in r.getMessage() for r in caplog.records)  # no resident text in the log
    # Once the database lets it, the next round deletes them.
    _run_hourly_loop(monkeypatch, rounds=1)
    assert _count("conversations", "id", "blocked") == 0


def test_health_shows_the_purge_s_last_success_and_when_it_is_stale(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _run_hourly_loop(monkeypatch, rounds=1)
    body = client.get("/health").json()
    job = body["jobs"]["retention_purge"]
    assert job["status"] == "ok"
    assert datetime.fromisoformat(job["last_success"]) > datetime.now(UTC) - timedelta(minutes=5)
    with _engine().begin() as conn:  # no success for three hours: stale, and the service is degraded
        conn.execute(
            text("UPDATE job_runs SET last_success_at = :t WHERE name = 'retention_purge'"),
            {"t": datetime.now(UTC) - timedelta(hours=3)},
        )
    body = client.get("/health").json()
    assert body["jobs"]["retention_purge"]["status"] == "stale"
    assert body["status"] == "degraded"
    _run_hourly_loop(monkeypatch, rounds=1)
    assert client.get("/health").json()["jobs"]["retention_purge"]["status"] == "ok"
