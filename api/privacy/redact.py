"""Remove personal data from text before anything is stored, sent to Rasa or logged (decision 0009).

What goes: personnummer and samordningsnummer, payment card numbers (Luhn), library card numbers,
PINs and passwords next to a word for them (in all our languages, before or after it), and, in a
resident's free text, e-mail addresses and phone numbers (the contact form is the place for them).
Staff text (notes, replies) and imported content keep phone numbers and e-mail addresses: they are
the library's own.

The text is first normalised (dashes, dots, spaces, invisible marks, Arabic-Indic, Persian and
fullwidth digits), matching runs on the normalised text, and each match is mapped back to the
characters the writer typed: everything that is not removed stays exactly as written.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum

PLACEHOLDERS = {
    "pnr": "[personnummer]",
    "card": "[kortnummer]",
    "pin": "[PIN]",
    "pw": "[lösenord]",
    "email": "[e-post]",
    "phone": "[telefonnummer]",
}
PERSONAL_ID, CARD_NUMBER, PIN = PLACEHOLDERS["pnr"], PLACEHOLDERS["card"], PLACEHOLDERS["pin"]


class Profile(Enum):
    RESIDENT = "resident"  # residents' messages (web, SMS): everything above goes
    STAFF = "staff"  # staff notes and replies, imported content: the library's phone numbers and addresses stay


@dataclass(frozen=True)
class Redaction:
    text: str
    removed: tuple[str, ...]  # the kinds removed, in order of appearance ("pnr", "pin", ...)

    @property
    def changed(self) -> bool:
        return bool(self.removed)


# ---- normalisation ----------------------------------------------------------------------------

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_DOTS = "\uff0e\u2024"
# Zero-width and direction marks: invisible, so they can hide inside a number.
_INVISIBLE = frozenset(
    "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _normalise(text: str) -> tuple[str, list[int]]:
    """The text with one spelling for digits, dashes, dots and spaces, and for each of its
    characters the index of the original character it came from."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch in _INVISIBLE:
            continue
        if ch.isascii():
            out = ch
        elif ch in _DASHES:
            out = "-"
        elif ch in _DOTS:
            out = "."
        elif unicodedata.category(ch) == "Zs":  # NBSP, thin and narrow spaces, ideographic space
            out = " "
        elif unicodedata.category(ch) == "Nd":  # ٠-٩, ۰-۹, ０-９ and every other decimal digit
            out = str(unicodedata.decimal(ch))
        else:
            out = ch
        chars.append(out)
        index.append(i)
    return "".join(chars), index


# ---- checks -------------------------------------------------------------------------------------


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _valid_date(year: int, month: int, day: int) -> bool:
    if day > 60:  # a samordningsnummer: the day plus 60
        day -= 60
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _isbn13(digits: str) -> bool:
    return len(digits) == 13 and sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(digits)) % 10 == 0


def _isbn10(chars: str) -> bool:
    if len(chars) != 10 or not chars[:9].isdigit() or not (chars[9].isdigit() or chars[9] in "xX"):
        return False
    values = [int(c) for c in chars[:9]] + [10 if chars[9] in "xX" else int(chars[9])]
    return sum(v * (10 - i) for i, v in enumerate(values)) % 11 == 0


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


# ---- patterns (on the normalised text) --------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A personnummer: (YY)YYMMDD, then a dash or plus (maybe spaced), a space or nothing, then four digits.
_PNR = re.compile(r"(?<![\d.,/-])(?P<c>19|20)?(?P<d>\d{6})(?P<sep> {0,2}[-+] {0,2}| )?(?P<n>\d{4})(?![\d]|[-.,/]\d)")
_ISBN_WORD = re.compile(r"(?i)\bISBN(?:-1[03])?:? ?(?P<n>[\dX](?:[- ]?[\dX]){9,16})(?![\dX])")
_ISBN13 = re.compile(r"(?<![\d-])97[89](?:[- ]?\d){10}(?![\d]|-\d)")
_ISBN10 = re.compile(r"(?<![\d-])\d{1,5}-\d{1,7}-\d{1,7}-[\dX](?![\dX-])")
# A payment card: 13-19 digits, grouped or not; the grouping and the Luhn digit are checked below.
_CARD = re.compile(r"(?<![\d+])(?<!\d[ .-])\d(?:[ .-]{0,3}\d){12,18}(?![ .-]{0,3}\d)")
# Phone numbers: international (+46 70 ..., 0046 ...) and national (070-123 45 67, 08-123 456 78).
_PHONE = re.compile(
    r"(?:(?<![\w+])\+|(?<!\d)00)(?:[ ()-]{0,3}\d){8,15}(?![ -]{0,3}\d)"
    r"|(?<!\d)(?<!\d[ .-])0\d(?:[ -]{0,3}\d){7,9}(?![ -]{0,3}\d)"
)
# A library barcode on its own: 10-14 digits in one run.
_BARCODE = re.compile(r"(?<![\d+])(?<!\d[ .-])\d{10,14}(?![ .-]?\d)")

