"""One logging configuration for the API, Rasa and the action server (issue 13, point 4).

No log line holds message text, a token or a phone number, and every line has a timestamp.
`deploy/logging.yml` (uvicorn's --log-config, Rasa's and the action server's
--logging-config-file) formats every record with an ISO-8601 UTC timestamp and puts
PrivacyFilter on the one handler. The filter:

- writes access log lines without query strings (tickets, 46elks' `?secret=`) and without the
  client's address (personal data we have no use for);
- blanks the fields in which Rasa's structured (JSON) log events carry what residents wrote;
- and, as a safety net for every message and traceback, replaces bearer tokens, `token=`-like
  pairs, the configured secrets themselves and anything that looks like a phone number.

Message text is kept out at the source (no log call of ours passes it); the filter cannot
recognise free text, only the shapes above. Standard library only: the bot side (Python 3.10,
without the API's packages) imports this module too.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from typing import Any

REMOVED = "[removed]"
# Environment variables whose values must never appear in a log line.
SECRET_VARIABLES = (
    "INTERNAL_TOKEN",
    "SMS_NUMBER_KEY",
    "SMS_WEBHOOK_SECRET",
    "ELKS_API_PASSWORD",
    "TWILIO_AUTH_TOKEN",
    "POSTGRES_PASSWORD",
)
# Keys of Rasa's structured log events (rasa/utils/log_utils.py: its own anonymiser's list) and
# ours that hold what a resident wrote or what the bot answered.
TEXT_KEYS = frozenset(
    {
        "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
        "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
        "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
        "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
        "json_message", "latest_message", "tracker", "events", "body", "metadata",
    }
)  # fmt: skip

_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_PAIR = re.compile(
    r"(?i)\b((?:x-internal-)?token|ticket|secret|password|passwd|authorization|api[_-]?key|csrf[_-]?token|"
    r"bh_staff|session|cookie)([\"']?\s*[:=]\s*[\"']?)([^\s&\"',;}]+)"
)
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@")
# Phone numbers: international (+46 70..., 0046...), national (070-123 45 67, 08-123 456 78), and
# any unbroken run of 9 to 15 digits (personal ID numbers too). Not dates, times or version numbers.
_PHONE = re.compile(
    r"(?<![\w+.])(?:\+|00)\d(?:[\s().-]{0,2}\d){6,14}(?!\w)"
    r"|(?<![\w.])0\d(?:[\s().-]{0,2}\d){6,12}(?!\w)"
    r"|(?<![\w.])\d{9,15}(?!\w)"
)


def _secrets() -> list[str]:
    return [v for v in (os.environ.get(name, "") for name in SECRET_VARIABLES) if len(v) >= 6]


def scrub(text: str) -> str:
    """The safety net: tokens, secrets and phone-number-like digit runs out of a log text."""
    for secret in _secrets():
        text = text.replace(secret, REMOVED)
    text = _URL_CREDENTIALS.sub(lambda m: m.group(1) + REMOVED + "@", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REMOVED}", text)
    text = _PAIR.sub(lambda m: m.group(1) + m.group(2) + REMOVED, text)
    return _PHONE.sub("[phone]", text)


def _blank_text_fields(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (REMOVED if k in TEXT_KEYS else _blank_text_fields(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank_text_fields(v) for v in value]
    return value


def _structured(message: str) -> str:
    """Rasa logs structured events as one JSON object per line (when not on a terminal)."""
    if not message.startswith("{"):
        return message
    try:
        event = json.loads(message)
    except ValueError:
        return message
    return json.dumps(_blank_text_fields(event), ensure_ascii=False) if isinstance(event, dict) else message


class PrivacyFilter(logging.Filter):
    """Rewrites each record in place (never drops one): see the module's docstring."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            _client, method, path, version, status = record.args
            record.args = ("-", method, str(path).split("?", 1)[0], version, status)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the line
            message = str(record.msg)
        record.msg, record.args = scrub(_structured(message)), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class UtcFormatter(logging.Formatter):
    """ISO-8601 timestamps in UTC with milliseconds (2026-12-07T01:02:03.456Z), on every line: a
    traceback's lines carry their record's timestamp too, so no line stands without one."""

    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created)) + f".{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if "\n" not in text:
            return text
        stamp = self.formatTime(record) + " | "
        first, *rest = text.splitlines()
        return "\n".join([first, *(stamp + line for line in rest)])


_STAMPED = re.compile(r"^\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")


def stamp_lines() -> None:
    """`python -m api.logging_setup < output > file`: the last line of defence for what a process
    writes outside its logging (import-time warnings, native libraries' output, a crash): a UTC
    timestamp on every line that has none, and the same scrubbing. scripts/run.sh pipes Rasa, the
    action server and the API through it. Ctrl-C is ignored: it ends when the process it reads does."""
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not _STAMPED.match(line):
            now = time.time()
            line = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z | " + line
        sys.stdout.write(scrub(line) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    stamp_lines()
