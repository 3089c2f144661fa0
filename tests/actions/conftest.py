from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real API as a process on a fresh SQLite database."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('api') / 'a.db'}",
        "INTERNAL_TOKEN": "actions-test-token",
        "APP_ENV": "development",
        "RASA_URL": "http://127.0.0.1:9",
        "PYTHONPATH": str(ROOT),
    }
    api_py = str(ROOT / ".venvs" / "api" / "bin" / "python")
    subprocess.run([api_py, "-m", "api.cli", "setup"], env=env, cwd=ROOT, check=True, capture_output=True)
    proc = subprocess.Popen(
        [api_py, "-m", "uvicorn", "api.main:app", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/api/languages", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("API did not start")
        os.environ["INTERNAL_TOKEN"] = "actions-test-token"
        import actions.api_client

        actions.api_client.API_URL = url
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
