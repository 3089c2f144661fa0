"""The three real processes of the chaos test (API, Rasa, action server), started, killed with
SIGKILL and restarted by the test itself, with the same commands and environment as scripts/run.sh;
and a small counting proxy between the API and Rasa that records what Rasa itself answered (so the
figures can tell Rasa's answers from the API's FAQ fallback without asking the API)."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[2]
VENVS = ROOT / ".venvs"
_RUNNING: set[Service] = set()  # killed at exit too, should a teardown itself be interrupted


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def model_path() -> Path:
    """The trained model scripts/run.sh would use: named after the fingerprint of its inputs."""
    fp = subprocess.run(
        ["bash", "-c", "source scripts/lib.sh && model_fingerprint"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.strip()
    return ROOT / "models" / f"bibliotekshjalpen-{fp}.tar.gz"


@dataclass
class Ports:
    api: int = field(default_factory=free_port)
    rasa: int = field(default_factory=free_port)
    actions: int = field(default_factory=free_port)
    proxy: int = field(default_factory=free_port)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api}"


@dataclass(eq=False)
class Service:
    """One process the test owns: started in its own process group, so kill -9 takes all of it."""

    name: str
    argv: list[str]
    env: dict[str, str]
    health_url: str
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        self._log.write(f"\n=== start {self.starts + 1} at {time.strftime('%H:%M:%S')} ===\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.starts += 1
        _RUNNING.add(self)

    def kill(self) -> None:
        """SIGKILL to the process group: no clean shutdown, as a crash or an OOM kill."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(30)
        _RUNNING.discard(self)
        if self._log is not None:
            self._log.close()
            self._log = None

    def healthy(self) -> bool:
        try:  # generous: /health itself asks Rasa and the action server (2 s each) on a busy machine
            resp = httpx.get(self.health_url, timeout=10.0)
        except httpx.HTTPError:
            return False
        if self.name == "api":  # the API itself and its database; Rasa may legitimately be down
            return resp.status_code == 200 and resp.json().get("database") == "ok"
        return resp.status_code == 200

    def wait_healthy(self, timeout: float) -> float:
        """Seconds until healthy; fails when the process exits or the time runs out."""
        start = time.monotonic()
        while not self.healthy():
            assert self.proc is not None and self.proc.poll() is None, f"{self.name} exited: {self.tail()}"
            assert time.monotonic() - start < timeout, f"{self.name} not healthy in {timeout:.0f} s: {self.tail()}"
            time.sleep(0.2)
        return time.monotonic() - start

    def tail(self, lines: int = 25) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@atexit.register
def _kill_leftovers() -> None:
    for svc in list(_RUNNING):
        svc.kill()


def services(ports: Ports, model: Path, log_dir: Path, database_url: str, internal_token: str) -> dict[str, Service]:
    """The three processes, with the commands of scripts/run.sh; the API reaches Rasa through the proxy."""
    base = {
        **os.environ,
        "API_URL": ports.api_url,
        "RASA_URL": f"http://127.0.0.1:{ports.proxy}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{ports.actions}",
        "INTERNAL_TOKEN": internal_token,
        "API_PORT": str(ports.api),
        "APP_ENV": "development",  # test secrets (api/production_guard.py)
        # Every scripted resident comes from 127.0.0.1 and writes faster than a person.
        "RATE_LIMIT_CONVERSATIONS": "100000/1min",
        "RATE_LIMIT_MESSAGES": "100000/1min",
        "DEMO_ACCOUNTS": "0",
        "SMS_OUTBOX_POLL_SECONDS": "0",
    }
    rasa_bin = str(VENVS / "bot" / "bin" / "rasa")
    return {
        "api": Service(
            "api",
            [str(VENVS / "api" / "bin" / "uvicorn"), "api.main:app", "--host", "127.0.0.1", "--port", str(ports.api)],
            {**base, "DATABASE_URL": database_url},
            f"{ports.api_url}/health",
            log_dir / "api.log",
        ),
        "rasa": Service(
            "rasa",
            [
                rasa_bin,
                "run",
                "--model",
                str(model),
                "--port",
                str(ports.rasa),
                "--interface",
                "127.0.0.1",
                "--endpoints",
                "bot/endpoints.yml",
                "--credentials",
                "bot/credentials.yml",
            ],
            {**base, "PYTHONPATH": str(ROOT / "bot")},
            f"http://127.0.0.1:{ports.rasa}/",
            log_dir / "rasa.log",
        ),
        "actions": Service(
            "actions",
            [rasa_bin, "run", "actions", "--actions", "actions", "--port", str(ports.actions)],
            base,
            f"http://127.0.0.1:{ports.actions}/health",
            log_dir / "actions.log",
        ),
    }


class RasaProxy:
    """Forwards the API's calls to Rasa and records, per (conversation, message), the reply texts
    Rasa itself returned. When Rasa is down the proxy answers 502, as a refused connection would
    make the API fall back to the FAQ."""

    def __init__(self, listen_port: int, rasa_port: int) -> None:
        self.answers: dict[tuple[str, str], list[tuple[str, ...]]] = defaultdict(list)
        # Rasa's webhook calls: answered, refused while Rasa was down (502), or answered after the
        # API had stopped waiting (its RASA_TIMEOUT_S) and fallen back to the FAQ.
        self.calls = {"answered": 0, "rasa_down": 0, "too_late": 0}
        self.last_error = ""
        self._lock = threading.Lock()
        upstream = f"http://127.0.0.1:{rasa_port}"
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    resp = httpx.request(
                        self.command,
                        upstream + self.path,
                        content=body,
                        headers={"Content-Type": self.headers.get("Content-Type", "application/json")},
                        timeout=60,
                    )
                    status, content = resp.status_code, resp.content
                except httpx.HTTPError as exc:
                    status, content = 502, b'{"error": "rasa unreachable"}'
                    proxy.last_error = repr(exc)[:200]
                webhook = self.path.startswith("/webhooks/rest/webhook")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                    self.wfile.flush()
                except OSError:  # the API gave up waiting and closed the connection
                    if webhook:
                        proxy._count("too_late")
                    self.close_connection = True
                    return
                if webhook and status == 200:
                    proxy._record(body, content)
                elif webhook:
                    proxy._count("rasa_down")

            do_GET = do_POST = _forward

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the test prints its own figures

        self.server = ThreadingHTTPServer(("127.0.0.1", listen_port), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _count(self, what: str) -> None:
        with self._lock:
            self.calls[what] += 1

    def _record(self, request: bytes, response: bytes) -> None:
        self._count("answered")
        try:
            sent = json.loads(request)
            items = json.loads(response)
        except ValueError:
            return
        texts = tuple(
            str((i.get("custom") or {}).get("text") or i.get("text") or "") for i in items if isinstance(i, dict)
        )
        if texts:
            with self._lock:
                self.answers[(str(sent.get("sender")), str(sent.get("message")))].append(texts)

    def answered_by_rasa(self, conversation_id: str, message: str, stored: list[str]) -> bool:
        """Whether these stored replies are what Rasa answered to the message (a notice the API
        puts before the first reply, e.g. for an unsupported language, is allowed)."""
        with self._lock:
            seen = list(self.answers.get((conversation_id, message), []))
        return any(
            len(texts) == len(stored) and all(s.endswith(t) for s, t in zip(stored, texts, strict=True))
            for texts in seen
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
