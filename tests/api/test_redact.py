"""Redaction of personal ID numbers, card numbers, PINs and passwords before anything is stored
(api/privacy/redact.py; the broad corpus is tests/api/redaction_corpus.yml)."""

from __future__ import annotations

import pytest

from api.privacy.redact import CARD_NUMBER, PERSONAL_ID, PIN, PLACEHOLDERS, Profile, redact, scan

PASSWORD = PLACEHOLDERS["pw"]


@pytest.mark.parametrize(
    "number",
    [
        "850709-1234",  # YYMMDD-XXXX
        "850709+1234",  # + for someone over 100
        "8507091232",  # YYMMDDXXXX: without a dash the Luhn digit must be right
        "850709 1232",
        "198507091232",  # YYYYMMDDXXXX
        "19850709-1234",
        "20050709-1234",
        "19150709+1234",
        "850769-1234",  # samordningsnummer: day 09 + 60
        "198507691239",
        "20010891-4321",  # samordningsnummer: day 31 + 60
    ],
)
def test_personal_id_numbers_are_redacted(number: str) -> None:
    for text, expected in [
        (number, PERSONAL_ID),
        (
            f"mitt personnummer är {number}, kan ni hjälpa mig?",
            f"mitt personnummer är {PERSONAL_ID}, kan ni hjälpa mig?",
        ),
        (f"my number ({number}) is on the card", f"my number ({PERSONAL_ID}) is on the card"),
    ]:
        assert redact(text) == expected
        assert number not in redact(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mitt lånekort har nummer 12345678901234", f"mitt lånekort har nummer {CARD_NUMBER}"),  # 14-digit library card
        ("lånekort: 2000123456789 funkar inte", f"lånekort: {CARD_NUMBER} funkar inte"),
        ("kortnummer 4111 1111 1111 1111 exp 12/27", f"kortnummer {CARD_NUMBER} exp 12/27"),  # payment card, spaces
        ("4111111111111111", CARD_NUMBER),
        ("card 5500-0000-0000-0004 was charged", f"card {CARD_NUMBER} was charged"),
    ],
)
def test_card_numbers_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("min pinkod är 1234", f"min pinkod är {PIN}"),
        ("pinkoden är 1234", f"pinkoden är {PIN}"),
        ("PIN: 5678", f"PIN: {PIN}"),
        ("my PIN is 1234, why doesn't it work", f"my PIN is {PIN}, why doesn't it work"),
        ("my pin code is 123456", f"my pin code is {PIN}"),
        ("min kod är 9876", f"min kod är {PIN}"),
        ("lösenord 123456", f"lösenord {PASSWORD}"),
        ("мой пин-код 1234", f"мой пин-код {PIN}"),
        ("мой пароль 12345", f"мой пароль {PASSWORD}"),
        ("şifre: 1234", f"şifre: {PIN}"),
        ("şifrem 1234", f"şifrem {PIN}"),  # Turkish "my PIN"
        ("pinkoodini on 1234", f"pinkoodini on {PIN}"),  # Finnish "my PIN is"
        ("tunnusluku 4321", f"tunnusluku {PIN}"),
        ("mój kod PIN to 1234", f"mój kod PIN to {PIN}"),
        ("hasło 1234", f"hasło {PASSWORD}"),
        ("mi clave es 1234", f"mi clave es {PIN}"),
        ("mi contraseña es 4567", f"mi contraseña es {PASSWORD}"),
        ("رمز 1234", f"رمز {PIN}"),
        ("کد من 1234", f"کد من {PIN}"),
        ("furaha waa 1234", f"furaha waa {PASSWORD}"),
        ("ፒን 1234", f"ፒን {PIN}"),
    ],
)
def test_pins_and_passwords_after_their_word_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_everything_in_one_message() -> None:
    text = "Hej! Personnummer 850709-1234, lånekort 12345678901234 och pinkoden är 1234. Varför kan jag inte låna?"
    assert (
        redact(text)
        == f"Hej! Personnummer {PERSONAL_ID}, lånekort {CARD_NUMBER} och pinkoden är {PIN}. Varför kan jag inte låna?"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Biblioteket har öppet 10-18 idag",
        "öppet 10–18 på vardagar och 08-20 i meröppet",
        "jag har 3 böcker hemma",
        "jag har lånat böckerna sedan 2024",
        "lånetiden är 28 dagar",
        "avgift 20 kr per dag, max 120 kr",
        "boken ska tillbaka 2024-05-12",
        "kan jag låna 10 e-böcker i månaden?",
        "ring 1177 om du är sjuk",
        "jag har koden men den funkar inte",
        "pinkoden har 4 siffror",
        "Hur lånar jag om mina böcker?",
        "",
    ],
)
def test_ordinary_numbers_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_redaction_is_idempotent() -> None:
    once = redact("pinkod 1234, kort 12345678901234, pnr 850709-1234")
    assert redact(once) == once


