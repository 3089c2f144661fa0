"""Who may change which content: the role, the library, the languages a person writes.

- Coordinators and admins curate; desk staff do not.
- A coordinator edits the regional content and their own library's local versions; an admin
  any library's.
- Marking a translation reviewed means "a speaker of the language checked it": only someone
  whose account lists that language may do it (easy-to-read Swedish: Swedish). The reviewer
  recorded is that person, at that time: the editor and the import share `after_save`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.faq.content_format import review_language
from api.handoff.clock import now
from api.handoff.models import StaffUser
from api.language.registry import languages

CURATOR_ROLES = ("coordinator", "admin")


class NotAllowed(PermissionError):
    pass


def check_library(staff: StaffUser, library: str | None) -> None:
    if library is None or staff.role == "admin" or library == staff.library_id:
        return
    raise NotAllowed(
        f"Only {library}'s coordinators (or an admin) can change {library}'s local version; "
        f"you curate the regional content and {staff.library_id}'s"
    )


def may_review(staff: StaffUser, key: str) -> bool:
    return review_language(key) in (staff.languages or [])


def check_review(staff: StaffUser, key: str) -> None:
    if not may_review(staff, key):
        lang = review_language(key)
        name = languages()[lang].english if lang in languages() else lang
        raise NotAllowed(
            f"Only a speaker of {name} can mark this translation reviewed "
            f"(your account lists {', '.join(staff.languages or []) or 'no languages'}); save it as a draft"
        )


@dataclass(frozen=True)
class Review:
    status: str | None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None

    @classmethod
    def of(cls, row: Any) -> Review:
        """The review state of a stored translation or bot text (a new row: none yet)."""
        return cls(row.status, row.reviewed_by, row.reviewed_at) if row is not None else cls(None)


def after_save(staff: StaffUser, key: str, requested: str | None, *, changed: bool, current: Review) -> Review:
    """The review state a save leaves. `reviewed` is a speaker's review, recorded with their name
    and the time; a changed text is otherwise a draft; `None` asks for nothing."""
    if requested == "reviewed" and (changed or current.status != "reviewed"):
        check_review(staff, key)
        return Review("reviewed", staff.name, now())
    if requested == "draft" or (requested is None and changed):
        return Review("draft")
    return current


def imported_request(staff: StaffUser, key: str, status: str) -> tuple[str | None, bool]:
    """What an imported row marked `status` asks of `after_save`, and whether a review was refused.

    A file cannot review for its importer: `reviewed` from someone who does not speak the
    language asks for nothing, so a changed text is imported as a draft and an unchanged one
    keeps its state (a reviewed row stays reviewed by whoever reviewed it)."""
    if status == "reviewed" and not may_review(staff, key):
        return None, True
    return status, False