# Words for a password, a PIN, or either (by what follows: digits are a PIN), in our 12 languages.
# Compounds and suffixes are allowed where a language glues them on (pinkoden, salasanani, şifrem).
_L = r"[^\W\d_]"  # a letter
_PW_WORDS = [
    rf"lösen(?:ord)?{_L}*", rf"password{_L}*", r"passwd", rf"parola{_L}*", rf"salasana{_L}*",
    rf"hasł{_L}*", r"hasl[oa]", rf"contrase[ñn]a{_L}*", rf"парол{_L}*",
    rf"(?:ال)?كلمة ?(?:ال)?(?:سر|مرور){_L}*", r"باسورد", rf"رمز ?عبور{_L}*", rf"گذرواژه{_L}*", rf"پسورد{_L}*",
    r"کلمه ?(?:ی )?عبور", rf"furaha{_L}*", r"er[ae]yga sirta", rf"baas?weer{_L}*", rf"መሕለፊ{_L}*", rf"ፓስዎርድ{_L}*",
]  # fmt: skip
_PIN_WORDS = [
    rf"pin-?{_L}*", rf"kod{_L}{{0,3}}", r"code", r"passcode", rf"koodi{_L}*", rf"tunnusluku{_L}*",
    rf"tunnusluvu{_L}*", rf"koodh{_L}*", rf"sir(?:ta|eed){_L}*", r"c[óo]digo", r"nip", rf"пін-?{_L}*",
    rf"пин-?{_L}*", rf"код{_L}{{0,3}}", rf"(?:ال)?رقم ?(?:ال)?سري{_L}*", rf"(?:ال)?رمز ?(?:ال)?سري{_L}*",
    rf"کد{_L}*", rf"پین{_L}*", rf"ፒን{_L}*", r"ምስጢራዊ ?ቁጽሪ", rf"ኮድ{_L}*",
]  # fmt: skip
_EITHER_WORDS = [rf"[şs]ifre{_L}*", rf"clave{_L}*", rf"(?:ال)?رمز{_L}*"]
# Words for a (library or payment) card; compounds count (lånekortet, kirjastokortin, kütüphane kartı).
_CARD_WORDS = [
    r"kort", r"card", r"kaar", r"kart", r"tarjeta", r"карт", r"квит", r"билет", r"بطاق", r"کارت", r"ካርድ",
]  # fmt: skip

_KW = (
    rf"(?<!{_L})(?:(?P<pw>{'|'.join(_PW_WORDS)})|(?P<pin>{'|'.join(_PIN_WORDS)})|(?P<either>{'|'.join(_EITHER_WORDS)}))"
)
_GAP = rf"(?:[^\w\n]{{1,4}}{_L}{{1,15}}){{0,4}}?"  # up to four words between the word and the secret
_GAP_BACK = rf"(?:[^\w\n]{{1,4}}{_L}{{1,15}}){{0,3}}?"
_SECRET_DIGITS = r"(?P<secret>\d{4,12})(?![\d]|[ .,-]\d)"
# A password that is not only digits: a word with a letter and a digit (Sommar2024), trailing punctuation left out.
_SECRET_TOKEN = r"(?P<secret>(?=\S*\d)(?=\S*[^\W\d_])\S{3,63}(?<![.,;:!?)\"'»]))(?!\S)"
# Glued to the word (pin4321) or after a separator, never the digits at the end of a word (Sommar2024).
_WORD_THEN_DIGITS = re.compile(rf"(?i){_KW}(?:{_GAP}[^\w\n]{{1,4}})?(?<!\d){_SECRET_DIGITS}")
_WORD_THEN_TOKEN = re.compile(rf"(?i){_KW}{_GAP}[^\w\n]{{1,4}}{_SECRET_TOKEN}")
_DIGITS_THEN_WORD = re.compile(rf"(?i)(?<![\w.,-])(?P<secret>\d{{4,12}}){_GAP_BACK}[^\w\n]{{1,4}}{_KW}")
_TOKEN_THEN_WORD = re.compile(
    rf"(?i)(?<!\S)(?P<secret>(?=\S*\d)(?=\S*[^\W\d_])\S{{3,63}}(?<![.,;:!?)\"'»])){_GAP_BACK}[^\w\n]{{1,4}}{_KW}"
)
_CARD_CONTEXT = re.compile(
    rf"(?i)(?:{'|'.join(_CARD_WORDS)}){_L}*{_GAP}[^\w\n]{{0,4}}?(?<![\d])"
    r"(?!(?:19|20)\d\d-\d\d-\d\d(?!\d))(?P<secret>\d(?:[ -]?\d){7,18})(?![ -]?\d)"
)