# ---- issue 13, point 1: each of these was stored verbatim, sent to Rasa and shown to staff --------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("850312–1234", PERSONAL_ID),  # en dash
        ("850312 - 1234", PERSONAL_ID),
        ("19850312 - 1234", PERSONAL_ID),
        ("4111  1111  1111  1111", CARD_NUMBER),
        ("4111.1111.1111.1111", CARD_NUMBER),
        ("pinkoden till mitt kort är 4321", f"pinkoden till mitt kort är {PIN}"),
        ("4321 är min pinkod", f"{PIN} är min pinkod"),
        ("pin4321", f"pin{PIN}"),
        ("my pin number is 4321", f"my pin number is {PIN}"),
        ("lösenordet är 4321", f"lösenordet är {PASSWORD}"),
        ("lösenord är Sommar2024", f"lösenord är {PASSWORD}"),
        ("070 - 123 45 67", "[telefonnummer]"),
        ("skriv till anna.svensson@example.com", "skriv till [e-post]"),
    ],
)
def test_the_formats_of_issue_13_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "pnr ٨٥٠٣١٢-١٢٣٤ tack",  # Arabic-Indic digits
        "pnr ۸۵۰۳۱۲-۱۲۳۴ tack",  # Persian digits
        "pnr ８５０３１２－１２３４ tack",  # fullwidth digits and dash
        "pnr 850312\u00a0-\u00a01234 tack",  # no-break spaces
        "pnr 850312\u2009\u20131234 tack",  # a thin space and an en dash
        "pnr 8503\u200b12-1234 tack",  # a zero-width space hidden inside
        "pnr 850312\u22121234 tack",  # a minus sign
    ],
)
def test_normalisation_finds_the_number_and_keeps_the_rest_as_written(text: str) -> None:
    assert redact(text) == f"pnr {PERSONAL_ID} tack"


def test_what_was_removed_is_reported() -> None:
    found = scan("pnr 850312-1234, pin 4321, mejl a@b.se")
    assert found.changed and found.removed == ("pnr", "pin", "email")
    assert not scan("Hur lånar jag om mina böcker?").changed


def test_staff_text_keeps_the_librarys_phone_number_and_address_but_not_secrets() -> None:
    text = "Ring oss på 08-508 311 00 eller skriv till solna@bibliotek.example. Kunden gav pnr 850312-1234."
    assert redact(text, Profile.STAFF) == text.replace("850312-1234", PERSONAL_ID)
    assert "08-508 311 00" not in redact(text)  # the same words from a resident lose the number


def test_a_samordningsnummer_and_an_impossible_date() -> None:
    assert redact("850372-1238") == PERSONAL_ID  # day 12 + 60
    assert redact("850232-1234") == "850232-1234"  # 32 February is no date (and has a dash: no card)
    assert redact("850231-1234") == "850231-1234"  # nor is 31 February


def test_bare_ten_digits_that_fail_luhn_still_go_as_a_card_number() -> None:
    assert redact("8503121234") == CARD_NUMBER
