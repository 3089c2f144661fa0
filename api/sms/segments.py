"""How long an SMS is: GSM-7 (160 characters a segment) or UCS-2 (70), and fitting text to a budget.

A concatenated message loses 7 (GSM-7) or 3 (UCS-2) characters a segment to its header, an
extension character (€, [, ...) takes two septets and is never split across segments, and so
is a UCS-2 surrogate pair (an emoji).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
# Typography that would force the whole text into UCS-2 (70 a segment) for no reason.
_PLAIN = str.maketrans(
    {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "„": '"', "…": "...", "\u00a0": " "}
)


@dataclass(frozen=True)
class Size:
    encoding: str  # GSM-7 | UCS-2
    units: int  # septets or UTF-16 code units
    segments: int


def plain(text: str) -> str:
    """Typographic quotes and dashes as their GSM-7 look-alikes, when that keeps the text GSM-7."""
    simpler = text.translate(_PLAIN)
    return simpler if is_gsm7(simpler) else text


def is_gsm7(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENSION for c in text)


def _unit_sizes(text: str) -> tuple[str, list[int]]:
    if is_gsm7(text):
        return "GSM-7", [2 if c in GSM_EXTENSION else 1 for c in text]
    return "UCS-2", [2 if ord(c) > 0xFFFF else 1 for c in text]


def size(text: str) -> Size:
    encoding, sizes = _unit_sizes(text)
    single, multi = (160, 153) if encoding == "GSM-7" else (70, 67)
    total = sum(sizes)
    if total <= single:
        return Size(encoding, total, 1 if total else 0)
    segments, used = 1, 0
    for n in sizes:  # a character is never split across two segments
        if used + n > multi:
            segments, used = segments + 1, 0
        used += n
    return Size(encoding, total, segments)


def fits(text: str, max_segments: int) -> bool:
    return size(text).segments <= max_segments


_SENTENCE_END = re.compile(r"(?<=[.!?؟።।])\s+")


def _cut_points(text: str) -> list[int]:
    """Where a text may be cut, best first: after a sentence, then between words."""
    sentences = [m.start() for m in _SENTENCE_END.finditer(text)]
    words = [m.start() for m in re.finditer(r"\s+", text)]
    return sorted(sentences, reverse=True) + sorted(words, reverse=True)


def shorten(text: str, max_segments: int, suffix: str = "") -> str:
    """The longest start of `text` (a whole sentence if any fits, else whole words) that fits
    together with `suffix` (e.g. a link to the full text)."""
    whole = f"{text}{suffix}"
    if fits(whole, max_segments):
        return whole
    for cut in _cut_points(text):
        head = text[:cut].rstrip()
        ending = "" if head.endswith((".", "!", "?", "؟", "።")) else "…"
        candidate = f"{head}{ending}{suffix}"
        if head and fits(candidate, max_segments):
            return candidate
    # One enormous word: cut characters.
    for end in range(len(text), 0, -1):
        candidate = f"{text[:end]}…{suffix}"
        if fits(candidate, max_segments):
            return candidate
    return suffix.strip()


def split(text: str, max_segments: int) -> list[str]:
    """Several messages, each within the budget, cut between sentences or words: nothing is lost."""
    parts: list[str] = []
    rest = text.strip()
    while rest and not fits(rest, max_segments):
        # _cut_points lists sentence ends first: the first that fits is the longest whole sentence.
        cut = next((c for c in _cut_points(rest) if c > 0 and fits(rest[:c].rstrip(), max_segments)), 0)
        if cut == 0:  # no space to cut at: cut characters
            cut = max(e for e in range(1, len(rest) + 1) if fits(rest[:e], max_segments))
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].strip()
    if rest:
        parts.append(rest)
    return parts
