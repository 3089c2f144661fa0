"""Issue 13, point 3 (the API's side): deleting or purging a conversation deletes its Rasa
tracker, and a deletion Rasa cannot take now (it is down) is retried until it can. A fake
Rasa records what it is asked; the bot's side is tested in tests/bot/, the whole in tests/e2e/."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.api.test_retention import _run_hourly_loop

DELETE_PATH = "/webhooks/internal/trackers/delete"


class FakeRasa:
    def __init__(self) -> None:
        self.up = True
        self.deleted: list[str] = []
        self.tokens: list[str | None] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not fake.up or self.path != DELETE_PATH:
                    self.send_response(503 if not fake.up else 404)
                    self.end_headers()
                    return
                fake.tokens.append(self.headers.get("X-Internal-Token"))
                fake.deleted.extend(json.loads(body)["conversations"])
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"deleted": 0}')

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def rasa(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRasa]:
    from api.conversations import rasa_client

    fake = FakeRasa()
    client = httpx.Client(base_url=fake.url, timeout=5)
    monkeypatch.setattr(rasa_client, "_sync_client", lambda: client)
    yield fake
    fake.server.shutdown()
    client.close()


def _delete(client, conv) -> None:  # type: ignore[no-untyped-def]
    assert client.delete(f"/api/conversations/{conv['id']}", headers=conv["headers"]).status_code == 204


def _say(client, conv) -> None:  # type: ignore[no-untyped-def]
    client.post(f"/api/conversations/{conv['id']}/messages", json={"text": "hej"}, headers=conv["headers"])


def _queued() -> list[str]:
    from api.db import get_engine

    with get_engine().connect() as conn:
        return list(conn.execute(text("SELECT conversation_id FROM tracker_deletions")).scalars())


def test_a_residents_delete_deletes_the_rasa_tracker(client, conversation, rasa) -> None:  # type: ignore[no-untyped-def]
    _say(client, conversation)
    _delete(client, conversation)
    assert rasa.deleted == [conversation["id"]]
    assert rasa.tokens == ["test-internal-token"]  # the internal token, in a header
    assert conversation["id"] not in _queued()


def test_a_delete_while_rasa_is_down_is_retried_later(client, conversation, rasa, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _say(client, conversation)
    rasa.up = False
    _delete(client, conversation)
    assert rasa.deleted == []
    assert conversation["id"] in _queued()
    _run_hourly_loop(monkeypatch, rounds=1)  # still down: kept
    assert conversation["id"] in _queued()
    rasa.up = True
    _run_hourly_loop(monkeypatch, rounds=1)
    assert conversation["id"] in rasa.deleted
    assert conversation["id"] not in _queued()


def test_the_purge_deletes_expired_conversations_trackers(client, conversation, rasa, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from api.db import get_engine

    _say(client, conversation)
    with get_engine().begin() as conn:
        conn.execute(
            text("UPDATE conversations SET last_activity_at = :t WHERE id = :id"),
            {"t": "2020-01-01 00:00:00", "id": conversation["id"]},
        )
    _run_hourly_loop(monkeypatch, rounds=1)
    assert conversation["id"] in rasa.deleted
    assert conversation["id"] not in _queued()
