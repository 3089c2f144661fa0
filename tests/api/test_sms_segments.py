"""SMS length: GSM-7 and UCS-2 segments, fitting a text to the budget, phone numbers."""

from __future__ import annotations

import re

import pytest
import yaml

from api.language.registry import languages
from api.settings import get_settings
from api.sms.phone import BadNumber, mask, normalise
from api.sms.segments import fits, plain, shorten, size, split
from api.sms.texts import keyword

ARABIC = "يمكنك تجديد الإعارة عبر الإنترنت في صفحتي أو في المكتبة. "
RUSSIAN = "Вы можете продлить книги на сайте библиотеки или в самой библиотеке. "
TIGRINYA = "ኣብ ቤት መጻሕፍቲ ወይ ብኢንተርነት ክትሕድስዎ ትኽእሉ ኢኹም። "


def test_gsm7_swedish_fits_160_then_153_a_segment() -> None:
    assert size("Hej! Lånekort är gratis på alla bibliotek.").encoding == "GSM-7"
    assert size("å" * 160).segments == 1 and size("å" * 161).segments == 2
    assert size("a" * 306).segments == 2 and size("a" * 307).segments == 3


def test_extension_characters_take_two_septets_and_are_never_split() -> None:
    assert size("€" * 80).units == 160 and size("€" * 80).segments == 1
    assert size("€" * 81).segments == 2
    # 152 septets then a two-septet character: it starts the second segment.
    assert size("a" * 152 + "€" + "a" * 10).segments == 2
    assert size("a" * 152 + "€" + "a" * 152).segments == 3


@pytest.mark.parametrize("text", [ARABIC, RUSSIAN, TIGRINYA])
def test_arabic_cyrillic_and_ethiopic_are_ucs2_70_then_67_a_segment(text: str) -> None:
    long = (text * 10).strip()
    assert size(long).encoding == "UCS-2"
    assert size(long[:70]).segments == 1 and size(long[:71]).segments == 2
    assert size(long[:134]).segments == 2 and size(long[:135]).segments == 3


def test_one_non_gsm_character_makes_the_whole_text_ucs2_and_emoji_are_not_split() -> None:
    assert size("Hej 😀").encoding == "UCS-2" and size("😀").units == 2
    assert size("a" * 66 + "😀").segments == 1  # 68 units: still one 70-unit segment
    assert size("a" * 68 + "😀" + "a").segments == 2
    assert size("a" * 66 + "😀" + "a" * 66).segments == 3  # the pair would straddle 67: it moves on


def test_typographic_dashes_and_quotes_do_not_force_ucs2() -> None:
    assert plain("Fråga ditt bibliotek – det skiljer sig.") == "Fråga ditt bibliotek - det skiljer sig."
    assert size(plain("”Biblio” – appen…")).encoding == "GSM-7"
    assert plain("مرحبا – أهلا") == "مرحبا – أهلا"  # UCS-2 anyway: left as written


@pytest.mark.parametrize("text", [ARABIC * 8, RUSSIAN * 8, TIGRINYA * 8, "Lånekort är gratis. " * 40])
def test_shorten_keeps_whole_sentences_and_the_link_within_the_budget(text: str) -> None:
    link = "\nMore: https://sms.bibliotek.example/answers/card.get?lang=xx"
    for budget in (1, 2, 3):
        short = shorten(text.strip(), budget, suffix=link)
        assert fits(short, budget), (budget, size(short))
        assert short.endswith(link)
        body = short.removesuffix(link)
        assert text.startswith(body.rstrip("…")) and body.endswith((".", "።", "…"))


def test_split_loses_nothing_and_every_part_fits() -> None:
    text = " ".join(f"Mening nummer {i} om lånekort och e-böcker." for i in range(40))
    parts = split(text, 2)
    assert len(parts) > 1 and all(fits(p, 2) for p in parts)
    assert " ".join(parts).split() == text.split()
    arabic = (ARABIC * 12).strip()
    parts = split(arabic, 1)
    assert all(size(p).segments == 1 for p in parts) and " ".join(parts).split() == arabic.split()


@pytest.mark.parametrize(
    ("raw", "e164"),
    [("+46 70-123 45 67", "+46701234567"), ("0046701234567", "+46701234567"), ("070 123 45 67", "+46701234567"),
     ("+358 40 123 4567", "+358401234567"), ("+1 (415) 555-0100", "+14155550100")],
)  # fmt: skip
def test_numbers_are_normalised_to_e164(raw: str, e164: str) -> None:
    assert normalise(raw) == e164


@pytest.mark.parametrize("raw", ["", "hello", "+46", "12345", "+0701234567", "+46 70 123 45 67 89 01 23"])
def test_not_a_number_is_refused(raw: str) -> None:
    with pytest.raises(BadNumber):
        normalise(raw)


def test_masking_shows_the_country_and_two_digits_at_each_end() -> None:
    assert mask("+46701234567") == "+46 70 ••• •• 67"
    assert mask("+358401234567") == "+358 40 ••• •• 67"
    assert mask("+14155550100") == "+1 41 ••• •• 00"
    assert "1234" not in (mask("+46701234567") or "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("STOP", ("stop", None)), ("sluta", ("stop", "sv")), (" Stopp! ", ("stop", "sv")), ("توقف", ("stop", "ar")),
     ("СТОП", ("stop", None)), ("lopeta", ("stop", "fi")), ("START", ("start", None)), ("Starta", ("start", "sv")),
     ("stop renewing my loan", None), ("Hur stoppar jag?", None)],
)  # fmt: skip
def test_keywords_are_whole_messages(text: str, expected: tuple[str, str | None] | None) -> None:
    assert keyword(text) == expected


SMS_TEXT_KEYS = ("sms_stopped", "sms_started", "sms_reply_with", "sms_or", "sms_more")


def test_every_sms_text_is_in_every_language_with_its_placeholders() -> None:
    def texts(lang: str) -> dict[str, str]:
        path = get_settings().data_dir / "texts" / f"{lang}.yml"
        return yaml.safe_load(path.read_text(encoding="utf-8"))["texts"]  # type: ignore[no-any-return]

    english = texts("en")
    for lang in languages():
        own = texts(lang)
        for key in SMS_TEXT_KEYS:
            assert own.get(key), f"{lang}.yml has no {key}"
            assert set(re.findall(r"\{\w+\}", own[key])) == set(re.findall(r"\{\w+\}", english[key])), (lang, key)
        assert "START" in own["sms_stopped"] and "STOP" in own["sms_started"], lang
