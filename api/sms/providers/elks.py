"""46elks: POST /a1/sms with Basic Auth (API username and password), form fields from, to,
message and whendelivered (our delivery-report webhook). https://46elks.com/docs/send-sms"""

from __future__ import annotations

from urllib.parse import urlencode

from api.settings import get_settings
from api.sms.providers.base import Outgoing, PermanentFailure, Sent, TemporaryFailure, post


class ElksSender:
    name = "46elks"

    def send(self, sms: Outgoing) -> Sent:
        s = get_settings()
        if not (s.elks_username and s.elks_password):
            raise PermanentFailure("ELKS_API_USERNAME and ELKS_API_PASSWORD are not set")
        sender = sms.sender or s.sms_from
        if not sender:
            raise PermanentFailure("no sender number: set SMS_FROM")
        data = {"from": sender, "to": sms.to, "message": sms.text}
        if s.sms_webhook_secret:
            query = urlencode({"secret": s.sms_webhook_secret})
            data["whendelivered"] = f"{s.public_base_url}/api/sms/46elks/delivery?{query}"
        resp = post(f"{s.elks_api_url}/a1/sms", (s.elks_username, s.elks_password), data, s.sms_send_timeout_s)
        try:
            body = resp.json()
        except ValueError as exc:
            raise TemporaryFailure("46elks answered without JSON") from exc
        if not isinstance(body, dict) or not body.get("id") or body.get("status") == "failed":
            raise PermanentFailure(f"46elks did not accept the message: {str(body)[:120]}")
        return Sent(self.name, str(body["id"]))
