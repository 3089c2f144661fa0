"""Issue 13, point 6: with a development default (or no value) for a secret, the API refuses to
start unless APP_ENV=development (as `make run` and the tests set)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRETS = (
    "INTERNAL_TOKEN",
    "SMS_NUMBER_KEY",
    "SMS_WEBHOOK_SECRET",
    "ELKS_API_USERNAME",
    "ELKS_API_PASSWORD",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SECRETS and k not in ("APP_ENV", "DEMO_ACCOUNTS")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'guard.db'}", RASA_URL="http://127.0.0.1:9", **extra)
    return env


def _start_api(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """uvicorn as production runs it; it must exit by itself (a running API is a failure)."""
    cmd = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", "0"]
    try:
        return subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=90, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("the API started in production with development secrets")


def test_production_refuses_to_start_without_its_secrets(tmp_path: Path) -> None:
    proc = _start_api(_env(tmp_path))  # APP_ENV unset: production is the default
    assert proc.returncode != 0
    assert "INTERNAL_TOKEN" in proc.stderr and "SMS_NUMBER_KEY" in proc.stderr
    assert "APP_ENV=development" in proc.stderr  # says how to run locally instead


def test_production_refuses_the_development_sms_key(tmp_path: Path) -> None:
    env = _env(tmp_path, APP_ENV="production", INTERNAL_TOKEN="x" * 32, SMS_NUMBER_KEY="dev-only-sms-number-key")
    proc = _start_api(env)
    assert proc.returncode != 0 and "SMS_NUMBER_KEY" in proc.stderr
    assert "INTERNAL_TOKEN is" not in proc.stderr  # it was set


def test_setup_refuses_too(tmp_path: Path) -> None:
    """The production image runs `api.cli setup` before uvicorn: it stops there already."""
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "setup"],
        env=_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode != 0 and "SMS_NUMBER_KEY" in proc.stderr


def _problems(monkeypatch: pytest.MonkeyPatch, **env: str) -> list[str]:
    for name in (*SECRETS, "APP_ENV", "DEMO_ACCOUNTS", "SMS_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from api.production_guard import problems
    from api.settings import Settings

    return problems(Settings())


GOOD = {"APP_ENV": "production", "INTERNAL_TOKEN": "i" * 32, "SMS_NUMBER_KEY": "k" * 32}


def test_what_production_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _problems(monkeypatch, **GOOD) == []
    assert _problems(monkeypatch, APP_ENV="development") == []  # make run: development defaults are fine
    assert any("INTERNAL_TOKEN" in p for p in _problems(monkeypatch, **{**GOOD, "INTERNAL_TOKEN": "short"}))
    assert any("DEMO_ACCOUNTS" in p for p in _problems(monkeypatch, **GOOD, DEMO_ACCOUNTS="1"))
    elks = _problems(monkeypatch, **GOOD, SMS_PROVIDER="46elks")
    needed = ("SMS_WEBHOOK_SECRET", "ELKS_API_USERNAME", "ELKS_API_PASSWORD")
    assert [n for n in needed if not any(n in p for p in elks)] == []
    twilio = _problems(monkeypatch, **GOOD, SMS_PROVIDER="twilio")
    assert any("TWILIO_AUTH_TOKEN" in p for p in twilio) and any("TWILIO_ACCOUNT_SID" in p for p in twilio)
    assert any("APP_ENV" in p for p in _problems(monkeypatch, **{**GOOD, "APP_ENV": "staging"}))
