"""Endpoints for the bot side only (the action server and Rasa's NLG calls), behind a shared secret."""

from __future__ import annotations

import hmac
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, status
from pydantic import Field
from sqlalchemy.orm import Session

from api.conversations.answering import respond, small_talk
from api.conversations.models import Conversation
from api.conversations.routes import SessionDep
from api.conversations.service import last_resident_language
from api.input_rules import RequestBody
from api.language.registry import is_supported
from api.settings import get_settings

# Not in /docs: only our own bot side calls these (issue 13, point 15; api/openapi_doc.py).
router = APIRouter(prefix="/internal", tags=["internal (bot side)"])


def check_internal_token(x_internal_token: Annotated[str | None, Header()] = None) -> None:
    """Only from the header: a token in a URL ends up in access logs."""
    # Bytes, not str: compare_digest refuses non-ASCII str, and any header value may arrive.
    supplied = (x_internal_token or "").encode("utf-8", "surrogatepass")
    if not hmac.compare_digest(supplied, get_settings().internal_token.encode("utf-8", "surrogatepass")):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Internal endpoint: wrong or missing internal token")


Internal = Depends(check_internal_token)


class BotTurn(RequestBody):
    conversation_id: str
    action: Literal["answer_faq", "out_of_scope", "request_human", "choose_language"]
    text: str = ""
    intent: str | None = None
    confidence: float | None = None


def _conversation(session: Session, conversation_id: str) -> Conversation:
    conv = session.get(Conversation, conversation_id)
    if conv is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Unknown conversation")
    return conv


@router.post("/bot/respond", dependencies=[Internal])
def bot_respond(body: BotTurn, session: SessionDep) -> dict[str, Any]:
    conv = _conversation(session, body.conversation_id)
    intent, action = body.intent, body.action
    written_in = last_resident_language(session, conv)
    if action == "out_of_scope" and written_in is not None and not is_supported(written_in):
        # NLU was trained on our languages only: for German or French, let the FAQ decide.
        intent, action = None, "answer_faq"
    replies = respond(session, conv, action, body.text, intent, body.confidence)
    session.commit()  # a language choice must be visible to the turn that is waiting for this reply
    return {"messages": [r.to_dict() for r in replies]}


# Rasa response names -> the intent they answer, also the key of their bot text (in the database,
# per language).
NLG_RESPONSES: dict[str, str] = {"utter_greet": "greet", "utter_thanks": "thanks", "utter_goodbye": "goodbye"}


class NlgRequest(RequestBody):
    response: str
    tracker: dict[str, Any] = Field(default_factory=dict)


@router.post("/nlg", dependencies=[Internal])
def nlg(body: NlgRequest, session: SessionDep) -> dict[str, Any]:
    """Rasa's NLG endpoint: the assistant's texts are served at run time, in the resident's language."""
    if body.response not in NLG_RESPONSES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No text for response {body.response!r}")
    conv = _conversation(session, str(body.tracker.get("sender_id", "")))
    said = str((body.tracker.get("latest_message") or {}).get("text") or "")
    reply = small_talk(session, conv, NLG_RESPONSES[body.response], said)
    session.commit()
    # An empty `text` makes the REST channel send only the `custom` payload, our full reply.
    return {"text": "", "custom": reply.to_dict()}
