"""Bot-side tests (bot venv, like tests/actions): Rasa's run-time modules in bot/ are importable
as Rasa imports them (PYTHONPATH=bot), and bot/*.yml's ${...} variables are set."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"
if str(BOT) not in sys.path:
    sys.path.insert(0, str(BOT))


@pytest.fixture(autouse=True)
def bot_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("INTERNAL_TOKEN", "bot-test-token")
