"""The local default: nothing leaves the machine. The text stays in the outbox (the desk shows
it) and is written to the log with the number masked."""

from __future__ import annotations

import logging

from api.sms.phone import mask
from api.sms.providers.base import Outgoing, Sent

log = logging.getLogger("api.sms.console")


class ConsoleSender:
    name = "console"

    def send(self, sms: Outgoing) -> Sent:
        log.info("SMS to %s: %s", mask(sms.to), sms.text)
        return Sent(self.name, f"console-{sms.outbox_id}")
