"""Issue 13, point 3 (Rasa's side; bot venv): the tracker store Rasa is configured with
(bot/endpoints.yml) is bounded in trackers, idle time and events, and the internal channel
(bot/credentials.yml) deletes a conversation's every event, behind Rasa's wrappers and in
Rasa's SQL store too (where trackers are to move)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa.core.tracker_store import (
    AwaitableTrackerStore,
    FailSafeTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.empty()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def configured_store(**overrides: Any) -> TrackerStore:
    """The store bot/endpoints.yml configures, with smaller bounds for the test."""
    config = read_endpoint_config(str(ROOT / "bot" / "endpoints.yml"), "tracker_store")
    assert config is not None and config.type, "bot/endpoints.yml configures no tracker store (unbounded in memory)"
    for key in ("max_trackers", "max_idle_seconds", "max_events"):
        assert key in config.kwargs, f"endpoints.yml sets no {key}"
    config.kwargs.update(overrides)
    return TrackerStore.create(config, domain=DOMAIN)


def inner(store: TrackerStore) -> Any:
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store  # type: ignore[attr-defined]
    return store


def tracker(sender: str, turns: int = 1) -> DialogueStateTracker:
    t = DialogueStateTracker(sender, DOMAIN.slots)
    for n in range(turns):
        t.update(UserUttered(f"fråga {n}", {"name": "ask_question", "confidence": 1.0}))
        t.update(ActionExecuted("action_answer_faq"))
        t.update(BotUttered(f"svar {n}"))
        t.update(ActionExecuted("action_listen"))
    return t


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_the_configured_store_keeps_at_most_max_trackers() -> None:
    store = configured_store(max_trackers=3)
    for n in range(10):
        run(store.save(tracker(f"c{n}")))
    assert sorted(run(store.keys())) == ["c7", "c8", "c9"]
    assert run(store.retrieve("c0")) is None


def test_the_least_recently_active_goes_first() -> None:
    store = configured_store(max_trackers=2)
    run(store.save(tracker("a")))
    run(store.save(tracker("b")))
    run(store.save(tracker("a", turns=2)))  # a writes again
    run(store.save(tracker("c")))
    assert sorted(run(store.keys())) == ["a", "c"]


def test_idle_trackers_expire_even_when_nobody_writes() -> None:
    clock = Clock()
    store = configured_store(max_idle_seconds=600, clock=clock)
    run(store.save(tracker("old")))
    clock.now += 300
    run(store.save(tracker("new")))
    clock.now += 301  # old: 601 s idle, new: 301 s
    assert run(store.retrieve("old")) is None
    assert run(store.retrieve("new")) is not None
    clock.now += 600
    assert inner(store).sweep() == 1  # what the internal channel calls hourly, with no traffic at all
    assert list(run(store.keys())) == []


def test_a_tracker_keeps_at_most_max_events() -> None:
    store = configured_store(max_events=20)
    run(store.save(tracker("chatty", turns=100)))  # 400 events
    restored = run(store.retrieve_full_tracker("chatty"))
    assert 0 < len(restored.events) <= 20
    assert restored.events[-1] == ActionExecuted("action_listen")  # the latest turns are the ones kept
    assert restored.latest_bot_utterance.text == "svar 99"
    restored.update(UserUttered("en till", {"name": "greet", "confidence": 1.0}))
    run(store.save(restored))
    assert len(run(store.retrieve_full_tracker("chatty")).events) <= 20


def _delete(stores: TrackerStore, sender: str) -> int:
    from internal_channel import _stores, forget

    async def go() -> int:
        return sum([await forget(s, sender) for s in _stores(stores)])

    return run(go())


def test_forget_deletes_behind_rasas_wrappers_and_the_fail_safe_fallback() -> None:
    store = configured_store()
    wrapped = FailSafeTrackerStore(AwaitableTrackerStore(store))
    run(wrapped.save(tracker("gone", turns=3)))
    run(wrapped.save(tracker("kept")))
    run(wrapped.fallback_tracker_store.save(tracker("gone")))  # saved there while the primary failed
    assert _delete(wrapped, "gone") == 2
    assert run(wrapped.retrieve("gone")) is None
    assert run(wrapped.fallback_tracker_store.retrieve("gone")) is None
    assert run(wrapped.retrieve("kept")) is not None
    assert _delete(wrapped, "gone") == 0  # idempotent


def test_forget_deletes_every_session_from_rasas_sql_store(tmp_path: Path) -> None:
    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "trackers.db"))
    first = tracker("gone", turns=2)
    run(store.save(first))
    run(store.save(tracker("kept")))
    assert _delete(store, "gone") == 1
    assert run(store.retrieve_full_tracker("gone")) is None
    with store.session_scope() as session:
        left: list[str] = [e.sender_id for e in session.query(store.SQLEvent).all()]
    assert set(left) == {"kept"}


def test_the_internal_channel_takes_the_token_from_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.shared.utils.io
    from internal_channel import InternalChannel

    monkeypatch.setenv("INTERNAL_TOKEN", "s3cret-token")
    credentials = rasa.shared.utils.io.read_config_file(str(ROOT / "bot" / "credentials.yml"))
    channel = InternalChannel.from_credentials(credentials["internal_channel.InternalChannel"])
    assert channel.token == b"s3cret-token"

    class Req:
        def __init__(self, token: Any) -> None:
            self.headers = {} if token is None else {"X-Internal-Token": token}

    assert channel._allowed(Req("s3cret-token"))  # type: ignore[arg-type]
    assert not channel._allowed(Req(None))  # type: ignore[arg-type]
    assert not channel._allowed(Req("s3cret-tokem"))  # type: ignore[arg-type]
    assert not channel._allowed(Req("sëcret"))  # type: ignore[arg-type]
