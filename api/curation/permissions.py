"""Who may change which content: the role, the library, the languages a person writes.

- Coordinators and admins curate; desk staff do not.
- A coordinator edits the regional content and their own library's local versions; an admin
  any library's.
- Marking a translation reviewed means "a speaker of the language checked it": only someone
  whose account lists that language may do it (easy-to-read Swedish: Swedish)."""

from __future__ import annotations

from api.faq.content_format import review_language
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
