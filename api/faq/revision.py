"""The content revision counter: bumped on every change so each process's index refreshes."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.faq.models import ContentRevision


def current_revision(session: Session) -> int:
    value = session.scalar(select(ContentRevision.revision).where(ContentRevision.id == 1))
    return value or 0


def bump_revision(session: Session) -> None:
    if session.get(ContentRevision, 1) is None:
        session.add(ContentRevision(id=1, revision=1))
        session.flush()
        return
    session.execute(
        update(ContentRevision).where(ContentRevision.id == 1).values(revision=ContentRevision.revision + 1)
    )
