"""Remove personal ID numbers, card numbers and PINs before anything is stored or sent on.

Residents are told not to write them, but some will. What is removed can never leak from a
transcript, a log or the bot's tracker.
"""

from __future__ import annotations

import re

PERSONAL_ID = "[personnummer]"
CARD_NUMBER = "[kortnummer]"
PIN = "[PIN]"

# Personnummer / samordningsnummer: (YY)YYMMDD[-+ ]XXXX; the day of a samordningsnummer is +60.
_PERSONAL_ID = re.compile(
    r"(?<!\d)(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])[-+ ]?\d{4}(?!\d)"
)
# Card numbers: library cards and payment cards, 8-19 digits, maybe grouped by spaces or dashes.
# An ISO date ("tillbaka 2024-05-12") has 8 digits too, and is left alone.
_CARD = re.compile(r"(?<!\d)(?!(?:19|20)\d\d-[01]\d-[0-3]\d(?![ -]?\d))\d(?:[ -]?\d){7,18}(?!\d)")
# A PIN is a short number next to a word for it, in any of our languages.
_PIN_WORDS = (
    r"pin(?:-?kod(?:en)?)?|pin[- ]?code|pin-?koodi\w*|tunnusluku\w*|lösen(?:ord)?|password|kod(?:en)?|code|"
    r"رمز|کد|پین|koodh?|furaha|ፒን|hasło|kod pin|contraseña|clave|пин(?:-?код)?|код|пароль|"
    # Finnish and Turkish add the owner as a suffix: "pinkoodini", "şifrem" (my PIN).
    r"şifre\w*|parola\w*"
)
# Up to two short words may stand between ("min pinkod är 1234", "my code is 1234").
_PIN = re.compile(rf"(?i)\b({_PIN_WORDS})\b((?:[\W_]+[^\W\d_]{{1,5}}){{0,2}}[\W_]+)(\d{{4,8}})(?!\d)")


def redact(text: str) -> str:
    text = _PERSONAL_ID.sub(PERSONAL_ID, text)
    text = _PIN.sub(lambda m: f"{m.group(1)}{m.group(2)}{PIN}", text)
    text = _CARD.sub(CARD_NUMBER, text)
    return text
