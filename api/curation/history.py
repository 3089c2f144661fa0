"""The history of content: record each change, show it as a diff, revert it."""

from __future__ import annotations

import difflib
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.curation.models import ContentChange
from api.handoff.clock import now
from api.handoff.models import StaffUser

_TOKENS = re.compile(r"\s+|[^\s]+")


def record(
    session: Session,
    author: StaffUser | None,
    action: str,
    target: str,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    topic: str | None = None,
    library: str | None = None,
    language: str | None = None,
    variant: str = "",
    text_key: str | None = None,
    revert_of: int | None = None,
) -> ContentChange | None:
    """Store a change; nothing when nothing changed (saving twice leaves one entry)."""
    if before == after:
        return None
    change = ContentChange(
        created_at=now(),
        author_id=author.id if author else None,
        author_name=author.name if author else "system",
        action=action,
        target=target,
        topic=topic,
        library_id=library,
        language=language,
        variant=variant,
        text_key=text_key,
        before=before,
        after=after,
        revert_of=revert_of,
    )
    session.add(change)
    session.flush()
    return change


def changes_of_entry(session: Session, topic: str, library: str | None, limit: int = 200) -> list[ContentChange]:
    query = select(ContentChange).where(ContentChange.topic == topic, ContentChange.target.in_(("faq", "entry")))
    query = query.where(ContentChange.library_id.is_(None) if library is None else ContentChange.library_id == library)
    return list(session.scalars(query.order_by(ContentChange.id.desc()).limit(limit)))


def changes_of_text(session: Session, key: str, limit: int = 200) -> list[ContentChange]:
    query = select(ContentChange).where(ContentChange.target == "text", ContentChange.text_key == key)
    return list(session.scalars(query.order_by(ContentChange.id.desc()).limit(limit)))


def recent_changes(session: Session, limit: int = 50) -> list[ContentChange]:
    return list(session.scalars(select(ContentChange).order_by(ContentChange.id.desc()).limit(limit)))


def text_diff(before: str, after: str) -> list[dict[str, str]]:
    """Word-level diff: [{"op": "same"|"removed"|"added", "text": ...}], whitespace kept."""
    a, b = _TOKENS.findall(before), _TOKENS.findall(after)
    out: list[dict[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append({"op": "same", "text": "".join(a[i1:i2])})
            continue
        if i2 > i1:
            out.append({"op": "removed", "text": "".join(a[i1:i2])})
        if j2 > j1:
            out.append({"op": "added", "text": "".join(b[j1:j2])})
    return out


def diff(change: ContentChange) -> list[dict[str, Any]]:
    """Per changed field: text fields as a word diff, lists as added/removed items."""
    before, after = change.before or {}, change.after or {}
    fields: list[dict[str, Any]] = []
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if isinstance(old, list) or isinstance(new, list):
            old_items, new_items = list(old or []), list(new or [])
            fields.append(
                {
                    "field": name,
                    "added": [q for q in new_items if q not in old_items],
                    "removed": [q for q in old_items if q not in new_items],
                }
            )
        else:
            fields.append(
                {
                    "field": name,
                    "before": old,
                    "after": new,
                    "words": text_diff(str(old or ""), str(new or "")),
                }
            )
    return fields
