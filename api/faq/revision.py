"""Content revision counters: bumped on every change so each process refreshes what it holds.

`FAQ` (entries, translations, question variants) drives the retrieval index; `TEXTS` (the
assistant's own texts) the text catalog. Separate counters keep a greeting edit from making
the next resident wait for an index refresh."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.faq.models import ContentRevision

FAQ = 1
TEXTS = 2


def current_revision(session: Session, counter: int = FAQ) -> int:
    value = session.scalar(select(ContentRevision.revision).where(ContentRevision.id == counter))
    return value or 0


def bump_revision(session: Session, counter: int = FAQ) -> None:
    if session.get(ContentRevision, counter) is None:
        session.add(ContentRevision(id=counter, revision=1))
        session.flush()
        return
    session.execute(
        update(ContentRevision).where(ContentRevision.id == counter).values(revision=ContentRevision.revision + 1)
    )
