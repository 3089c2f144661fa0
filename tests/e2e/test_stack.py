"""End to end: the quick-start script starts the three real processes (API, Rasa with the
trained model, action server); residents ask over HTTP and get the right topics."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scripts.eval import evaluate, load, report

ROOT = Path(__file__).resolve().parents[2]
DEVSET = ROOT / "tests" / "devset"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("stack")
    ports = {"API_PORT": _free_port(), "RASA_PORT": _free_port(), "ACTIONS_PORT": _free_port()}
    env = {
        **os.environ,
        **{k: str(v) for k, v in ports.items()},
        "DATABASE_URL": f"sqlite:///{tmp / 'e2e.db'}",
        "READY_FILE": str(tmp / "ready"),
        "LOG_DIR": str(tmp / "log"),
    }
    proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "run.sh")], env=env, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 900  # may include training the model on a fresh machine
        while not (tmp / "ready").exists():
            assert proc.poll() is None, f"run.sh exited with {proc.returncode}; logs in {tmp / 'log'}"
            assert time.monotonic() < deadline, "the stack did not become healthy"
            time.sleep(1)
        yield f"http://127.0.0.1:{ports['API_PORT']}"
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


def test_health_reports_all_parts_up(stack: str) -> None:
    assert httpx.get(f"{stack}/health").json() == {
        "status": "ok",
        "api": "ok",
        "database": "ok",
        "rasa": "ok",
        "action_server": "ok",
    }


def _ask(url: str, text: str) -> dict:  # type: ignore[type-arg]
    conv = httpx.post(f"{url}/api/conversations", json={"channel": "web"}).json()
    resp = httpx.post(
        f"{url}/api/conversations/{conv['id']}/messages",
        json={"text": text},
        headers={"Authorization": f"Bearer {conv['token']}"},
        timeout=30,
    )
    assert resp.status_code == 200
    return resp.json()["messages"][0]


def test_rasa_understands_small_talk_and_off_topic(stack: str) -> None:
    # Only Rasa's NLU produces these kinds: the API alone would answer from the FAQ.
    assert _ask(stack, "hej hej!")["kind"] == "smalltalk"
    assert _ask(stack, "Thank you so much!")["kind"] == "smalltalk"
    assert _ask(stack, "Vem vann fotbolls-VM 2018?")["kind"] == "out_of_scope"
    handoff = _ask(stack, "I want to talk to a librarian")
    assert handoff["kind"] == "handoff" and handoff["language"] == "en"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_dev_set_questions_get_the_right_topic(stack: str, lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [r for r in load([str(DEVSET / f"{lang}.jsonl")]) if r["expect"].startswith("topic:")]
    results = evaluate(stack, rows)
    with capsys.disabled():
        summary = report(results)
    right = sum(r.ok for r in results)
    assert right >= 20, f"{right}/{len(rows)} {lang} questions got the right topic"
    assert summary["all"]["language_accuracy"] >= 0.95
    print(json.dumps(summary))
