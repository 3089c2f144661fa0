"""Is a webhook call really from the provider?

46elks signs nothing: its callback URL carries our secret (`?secret=`), or the URL's user
info does and arrives as Basic Auth. Twilio signs: X-Twilio-Signature is the Base64 HMAC-SHA1,
keyed with the auth token, of the full public URL followed by every POST parameter's name and
value, sorted by name. Implemented here (a few lines) rather than by the twilio package, which
the tests use to sign their requests as Twilio does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from api.settings import get_settings


def elks_ok(query_secret: str | None, authorization: str | None) -> bool:
    secret = get_settings().sms_webhook_secret
    if not secret:  # not configured: nothing can be authentic
        return False
    candidates = [query_secret or ""]
    if authorization and authorization.lower().startswith("basic "):
        try:
            user_pass = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        candidates.append(user_pass.partition(":")[2])
    return any(hmac.compare_digest(c.encode(), secret.encode()) for c in candidates if c)


def twilio_signature(token: str, url: str, params: list[tuple[str, str]]) -> str:
    payload = url
    for name in sorted({k for k, _ in params}):
        for value in sorted({v for k, v in params if k == name}):
            payload += name + value
    digest = hmac.new(token.encode(), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_ok(signature: str | None, url: str, params: list[tuple[str, str]]) -> bool:
    token = get_settings().twilio_auth_token
    if not token or not signature:
        return False
    return hmac.compare_digest(twilio_signature(token, url, params).encode(), signature.encode())
