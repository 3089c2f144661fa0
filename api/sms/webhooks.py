"""The providers' webhooks: inbound SMS and delivery reports.

Forged or unsigned: 403. Malformed: 400. Either way nothing is stored. When the message
cannot be handled right now (the database is briefly down, two deliveries of the same
message race) the answer is 5xx, so the provider sends it again; its retry is recognised by
its message id and gets no second reply.
"""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, HTTPException, Request, Response, status
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from api.db import session_scope
from api.input_rules import strip_controls
from api.settings import get_settings
from api.sms import auth
from api.sms.inbound import InboundSms, receive
from api.sms.outbox import record_status
from api.sms.phone import BadNumber, normalise

log = logging.getLogger("api.sms")
router = APIRouter(prefix="/api/sms", tags=["sms webhooks"])

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
RETRY_LATER = {"Retry-After": "30"}


def _enabled(provider: str) -> None:
    """The configured provider's webhooks; with the console provider (local runs) both."""
    if get_settings().sms_provider not in (provider, "console"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"The {provider} webhook is not enabled (SMS_PROVIDER)")


async def _form(request: Request) -> list[tuple[str, str]]:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Expected an application/x-www-form-urlencoded body")
    try:
        return parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "The form body is not valid UTF-8") from None


def _cleaned(params: list[tuple[str, str]]) -> dict[str, str]:
    """Control characters removed (NUL cannot be stored), not refused: a 4xx would make the
    provider drop the resident's message. After any signature check, which covers the raw values."""
    return {name: strip_controls(value) for name, value in params}


def _field(form: dict[str, str], name: str, max_len: int = 64) -> str:
    """A required field; ids are at most 56 characters so that `provider:id` fits a client id (64)."""
    value = form.get(name, "").strip()
    if not value or len(value) > max_len:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"Missing or invalid form field {name!r}")
    return value


async def _inbound(provider: str, provider_id: str, sender: str, to: str, text: str) -> None:
    try:
        sms = InboundSms(provider, provider_id, normalise(sender), normalise(to), text)
    except BadNumber as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    try:
        outcome = await run_in_threadpool(receive, sms)  # Rasa and the database: blocking calls
    except IntegrityError:  # the same message arrived twice at once: the other request has it
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "Being handled; send again later", headers=RETRY_LATER
        ) from None
    log.info("inbound SMS via %s: %s", provider, outcome)


def _status(provider: str, provider_id: str, state: str) -> None:
    with session_scope() as session:
        record_status(session, provider, provider_id, state)


def _twilio_url(request: Request) -> str:
    """The URL Twilio signed: the public one (behind a proxy the API sees another)."""
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{get_settings().public_base_url}{request.url.path}{query}"


@router.post("/46elks", status_code=status.HTTP_200_OK)
async def elks_inbound(
    request: Request, secret: str | None = None, authorization: Annotated[str | None, Header()] = None
) -> Response:
    """46elks' `sms_url` callback: form fields from, to, message, id, created. An empty 200
    (46elks would send a non-empty body back to the resident as a reply)."""
    _enabled("46elks")
    if not auth.elks_ok(secret, authorization):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Not a 46elks callback of ours")
    form = _cleaned(await _form(request))
    message = form.get("message")
    if message is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Missing form field 'message'")
    await _inbound("46elks", _field(form, "id", 56), _field(form, "from", 32), _field(form, "to", 32), message)
    return Response(status_code=status.HTTP_200_OK)


@router.post("/46elks/delivery")
async def elks_delivery(
    request: Request, secret: str | None = None, authorization: Annotated[str | None, Header()] = None
) -> Response:
    """46elks' `whendelivered` callback: form fields id, status (delivered | failed), delivered."""
    _enabled("46elks")
    if not auth.elks_ok(secret, authorization):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Not a 46elks callback of ours")
    form = _cleaned(await _form(request))
    await run_in_threadpool(_status, "46elks", _field(form, "id"), _field(form, "status", 20))
    return Response(status_code=status.HTTP_200_OK)


async def _signed_twilio_form(request: Request, signature: str | None) -> dict[str, str]:
    _enabled("twilio")
    is_form = request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
    params = await _form(request) if signature and is_form else []  # anything else cannot carry a valid signature
    if not auth.twilio_ok(signature, _twilio_url(request), params):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Missing or wrong X-Twilio-Signature")
    return _cleaned(params)


@router.post("/twilio")
async def twilio_inbound(request: Request, x_twilio_signature: Annotated[str | None, Header()] = None) -> Response:
    """Twilio's incoming-message webhook: From, To, Body, MessageSid, ... An empty TwiML
    response: replies go through the Messages API from the outbox."""
    form = await _signed_twilio_form(request, x_twilio_signature)
    body = form.get("Body")
    if body is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Missing form field 'Body'")
    await _inbound("twilio", _field(form, "MessageSid", 56), _field(form, "From", 32), _field(form, "To", 32), body)
    return Response(EMPTY_TWIML, media_type="text/xml")


@router.post("/twilio/status")
async def twilio_status(request: Request, x_twilio_signature: Annotated[str | None, Header()] = None) -> Response:
    """Twilio's StatusCallback: MessageSid, MessageStatus (queued, sent, delivered, undelivered, failed)."""
    form = await _signed_twilio_form(request, x_twilio_signature)
    await run_in_threadpool(_status, "twilio", _field(form, "MessageSid"), _field(form, "MessageStatus", 20))
    return Response(status_code=status.HTTP_200_OK)
