"""Request and response bodies of the staff API and the resident's handoff endpoints."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from api.conversations.schemas import ConversationOut, TranscriptMessage
from api.input_rules import DbInt, RequestBody

StaffText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, strict=True)]
Role = Literal["staff", "coordinator", "admin"]
TicketState = Literal["waiting", "with_staff", "resolved", "closed"]


class Login(RequestBody):
    model_config = ConfigDict(extra="forbid")
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class StaffOut(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    library: str
    languages: list[str]
    active: bool


class LoginOut(BaseModel):
    staff: StaffOut
    csrf_token: str = Field(description="Send as the X-CSRF-Token header on every state-changing staff call")
    expires_at: datetime


class Person(BaseModel):
    id: int
    name: str
    library: str


class Colleague(Person):
    languages: list[str]
    online: bool


class NewStaff(RequestBody):
    model_config = ConfigDict(extra="forbid")
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    password: Annotated[str, StringConstraints(min_length=10, max_length=1000)]
    role: Role = "staff"
    library: str
    languages: list[str] = Field(default_factory=list)


class StaffUpdate(RequestBody):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)] | None = None
    password: Annotated[str, StringConstraints(min_length=10, max_length=1000)] | None = None
    role: Role | None = None
    library: str | None = None
    languages: list[str] | None = None
    active: bool | None = None


class UserOut(StaffOut):
    last_seen_at: datetime | None
    created_at: datetime


class TicketOut(BaseModel):
    id: int
    conversation_id: str
    state: TicketState
    library: str | None = Field(description="The resident's library")
    transferred_to: str | None = Field(description="The library the ticket was transferred to, if any")
    responsible_library: str | None = Field(description="transferred_to, else library: what the library filter uses")
    language: str
    channel: str
    topic: str | None = Field(description="The last FAQ topic of the conversation")
    created_at: datetime
    queued_at: datetime = Field(description="When it entered the queue (again); the age counts from here")
    claimed_at: datetime | None
    resolved_at: datetime | None
    age_seconds: int
    assignee: Person | None
    has_contact: bool = Field(description="The resident left an e-mail address or phone number")
    phone: str | None = Field(default=None, description="An SMS resident's number, masked (+46 70 ••• •• 67)")
    speaks_language: bool = Field(description="The ticket's language is one of the caller's languages: highlight")


class TicketList(BaseModel):
    tickets: list[TicketOut]


class NoteOut(BaseModel):
    id: int
    ticket_id: int
    author: Person | None
    text: str
    created_at: datetime


class TicketDetail(BaseModel):
    ticket: TicketOut
    conversation: ConversationOut
    messages: list[TranscriptMessage] = Field(description="The whole transcript, the bot's part included")
    notes: list[NoteOut] = Field(description="Internal notes: never shown to the resident")
    contact: str | None = Field(description="The resident's contact details: only for the staff member handling it")
    phone: str | None = Field(
        default=None, description="An SMS resident's number: in full for the staff member handling it, else masked"
    )


class StaffMessage(RequestBody):
    model_config = ConfigDict(extra="forbid")
    text: StaffText


class Transfer(RequestBody):
    model_config = ConfigDict(extra="forbid")
    library: str | None = Field(default=None, description="Back in the queue for this library")
    staff_id: DbInt | None = Field(default=None, description="Assigned to this colleague")


class Suggestion(BaseModel):
    topic: str
    language: str
    title: str
    text: str = Field(description="The curated FAQ answer in the resident's language: a draft reply")


class Topic(BaseModel):
    topic: str
    title: str


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[\d\s()./-]{6,25}$")


class Contact(RequestBody):
    model_config = ConfigDict(extra="forbid")
    contact: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)] = Field(
        description="An e-mail address or a phone number for the answer"
    )

    @field_validator("contact")
    @classmethod
    def email_or_phone(cls, value: str) -> str:
        digits = sum(ch.isdigit() for ch in value)
        if _EMAIL.match(value) or (_PHONE.match(value) and 6 <= digits <= 15):
            return value
        raise ValueError("give an e-mail address or a phone number")
