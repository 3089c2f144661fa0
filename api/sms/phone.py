"""Phone numbers: one canonical form (E.164), a keyed hash where the number itself is not needed,
and a masked form for everyone but the staff member handling the ticket."""

from __future__ import annotations

import hashlib
import hmac
import re

from api.settings import get_settings

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# ITU country codes of one digit; the two-digit ones by their first digit. Anything else has three.
_TWO_DIGIT = {
    "2": {"20", "27"},
    "3": {"30", "31", "32", "33", "34", "36", "39"},
    "4": {"40", "41", "43", "44", "45", "46", "47", "48", "49"},
    "5": {"51", "52", "53", "54", "55", "56", "57", "58"},
    "6": {"60", "61", "62", "63", "64", "65", "66"},
    "8": {"81", "82", "84", "86"},
    "9": {"90", "91", "92", "93", "94", "95", "98"},
}


class BadNumber(ValueError):
    pass


def normalise(raw: str, default_country: str = "46") -> str:
    """'+46 70-123 45 67', '0046701234567' and '070 123 45 67' are all '+46701234567'."""
    digits = re.sub(r"[\s\-().]", "", raw or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = f"+{default_country}{digits[1:]}"
    if not _E164.match(digits):
        raise BadNumber(f"not a phone number: {raw[:30]!r}")
    return digits


def country_code(number: str) -> str:
    digits = number.removeprefix("+")
    if digits[0] in "17":
        return digits[0]
    return digits[:2] if digits[:2] in _TWO_DIGIT.get(digits[0], set()) else digits[:3]


def mask(number: str | None) -> str | None:
    """'+46701234567' -> '+46 70 ••• •• 67': enough to tell two residents apart, not to call them."""
    if not number:
        return None
    cc = country_code(number)
    rest = number[1 + len(cc) :]
    return f"+{cc} {rest[:2]} ••• •• {rest[-2:]}"


def number_hash(number: str) -> str:
    """A keyed hash: without SMS_NUMBER_KEY nobody can test guessed numbers against it."""
    key = get_settings().sms_number_key.encode()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def library_numbers() -> dict[str, str]:
    """SMS_NUMBERS: our number -> library id ('+46766860001=solna,+46766860002=sundbyberg')."""
    out: dict[str, str] = {}
    for part in get_settings().sms_numbers.split(","):
        if "=" in part:
            number, library = part.split("=", 1)
            out[normalise(number.strip())] = library.strip()
    return out
