"""Request and response bodies of the conversation API (the contract channels and evaluation use)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.input_rules import RequestBody
from api.settings import get_settings

MAX_CHARS = get_settings().max_message_chars


class NewConversation(RequestBody):
    model_config = ConfigDict(extra="forbid")
    channel: Literal["web"] = "web"
    library: str | None = Field(default=None, description="A library id from GET /api/libraries")
    locale: str | None = Field(default=None, description="The page's language code, the prior for detection")


class ConversationCreated(BaseModel):
    id: str
    token: str = Field(description="Send as `Authorization: Bearer <token>` on every resident call")


class ConversationSettings(RequestBody):
    model_config = ConfigDict(extra="forbid")
    language: str | None = Field(default=None, description="An explicit choice: sticks until changed")
    easy_read: bool | None = None


class ConversationOut(BaseModel):
    id: str
    channel: str
    library: str | None
    language: str | None
    language_locked: bool
    easy_read: bool
    state: str


class NewMessage(RequestBody):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CHARS, strict=True)]
    payload: Annotated[str, StringConstraints(max_length=120)] | None = Field(
        default=None, description="The payload of a quick-reply button the resident pressed"
    )
    client_id: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="Idempotency key: a retry with the same id is stored and answered once"
    )


class Button(BaseModel):
    title: str
    payload: str


class ReplyOut(BaseModel):
    id: int | None = Field(default=None, description="The stored message (rate it with .../messages/{id}/feedback)")
    text: str
    language: str
    kind: Literal["faq", "handoff", "smalltalk", "out_of_scope", "clarify", "staff", "system"]
    topic: str | None
    buttons: list[Button]


class Replies(BaseModel):
    messages: list[ReplyOut]


class TranscriptMessage(BaseModel):
    id: int
    sender: Literal["resident", "bot", "staff", "system"]
    text: str
    language: str | None
    kind: str | None
    topic: str | None
    buttons: list[Button]
    created_at: datetime
    event: str | None = Field(default=None, description="For a `system` message: the state change it records")
    feedback: str | None = Field(default=None, description="The resident's rating of an answer: up or down")


class Transcript(BaseModel):
    conversation: ConversationOut
    messages: list[TranscriptMessage]