# ---- detectors: each yields (start, end, kind) on the normalised text; kind None keeps the span ----

Span = tuple[int, int, str | None]
Detector = Callable[[str, Profile], Iterator[Span]]


def _emails(text: str, profile: Profile) -> Iterator[Span]:
    for m in _EMAIL.finditer(text):
        yield m.start(), m.end(), "email" if profile is Profile.RESIDENT else None


def _isbns(text: str, profile: Profile) -> Iterator[Span]:
    """ISBNs are not secrets: kept, so that no other rule takes them for a card or a phone number."""
    for m in _ISBN_WORD.finditer(text):
        yield m.start("n"), m.end("n"), None
    for m in _ISBN13.finditer(text):
        if _isbn13(_digits(m.group())):
            yield m.start(), m.end(), None
    for m in _ISBN10.finditer(text):
        if _isbn10(m.group().replace("-", "")):
            yield m.start(), m.end(), None


def _personal_ids(text: str, profile: Profile) -> Iterator[Span]:
    for m in _PNR.finditer(text):
        d, n, sep = m.group("d"), m.group("n"), (m.group("sep") or "").strip()
        yy, month, day = int(d[:2]), int(d[2:4]), int(d[4:])
        year = int(m.group("c") + d[:2]) if m.group("c") else 2000 + yy  # any leap-year rule will do
        if not _valid_date(year, month, day):
            continue
        # A dash or plus makes the format itself precise; a bare run of digits must also pass Luhn.
        if sep in ("-", "+") or luhn(d + n):
            yield m.start(), m.end(), "pnr"


def _phones_kept(text: str, profile: Profile) -> Iterator[Span]:
    if profile is Profile.STAFF:
        for m in _PHONE.finditer(text):
            yield m.start(), m.end(), None


def _secret_words(text: str, profile: Profile) -> Iterator[Span]:
    for pattern in (_WORD_THEN_DIGITS, _DIGITS_THEN_WORD):
        for m in pattern.finditer(text):
            kind = "pw" if m.group("pw") else "pin"
            if kind == "pin" and len(m.group("secret")) > 8:
                continue  # too long for a PIN: a card or phone rule decides
            yield m.start("secret"), m.end("secret"), kind
    for pattern in (_WORD_THEN_TOKEN, _TOKEN_THEN_WORD):
        for m in pattern.finditer(text):
            if not m.group("pin"):
                yield m.start("secret"), m.end("secret"), "pw"


def _cards_in_context(text: str, profile: Profile) -> Iterator[Span]:
    for m in _CARD_CONTEXT.finditer(text):
        yield m.start("secret"), m.end("secret"), "card"


def _payment_cards(text: str, profile: Profile) -> Iterator[Span]:
    for m in _CARD.finditer(text):
        groups = [len(g) for g in re.split(r"[ .-]+", m.group())]
        regular = (
            len(groups) == 1
            or (all(g == 4 for g in groups[:-1]) and 1 <= groups[-1] <= 4)
            or groups in ([4, 6, 5], [4, 6, 4])  # American Express, Diners
        )
        if regular and luhn(_digits(m.group())):
            yield m.start(), m.end(), "card"


def _phones(text: str, profile: Profile) -> Iterator[Span]:
    if profile is Profile.RESIDENT:
        for m in _PHONE.finditer(text):
            yield m.start(), m.end(), "phone"


def _barcodes(text: str, profile: Profile) -> Iterator[Span]:
    for m in _BARCODE.finditer(text):
        yield m.start(), m.end(), "card"


# In order of precedence: a span that overlaps one found earlier is dropped.
_DETECTORS: tuple[Detector, ...] = (
    _emails,
    _isbns,
    _personal_ids,
    _phones_kept,
    _secret_words,
    _cards_in_context,
    _payment_cards,
    _phones,
    _barcodes,
)


def scan(text: str, profile: Profile = Profile.RESIDENT) -> Redaction:
    norm, index = _normalise(text)
    chosen: list[Span] = []
    for detector in _DETECTORS:
        for start, end, kind in detector(norm, profile):
            if end > start and all(end <= s or start >= e for s, e, _ in chosen):
                chosen.append((start, end, kind))
    removals = sorted((index[s], index[e - 1] + 1, kind) for s, e, kind in chosen if kind is not None)
    if not removals:
        return Redaction(text, ())
    out: list[str] = []
    at = 0
    for start, end, kind in removals:
        out.append(text[at:start])
        out.append(PLACEHOLDERS[kind])
        at = end
    out.append(text[at:])
    return Redaction("".join(out), tuple(kind for _, _, kind in removals))


def redact(text: str, profile: Profile = Profile.RESIDENT) -> str:
    return scan(text, profile).text
