"""The needs inbox for coordinators: /api/needs (grouped questions, and what to do with them)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from pydantic import ConfigDict, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations.models import Message
from api.conversations.routes import SessionDep
from api.curation import entries
from api.curation.routes import CuratorDep, CuratorWriteDep, _do
from api.faq.content_format import TITLE_MAX, content_keys
from api.input_rules import Day, DbInt, RequestBody
from api.needs import grouping
from api.needs.models import NEED_REASONS, ResidentNeed
from api.settings import get_settings

router = APIRouter(prefix="/api/needs", tags=["needs inbox (coordinators)"])
Reason = Literal["unanswered", "out_of_scope", "handoff", "rated_down"]


def _start_of(day: date | None) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(get_settings().desk_timezone))


@router.get("")
def inbox(
    caller: CuratorDep,
    session: SessionDep,
    state: Literal["open", "dismissed", "drafted", "added"] = "open",
    library: str | None = None,
    reason: Annotated[list[Reason] | None, Query()] = None,
    start: Day | None = None,
    end: Day | None = None,
) -> dict[str, Any]:
    """Questions the assistant could not answer or that went to staff, grouped by meaning
    across languages, largest group first, each with its closest existing topic."""
    items = grouping.load(
        session,
        states=(state,),
        library=library or None,
        reasons=tuple(reason) if reason else None,
        since=_start_of(start),
        until=_start_of(end + timedelta(days=1)) if end else None,
    )
    groups = grouping.grouped(session, items)
    session.commit()  # the embeddings computed on the way are kept
    return {"total": len(items), "reasons": list(NEED_REASONS), "groups": groups}


class NeedIds(RequestBody):
    model_config = ConfigDict(extra="forbid")
    ids: list[DbInt] = Field(min_length=1, max_length=2000)


class DraftTopic(NeedIds):
    topic: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=80)]
    area: str
    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]


class AddVariants(NeedIds):
    topic: str
    library: str | None = Field(default=None, description="Add to this library's local version (default: regional)")


def _needs(session: Session, ids: list[DbInt]) -> list[tuple[ResidentNeed, str]]:
    rows = session.execute(
        select(ResidentNeed, Message.text)
        .join(Message, Message.id == ResidentNeed.message_id)
        .where(ResidentNeed.id.in_(ids))
    )
    return list(rows)


def _wordings(rows: list[tuple[ResidentNeed, str]]) -> dict[str, list[str]]:
    """Residents' wordings per content language (a question in an unsupported language has none)."""
    keys = set(content_keys())
    out: dict[str, list[str]] = {}
    for need, text in rows:
        if need.language in keys:
            out.setdefault(need.language, []).append(text)
    return out


def _settle(rows: list[tuple[ResidentNeed, str]], state: str, topic: str | None) -> None:
    for need, _ in rows:
        need.state, need.resolved_topic = state, topic


@router.post("/dismiss")
def dismiss(body: NeedIds, caller: CuratorWriteDep, session: SessionDep) -> dict[str, int]:
    """Not useful for the content (off-topic, a one-off): out of the inbox."""
    rows = _needs(session, body.ids)
    _do(session, lambda: _settle(rows, "dismissed", None))
    return {"updated": len(rows)}


@router.post("/restore")
def restore(body: NeedIds, caller: CuratorWriteDep, session: SessionDep) -> dict[str, int]:
    rows = _needs(session, body.ids)
    _do(session, lambda: _settle(rows, "open", None))
    return {"updated": len(rows)}


@router.post("/draft", status_code=201)
def draft(body: DraftTopic, caller: CuratorWriteDep, session: SessionDep) -> dict[str, Any]:
    """One click from a group: a new draft entry whose question variants are the residents' own
    wordings, in their languages. Write the answers, then publish it."""
    rows = _needs(session, body.ids)

    def run() -> None:
        entries.create_topic(session, caller.staff, body.topic, body.area, body.question, body.title, _wordings(rows))
        _settle(rows, "drafted", body.topic)

    _do(session, run)
    return entries.detail(session, body.topic)


@router.post("/add")
def add_as_variants(body: AddVariants, caller: CuratorWriteDep, session: SessionDep) -> dict[str, Any]:
    """The questions were new wordings of an existing topic: add them as its question variants
    (live for the next resident message). Languages the entry is not written in are skipped."""
    rows = _needs(session, body.ids)

    def run() -> dict[str, int]:
        added = entries.add_questions(session, caller.staff, body.topic, body.library, _wordings(rows))
        _settle(rows, "added", body.topic)
        return added

    added = _do(session, run)
    return {"topic": body.topic, "added": added}
