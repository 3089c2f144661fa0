"""The coordinators' API: /api/curation/... (the FAQ editor, bot texts, history, try-it,
import and export). Coordinator or admin accounts only; every change also needs X-CSRF-Token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Body, Depends, HTTPException, Query, status
from fastapi.responses import Response
from pydantic import ConfigDict, Field, StringConstraints
from sqlalchemy.orm import Session

from api.conversations.routes import SessionDep
from api.curation import entries, exchange, history, texts, trial
from api.curation.errors import Conflict, CurationError, NotFound
from api.curation.models import ContentChange
from api.curation.permissions import CURATOR_ROLES, NotAllowed, may_review
from api.faq.content_format import (
    ANSWER_MAX,
    QUESTION_MAX,
    SMS_MAX_CHARS,
    TITLE_MAX,
    content_key,
    content_keys,
    review_language,
)
from api.faq.topics import areas
from api.handoff.auth import Caller, role_and_csrf_required, role_required
from api.handoff.clock import iso
from api.input_rules import DbInt, RequestBody, StoredText
from api.libraries.models import Library

router = APIRouter(prefix="/api/curation", tags=["content curation (coordinators)"])

CuratorDep = Annotated[Caller, Depends(role_required(*CURATOR_ROLES))]
CuratorWriteDep = Annotated[Caller, Depends(role_and_csrf_required(*CURATOR_ROLES))]
VersionPath = Annotated[str, "`regional` or a library id (that library's local version)"]
T = TypeVar("T")


def _library(version: str) -> str | None:
    return None if version == "regional" else version


def _do(session: Session, action: Callable[[], T], *, commit: bool = True) -> T:
    """Run an editor action in the request's transaction; map its errors to HTTP.
    `commit=False` (a dry run) rolls back what the action did."""
    try:
        result = action()
    except NotAllowed as exc:
        session.rollback()
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None
    except NotFound as exc:
        session.rollback()
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except Conflict as exc:
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except exchange.ImportInvalid as exc:
        session.rollback()
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, {"message": str(exc), "errors": exc.errors}
        ) from None
    except CurationError as exc:
        session.rollback()
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    if commit:
        session.commit()
    else:
        session.rollback()
    return result


# ---- what the editor needs to know -----------------------------------------------------------


@router.get("/meta")
def meta(caller: CuratorDep, session: SessionDep) -> dict[str, Any]:
    """Areas, content languages (with who may review them), limits and the caller's scope."""
    staff = caller.staff
    libraries = session.query(Library).order_by(Library.name).all()
    return {
        "areas": areas(),
        "languages": [
            {"key": k, "review_language": review_language(k), "may_review": may_review(staff, k)}
            for k in content_keys()
        ],
        "limits": {"title": TITLE_MAX, "answer": ANSWER_MAX, "sms": SMS_MAX_CHARS, "question": QUESTION_MAX},
        "libraries": [{"id": lib.id, "name": lib.name} for lib in libraries],
        "editable_libraries": [lib.id for lib in libraries if staff.role == "admin" or lib.id == staff.library_id],
        "me": {
            "name": staff.name,
            "role": staff.role,
            "library": staff.library_id,
            "languages": list(staff.languages or []),
        },
    }


# ---- FAQ entries -----------------------------------------------------------------------------


class NewTopic(RequestBody):
    model_config = ConfigDict(extra="forbid")
    topic: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=80)]
    area: str
    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)] = Field(
        description="The Swedish title (a button label)"
    )
    questions: dict[str, list[str]] = Field(default_factory=dict, description="Question variants per language")


class TranslationIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    title: str
    answer: str = ""
    sms: str = ""
    questions: list[str] = Field(default_factory=list)
    status: Literal["draft", "reviewed"] | None = Field(
        default=None,
        description="reviewed: you speak the language and checked the text. Omitted: a changed text is a draft",
    )
    version: DbInt | None = Field(default=None, description="The version you edited; a newer one gives 409")


class StateIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    state: Literal["draft", "live", "retired"]


@router.get("/entries")
def list_entries(caller: CuratorDep, session: SessionDep) -> list[dict[str, Any]]:
    """Every topic: state, Swedish title, review status per language, local versions."""
    return entries.summaries(session)


@router.post("/entries", status_code=status.HTTP_201_CREATED)
def create_entry(body: NewTopic, caller: CuratorWriteDep, session: SessionDep) -> dict[str, Any]:
    """A new topic with a draft regional entry (publish it when Swedish and English are written)."""
    _do(
        session,
        lambda: entries.create_topic(
            session, caller.staff, body.topic, body.area, body.question, body.title, body.questions
        ),
    )
    return entries.detail(session, body.topic)


@router.get("/entries/{topic}")
def get_entry(topic: str, caller: CuratorDep, session: SessionDep) -> dict[str, Any]:
    """The regional entry and every local version, each translation with its review status."""
    return _do(session, lambda: entries.detail(session, topic))


@router.put("/entries/{topic}/{version}/{language}")
def save_translation(
    topic: str, version: VersionPath, language: str, body: TranslationIn, caller: CuratorWriteDep, session: SessionDep
) -> dict[str, Any]:
    """Write one translation (a library's local version is created on its first save). It
    applies to the next resident message, in every API process, without retraining."""
    tr = _do(
        session,
        lambda: entries.save_translation(
            session,
            caller.staff,
            topic,
            _library(version),
            language,
            body.model_dump(exclude={"version"}),
            body.version,
        ),
    )
    return entries.translation_out(tr)


