"""Text that staff write into the content (the editor and the import) is redacted with the staff
profile before it is checked or stored: personal ID, card numbers, PINs and passwords go; the
library's own phone numbers and addresses stay (docs/decisions/0009-redaction.md)."""

from __future__ import annotations

from typing import Any

from api.privacy.redact import Profile, redact

TEXT_FIELDS = ("title", "answer", "sms")


def clean(text: str) -> str:
    return redact(text, Profile.STAFF)


def clean_translation(raw: dict[str, Any]) -> dict[str, Any]:
    """A translation's fields as sent (editor body or import row), redacted; other keys as they were."""
    out = dict(raw)
    for name in TEXT_FIELDS:
        if isinstance(out.get(name), str):
            out[name] = clean(out[name])
    if isinstance(out.get("questions"), list):
        out["questions"] = [clean(q) if isinstance(q, str) else q for q in out["questions"]]
    return out
