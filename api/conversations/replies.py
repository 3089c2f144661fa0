"""The shape of every reply a resident receives, whatever produced it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Kind = Literal["faq", "handoff", "smalltalk", "out_of_scope", "clarify", "staff", "system"]
KINDS: tuple[str, ...] = ("faq", "handoff", "smalltalk", "out_of_scope", "clarify", "staff", "system")


@dataclass
class Reply:
    text: str
    language: str
    kind: Kind
    topic: str | None = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    id: int | None = None  # the stored message's id, once stored

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        kind = data.get("kind")
        if kind not in KINDS:
            raise ValueError(f"unknown reply kind {kind!r}")
        return cls(
            text=str(data.get("text") or ""),
            language=str(data.get("language") or "sv"),
            kind=kind,
            topic=data.get("topic"),
            buttons=[{"title": str(b["title"]), "payload": str(b["payload"])} for b in data.get("buttons") or []],
        )