@router.delete("/entries/{topic}/{version}/{language}", status_code=status.HTTP_204_NO_CONTENT)
def delete_translation(
    topic: str,
    version: VersionPath,
    language: str,
    caller: CuratorWriteDep,
    session: SessionDep,
    expected: DbInt | None = None,
) -> None:
    _do(
        session, lambda: entries.delete_translation(session, caller.staff, topic, _library(version), language, expected)
    )


@router.post("/entries/{topic}/{version}/{language}/review")
def review_translation(
    topic: str, version: VersionPath, language: str, caller: CuratorWriteDep, session: SessionDep
) -> dict[str, Any]:
    """Confirm a translation as it stands: only a speaker of its language."""
    tr = _do(session, lambda: entries.review(session, caller.staff, topic, _library(version), language))
    return entries.translation_out(tr)


@router.post("/entries/{topic}/{version}/state")
def set_state(
    topic: str, version: VersionPath, body: StateIn, caller: CuratorWriteDep, session: SessionDep
) -> dict[str, Any]:
    """Publish (`live`), retire or put back to `draft` an entry or a local version."""
    entry = _do(session, lambda: entries.set_state(session, caller.staff, topic, _library(version), body.state))
    return entries.version_out(entry)


def change_out(change: ContentChange) -> dict[str, Any]:
    return {
        "id": change.id,
        "at": iso(change.created_at),
        "author": change.author_name,
        "action": change.action,
        "target": change.target,
        "topic": change.topic,
        "library": change.library_id,
        "language": content_key(change.language, change.variant) if change.language else None,
        "key": change.text_key,
        "revert_of": change.revert_of,
        "diff": history.diff(change),
    }


@router.get("/entries/{topic}/history")
def entry_history(
    topic: str, caller: CuratorDep, session: SessionDep, version: str = "regional"
) -> list[dict[str, Any]]:
    """Every change of the entry (or local version), newest first, with a diff of each."""
    return [change_out(c) for c in history.changes_of_entry(session, topic, _library(version))]


@router.get("/changes")
def recent_changes(
    caller: CuratorDep, session: SessionDep, limit: int = Query(50, ge=1, le=500)
) -> list[dict[str, Any]]:
    return [change_out(c) for c in history.recent_changes(session, limit)]


@router.post("/changes/{change_id}/revert")
def revert_change(change_id: DbInt, caller: CuratorWriteDep, session: SessionDep) -> dict[str, Any]:
    """Write back what was there before the change; the revert is itself a change."""
    change = session.get(ContentChange, change_id)
    if change is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No change {change_id}")
    _do(session, lambda: entries.revert(session, caller.staff, change))
    return {"reverted": change_id}


# ---- bot texts -------------------------------------------------------------------------------


class TextIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    text: str
    status: Literal["draft", "reviewed"] | None = None
    version: DbInt | None = None


@router.get("/texts")
def list_texts(caller: CuratorDep, session: SessionDep) -> dict[str, Any]:
    """The assistant's texts, grouped, per language, with their placeholders."""
    return texts.listing(session)


@router.put("/texts/{key}/{language}")
def save_text(key: str, language: str, body: TextIn, caller: CuratorWriteDep, session: SessionDep) -> dict[str, Any]:
    row = _do(
        session, lambda: texts.save_text(session, caller.staff, key, language, body.text, body.status, body.version)
    )
    return {**(texts.snapshot(row) or {}), "version": row.version, "edited_by": row.edited_by}


@router.get("/texts/{key}/history")
def text_history(key: str, caller: CuratorDep, session: SessionDep) -> list[dict[str, Any]]:
    return [change_out(c) for c in history.changes_of_text(session, key)]


# ---- try it ----------------------------------------------------------------------------------


class TryIn(RequestBody):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    library: str | None = None
    language: str | None = Field(default=None, description="As if the resident had chosen it; default: detected")
    easy_read: bool = False


@router.post("/try")
def try_it(body: TryIn, caller: CuratorDep, session: SessionDep) -> dict[str, Any]:
    """Which entry would answer, in which language, with what score, for which library version."""
    if body.library is not None and session.get(Library, body.library) is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"Unknown library id {body.library!r}")
    return trial.try_question(session, body.text, body.library, body.language, body.easy_read)


# ---- import and export -----------------------------------------------------------------------


@router.get("/export")
def export(
    caller: CuratorDep,
    session: SessionDep,
    format: Literal["yaml", "csv"] = "yaml",
    part: Literal["faq", "texts"] = Query("faq", description="CSV only: the FAQ or the bot texts"),
) -> Response:
    if format == "yaml":
        body, media, name = (
            exchange.export_yaml(session, caller.staff.name),
            "application/yaml",
            "bibliotekshjalpen-content.yml",
        )
    else:
        body, media, name = exchange.export_csv(session, part), "text/csv", f"bibliotekshjalpen-{part}.csv"
    return Response(
        body,
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.post("/import")
def import_content(
    caller: CuratorWriteDep,
    session: SessionDep,
    data: Annotated[StoredText, Body(media_type="text/plain", description="The file's text (YAML or CSV)")],
    format: Literal["yaml", "csv"] = "yaml",
    dry_run: bool = Query(False, description="Check and report what would change; write nothing"),
) -> dict[str, Any]:
    """All or nothing: any problem gives 422 with every problem listed, and nothing is written."""
    report = _do(
        session, lambda: exchange.import_content(session, caller.staff, data, format, dry_run), commit=not dry_run
    )
    return report.to_dict()
