"""Production refuses development secrets (issue 13, point 6).

Unless APP_ENV=development (as `make run` and the tests set), the API and `api.cli setup` stop
with one error that names every variable to set: a secret left at its public development default
(SMS_NUMBER_KEY), missing where it is needed (INTERNAL_TOKEN, random per process otherwise, so
several workers would disagree; the SMS provider's credentials), or too short to resist guessing;
and no demo accounts, whose password is published in the README.
"""

from __future__ import annotations

from api.settings import DEV_SMS_NUMBER_KEY, Settings

ENVIRONMENTS = ("development", "production")
MIN_SECRET_CHARS = 16


class InsecureSettings(RuntimeError):
    """The configuration is not fit for production."""


def _secret(found: list[str], name: str, value: str, why: str) -> None:
    if not value:
        found.append(f"{name} is not set ({why})")
    elif len(value) < MIN_SECRET_CHARS:
        found.append(f"{name} is shorter than {MIN_SECRET_CHARS} characters ({why})")


def _required(found: list[str], name: str, value: str, why: str) -> None:
    if not value:
        found.append(f"{name} is not set ({why})")


def problems(s: Settings) -> list[str]:
    """What keeps this configuration from running in production (nothing in development)."""
    if s.app_env not in ENVIRONMENTS:
        return [f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {s.app_env!r}"]
    if s.app_env == "development":
        return []
    found: list[str] = []
    _secret(
        found,
        "INTERNAL_TOKEN",
        s.internal_token if s.internal_token_set else "",
        "shared by the API, Rasa and the action server; every API process must use the same one",
    )
    _secret(
        found,
        "SMS_NUMBER_KEY",
        "" if s.sms_number_key == DEV_SMS_NUMBER_KEY else s.sms_number_key,
        "the development key is public: anyone could reverse the opt-out hashes of phone numbers",
    )
    if s.demo_accounts:
        found.append("DEMO_ACCOUNTS=1 creates staff accounts whose password is published")
    if s.sms_provider == "46elks":
        _secret(found, "SMS_WEBHOOK_SECRET", s.sms_webhook_secret, "authenticates 46elks' callbacks")
        _required(found, "ELKS_API_USERNAME", s.elks_username, "sends the texts")
        _secret(found, "ELKS_API_PASSWORD", s.elks_password, "sends the texts")
    elif s.sms_provider == "twilio":
        _required(found, "TWILIO_ACCOUNT_SID", s.twilio_account_sid, "sends the texts")
        _secret(found, "TWILIO_AUTH_TOKEN", s.twilio_auth_token, "sends the texts and checks Twilio's signatures")
    return found


def require_safe_settings(s: Settings) -> None:
    found = problems(s)
    if found:
        raise InsecureSettings(
            f"Refusing to start with APP_ENV={s.app_env} (production is the default):\n"
            + "".join(f"  - {p}\n" for p in found)
            + "Set these variables, or APP_ENV=development for a local run (make run does)."
        )
