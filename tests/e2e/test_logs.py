"""Issue 13, points 4 and 15, on the real stack (scripts/run.sh, as `make run` starts it).

Residents write distinctive words and phone numbers, by web and by SMS; a resident opens the
event stream with a ticket (and an old client tries the bearer token in the URL); staff log in
and reply. Afterwards no log file (API, Rasa, action server) holds any of those words, numbers,
tokens, tickets, cookies or secrets, and every line starts with a timestamp. Rasa and the action
server listen on 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import time
import uuid
from pathlib import Path

import httpx

from tests.e2e.conftest import INTERNAL_TOKEN

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")
SMS_SECRET = "e2e-sms-secret"  # conftest.py


def _words() -> list[str]:
    """Words no log line of ours contains by chance, different on every run."""
    return [f"Zorbl{uuid.uuid4().hex[:8]}" for _ in range(5)]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_logs_hold_no_message_text_token_or_phone_number(stack: str, stack_env: dict[str, str]) -> None:
    words = _words()
    phones = ["070-987 65 43", "+46 73 456 78 21", "+46701239876", "070-222 33 44"]
    secrets: list[str] = [INTERNAL_TOKEN, SMS_SECRET]
    http = httpx.Client(base_url=stack, timeout=60)

    conv = http.post("/api/conversations", json={"channel": "web", "library": "solna", "locale": "sv"}).json()
    bearer = {"Authorization": f"Bearer {conv['token']}"}
    secrets.append(conv["token"])
    for text in (
        f"Hej! Jag heter {words[0]} och mitt nummer är {phones[0]}, hur lånar jag om?",
        f"My friend {words[1]} wants a library card, call me on {phones[1]}",
        "Jag vill prata med en bibliotekarie",
    ):
        sent = http.post(f"/api/conversations/{conv['id']}/messages", json={"text": text}, headers=bearer)
        assert sent.status_code == 200

    # When a caller gives up on Rasa (as the API does when Rasa is slow), Rasa logs the message it
    # was handling (its `rest.message.received.timeout` event): give up at once.
    rasa = f"http://127.0.0.1:{stack_env['RASA_PORT']}/webhooks/rest/webhook"
    with contextlib.suppress(httpx.TimeoutException):
        httpx.post(rasa, json={"sender": conv["id"], "message": f"Lånar jag om {words[4]}, {phones[3]}?"}, timeout=0.2)

    # The event stream: with a ticket; and an old client that still puts the bearer token in the URL.
    ticket = http.post(f"/api/conversations/{conv['id']}/events/ticket", headers=bearer).json()["ticket"]
    secrets.append(ticket)
    events = f"{stack}/api/conversations/{conv['id']}/events"
    with httpx.stream("GET", events, params={"ticket": ticket}, timeout=30) as resp:
        assert resp.status_code == 200
        lines = resp.iter_lines()
        assert "event: ready" in [next(lines) for _ in range(3)]
    assert httpx.get(events, params={"token": conv["token"]}, timeout=30).status_code == 401

    # Staff log in (session cookie, CSRF token) and reply with a distinctive word.
    staff = httpx.Client(base_url=stack, timeout=30)
    login = staff.post("/api/staff/login", json={"email": "demo@bibliotek.example", "password": "bibliotek-demo"})
    assert login.status_code == 200
    csrf = login.json()["csrf_token"]
    secrets += [csrf, *staff.cookies.values(), "bibliotek-demo"]
    queue = staff.get("/api/staff/tickets", params={"state": "waiting"}).json()["tickets"]
    tid = next(t["id"] for t in queue if t["conversation_id"] == conv["id"])
    for action, body in (("claim", None), ("reply", {"text": f"Hej {words[2]}, vi hjälper dig."})):
        assert staff.post(f"/api/staff/tickets/{tid}/{action}", json=body, headers={"X-CSRF-Token": csrf}).is_success

    # By SMS, with the webhook secret in the URL as 46elks sends it.
    sms = {"from": phones[2], "to": "+46766860001", "id": f"log-{uuid.uuid4().hex[:8]}"}
    sms["message"] = f"Hej, {words[3]} här. Hur skaffar jag lånekort?"
    assert httpx.post(f"{stack}/api/sms/46elks", params={"secret": SMS_SECRET}, data=sms, timeout=60).status_code == 200
    time.sleep(5)  # the outbox worker sends the reply; Rasa finishes the abandoned turn; logs are flushed

    logs = sorted(Path(stack_env["LOG_DIR"]).glob("*.log"))
    assert {p.name for p in logs} >= {"api.log", "rasa.log", "actions.log"}
    leaks, untimed = [], []
    for path in logs:
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if not line.strip():
                continue
            if not TIMESTAMP.match(line):
                untimed.append(f"{path.name}:{n}: {line[:160]}")
            found = [w for w in words + secrets if w in line]
            found += [p for p in phones if _digits(p)[-9:] in _digits(line)]
            if found:
                leaks.append(f"{path.name}:{n}: {found} in {line[:200]}")
    assert leaks == [], "\n".join(leaks[:20])
    assert untimed == [], f"{len(untimed)} lines without a timestamp:\n" + "\n".join(untimed[:20])
    assert sum(1 for p in logs for _ in p.read_text().splitlines()) > 10  # the processes did log


def _listening(port: int) -> list[str]:
    """Local addresses of the listening TCP sockets on `port` (from /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:
                found.append(address)
    return found


IPV4_LOOPBACK = "0100007F"  # 127.0.0.1, little-endian hex as /proc/net/tcp writes it


def _other_addresses() -> list[str]:
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, check=False).stdout.split()
    return [a for a in out if ":" not in a and not a.startswith("127.")]


def test_rasa_and_the_action_server_listen_on_loopback_only(stack: str, stack_env: dict[str, str]) -> None:
    for name in ("RASA_PORT", "ACTIONS_PORT"):
        port = int(stack_env[name])
        bound = _listening(port)
        assert bound, f"nothing listens on {name} {port}"
        assert set(bound) == {IPV4_LOOPBACK}, f"{name} {port} is bound to {bound}"
        for address in _other_addresses():  # and from another interface of this machine: refused
            with socket.socket() as s:
                s.settimeout(2)
                assert s.connect_ex((address, port)) != 0, f"{name} answers on {address}"
