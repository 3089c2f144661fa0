"""Twilio: the Messages API, POST /2010-04-01/Accounts/{AccountSid}/Messages.json with Basic Auth
(Account SID and auth token), form fields To, From, Body, StatusCallback."""

from __future__ import annotations

from api.settings import get_settings
from api.sms.providers.base import Outgoing, PermanentFailure, Sent, TemporaryFailure, post


class TwilioSender:
    name = "twilio"

    def send(self, sms: Outgoing) -> Sent:
        s = get_settings()
        if not (s.twilio_account_sid and s.twilio_auth_token):
            raise PermanentFailure("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set")
        sender = sms.sender or s.sms_from
        if not sender:
            raise PermanentFailure("no sender number: set SMS_FROM")
        data = {
            "To": sms.to,
            "From": sender,
            "Body": sms.text,
            "StatusCallback": f"{s.public_base_url}/api/sms/twilio/status",
        }
        url = f"{s.twilio_api_url}/2010-04-01/Accounts/{s.twilio_account_sid}/Messages.json"
        resp = post(url, (s.twilio_account_sid, s.twilio_auth_token), data, s.sms_send_timeout_s)
        try:
            body = resp.json()
        except ValueError as exc:
            raise TemporaryFailure("Twilio answered without JSON") from exc
        if not isinstance(body, dict) or not body.get("sid"):
            raise PermanentFailure(f"Twilio did not accept the message: {str(body)[:120]}")
        return Sent(self.name, str(body["sid"]))
