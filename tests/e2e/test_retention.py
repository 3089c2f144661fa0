"""Issue 13, point 3 end to end: after a resident's "End and delete", and after the retention
purge, Rasa holds no event of that conversation (the real API, Rasa and action server)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from tests.e2e.conftest import STACK

ROOT = Path(__file__).resolve().parents[2]


def _rasa_events(conversation_id: str) -> int:
    resp = httpx.get(
        f"{STACK['RASA_URL']}/webhooks/internal/conversations/{conversation_id}",
        headers={"X-Internal-Token": STACK["INTERNAL_TOKEN"]},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    return int(resp.json()["events"])


def _chat(stack: str) -> dict[str, str]:
    conv = httpx.post(f"{stack}/api/conversations", json={"channel": "web", "locale": "sv"}).json()
    conv["headers"] = {"Authorization": f"Bearer {conv['token']}"}  # type: ignore[assignment]
    for said in ("hej hej!", "Hur lånar jag om mina böcker?"):
        resp = httpx.post(
            f"{stack}/api/conversations/{conv['id']}/messages", json={"text": said}, headers=conv["headers"], timeout=30
        )
        assert resp.status_code == 200
    assert _rasa_events(conv["id"]) > 0  # Rasa holds the conversation: the check can see it
    return conv


def _until_forgotten(conversation_id: str, seconds: float = 15) -> int:
    deadline = time.monotonic() + seconds
    while (events := _rasa_events(conversation_id)) and time.monotonic() < deadline:
        time.sleep(0.3)
    return events


def test_rasa_holds_no_event_after_the_resident_deletes(stack: str) -> None:
    conv = _chat(stack)
    other = _chat(stack)
    assert httpx.delete(f"{stack}/api/conversations/{conv['id']}", headers=conv["headers"]).status_code == 204
    assert _until_forgotten(conv["id"]) == 0
    assert _rasa_events(other["id"]) > 0  # only that conversation


def test_the_internal_channel_needs_the_token(stack: str) -> None:
    url = f"{STACK['RASA_URL']}/webhooks/internal/trackers/delete"
    assert httpx.post(url, json={"conversations": ["x"]}).status_code == 403
    assert httpx.post(url, json={"conversations": ["x"]}, headers={"X-Internal-Token": "guess"}).status_code == 403


def test_rasa_holds_no_event_after_the_retention_purge(stack: str) -> None:
    conv = _chat(stack)
    engine = create_engine(STACK["DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE conversations SET last_activity_at = '2020-01-01 00:00:00' WHERE id = :id"), {"id": conv["id"]}
        )
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": STACK["DATABASE_URL"], "RASA_URL": STACK["RASA_URL"]}
    env["INTERNAL_TOKEN"] = STACK["INTERNAL_TOKEN"]
    done = subprocess.run(
        [str(ROOT / ".venvs" / "api" / "bin" / "python"), "-m", "api.cli", "purge"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "deleted 1 expired conversations" in done.stdout
    assert _rasa_events(conv["id"]) == 0
    health = httpx.get(f"{stack}/health").json()["jobs"]["retention_purge"]
    assert health["status"] == "ok" and health["pending_tracker_deletions"] == 0
