"""End-to-end fixtures: one real stack (API, Rasa, action server, started by scripts/run.sh) for
the whole session, shared by the HTTP tests (test_stack.py) and the browser tests (test_browser.py)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Known here so tests/e2e/test_logs.py can check that it appears in no log line.
INTERNAL_TOKEN = f"e2e-internal-{secrets.token_urlsafe(12)}"
# What tests that talk to Rasa or the database directly need (tests/e2e/test_retention.py).
STACK: dict[str, str] = {"INTERNAL_TOKEN": INTERNAL_TOKEN}


@pytest.fixture(scope="session")
def stack_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The stack's environment: its own ports, database and LOG_DIR (var/log stays untouched)."""
    tmp = tmp_path_factory.mktemp("stack")
    ports = {"API_PORT": _free_port(), "RASA_PORT": _free_port(), "ACTIONS_PORT": _free_port()}
    env = {
        **{k: str(v) for k, v in ports.items()},
        "DATABASE_URL": f"sqlite:///{tmp / 'e2e.db'}",
        "READY_FILE": str(tmp / "ready"),
        "LOG_DIR": str(tmp / "log"),
        "INTERNAL_TOKEN": INTERNAL_TOKEN,
        # tests/e2e/test_sms.py texts Solna's number through the 46elks webhook.
        "SMS_WEBHOOK_SECRET": "e2e-sms-secret",
        "SMS_NUMBERS": "+46766860001=solna",
        # Every test's residents come from 127.0.0.1; in reality they are many addresses.
        "RATE_LIMIT_CONVERSATIONS": "100000/1min",
        "RATE_LIMIT_TICKETS": "100000/1min",
    }
    STACK.update(RASA_URL=f"http://127.0.0.1:{ports['RASA_PORT']}", DATABASE_URL=env["DATABASE_URL"])
    return env


@pytest.fixture(scope="session")
def stack(stack_env: dict[str, str]) -> Iterator[str]:
    tmp = Path(stack_env["LOG_DIR"]).parent
    env = {**os.environ, **stack_env}
    proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "run.sh")], env=env, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 900  # may include training the model on a fresh machine
        while not (tmp / "ready").exists():
            assert proc.poll() is None, f"run.sh exited with {proc.returncode}; logs in {tmp / 'log'}"
            assert time.monotonic() < deadline, "the stack did not become healthy"
            time.sleep(1)
        yield f"http://127.0.0.1:{stack_env['API_PORT']}"
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        for name in ("api", "rasa", "actions"):
            log = tmp / "log" / f"{name}.log"
            if log.exists():
                print(f"--- {name}.log (tail)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
