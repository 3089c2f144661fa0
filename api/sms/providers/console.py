"""The local default: nothing leaves the machine. The text stays in the outbox (the desk shows
it); the log says only that it was "sent", to a masked number (no message text in logs)."""

from __future__ import annotations

import logging

from api.sms.phone import mask
from api.sms.providers.base import Outgoing, Sent

log = logging.getLogger("api.sms.console")


class ConsoleSender:
    name = "console"

    def send(self, sms: Outgoing) -> Sent:
        log.info("SMS %s to %s: %d characters (console: not sent)", sms.outbox_id, mask(sms.to), len(sms.text))
        return Sent(self.name, f"console-{sms.outbox_id}")
