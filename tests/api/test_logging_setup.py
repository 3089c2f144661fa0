"""Issue 13, point 4, in one process: deploy/logging.yml with api/logging_setup.py writes every
line with a timestamp and without tokens, secrets, phone numbers, client addresses or the text
fields of Rasa's structured events. (tests/e2e/test_logs.py checks the three real processes.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z ")

SCRIPT = r"""
import json, logging, logging.config, yaml
logging.config.dictConfig(yaml.safe_load(open("deploy/logging.yml")))
access, line = logging.getLogger("uvicorn.access"), '%s - "%s %s HTTP/%s" %d'
access.info(line, "192.0.2.7:5123", "GET", "/api/conversations/c1/events?ticket=TICKET123&after=4", "1.1", 200)
access.info(line, "192.0.2.7:5123", "POST", "/api/sms/46elks?secret=hemligt-webhook", "1.1", 200)
log = logging.getLogger("api.test")
log.warning("headers: Authorization: Bearer abcDEF123456, X-Internal-Token: %s", "internal-secret-value")
log.info("rasa said %s", "call me on +46 70 123 45 67 or 070-765 43 21")
logging.getLogger("rasa.core.channels.rest").error(json.dumps(
    {"text": "Hemligt meddelande", "event": "rest.message.received.failure", "level": "error",
     "tracker": {"latest_message": {"text": "mer text"}}}))
try:
    raise ValueError("could not reach +46701234567 with token=abc123")
except ValueError:
    log.exception("failed")
"""


def test_the_logging_configuration_scrubs_and_timestamps() -> None:
    env = {**os.environ, "INTERNAL_TOKEN": "internal-secret-value", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    out = proc.stderr
    for secret in (
        "TICKET123", "hemligt-webhook", "abcDEF123456", "internal-secret-value", "192.0.2.7",
        "Hemligt meddelande", "mer text", "123 45 67", "765 43 21", "701234567", "abc123",
    ):  # fmt: skip
        assert secret not in out, (secret, out)
    lines = out.splitlines()
    assert '- - "GET /api/conversations/c1/events HTTP/1.1" 200' in lines[0]
    assert '"POST /api/sms/46elks HTTP/1.1" 200' in lines[1]
    structured = json.loads(lines[4].split(": ", 1)[1])
    assert structured["event"] == "rest.message.received.failure" and structured["text"] == "[removed]"
    # Every line has a timestamp, a traceback's lines too.
    assert len(lines) > 6 and all(TIMESTAMP.match(line) for line in lines), out
    assert any("Traceback" in line for line in lines)


def test_what_a_process_writes_outside_its_logging_gets_a_timestamp_and_is_scrubbed() -> None:
    raw = "DeprecationWarning: something\n2026-12-07T01:00:00.000Z INFO x: ok\nTraceback: token=abc123 +46701234567\n"
    proc = subprocess.run(
        [sys.executable, "-m", "api.logging_setup"], input=raw, cwd=ROOT, capture_output=True, text=True, check=True
    )
    lines = proc.stdout.splitlines()
    assert len(lines) == 3 and all(TIMESTAMP.match(line) for line in lines)
    assert lines[1] == "2026-12-07T01:00:00.000Z INFO x: ok"  # already stamped: left as it is
    assert "abc123" not in proc.stdout and "701234567" not in proc.stdout
