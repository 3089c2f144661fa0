"""Answer feedback from residents, and the insights for coordinators."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import ConfigDict

from api.conversations.routes import SessionDep, TokenDep, _authorised
from api.curation.routes import CuratorDep
from api.input_rules import Day, DbInt, RequestBody
from api.insights import feedback, report
from api.libraries.models import Library

resident_router = APIRouter(prefix="/api/conversations", tags=["conversations"])
router = APIRouter(prefix="/api/insights", tags=["insights (coordinators)"])


class Rating(RequestBody):
    model_config = ConfigDict(extra="forbid")
    rating: Literal["up", "down"] | None


@resident_router.post("/{conversation_id}/messages/{message_id}/feedback")
def rate_answer(
    conversation_id: str, message_id: DbInt, body: Rating, session: SessionDep, token: TokenDep
) -> dict[str, Any]:
    """Thumbs up or down on one of the assistant's answers (`null` withdraws the rating)."""
    conv = _authorised(session, conversation_id, token)
    try:
        msg = feedback.rate(session, conv, message_id, body.rating)
    except LookupError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such message in this conversation") from None
    except feedback.NotRateable as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    session.commit()
    return {"id": msg.id, "feedback": msg.feedback}


@router.get("")
def insights(
    caller: CuratorDep,
    session: SessionDep,
    start: Day | None = None,
    end: Day | None = None,
    library: str | None = None,
) -> dict[str, Any]:
    """Conversations per day, by library, language and channel; top topics; bot vs staff;
    feedback; staff time to first reply. Counts only: no conversation or person is read."""
    if library and session.get(Library, library) is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"Unknown library id {library!r}")
    try:
        first, last = report.period(start, end)
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    return report.report(session, first, last, library or None)
