"""Senders: one small interface, one module per provider, chosen by SMS_PROVIDER."""

from __future__ import annotations

from api.settings import get_settings
from api.sms.providers.base import Outgoing, PermanentFailure, Sender, Sent, TemporaryFailure


def get_sender() -> Sender:
    name = get_settings().sms_provider
    if name == "46elks":
        from api.sms.providers.elks import ElksSender

        return ElksSender()
    if name == "twilio":
        from api.sms.providers.twilio import TwilioSender

        return TwilioSender()
    if name == "console":
        from api.sms.providers.console import ConsoleSender

        return ConsoleSender()
    raise ValueError(f"SMS_PROVIDER must be console, 46elks or twilio, not {name!r}")


__all__ = ["Outgoing", "PermanentFailure", "Sender", "Sent", "TemporaryFailure", "get_sender"]
