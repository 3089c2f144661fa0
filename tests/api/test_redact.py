"""Redaction of personal ID numbers, card numbers and PINs before anything is stored."""

from __future__ import annotations

import pytest

from api.conversations.redact import CARD_NUMBER, PERSONAL_ID, PIN, redact


@pytest.mark.parametrize(
    "number",
    [
        "850709-1234",  # YYMMDD-XXXX
        "850709+1234",  # + for someone over 100
        "8507091234",  # YYMMDDXXXX
        "850709 1234",
        "198507091234",  # YYYYMMDDXXXX
        "19850709-1234",
        "20050709-1234",
        "19150709+1234",
        "850769-1234",  # samordningsnummer: day 09 + 60
        "198507691234",
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
        ("lösenord 123456", f"lösenord {PIN}"),
        ("мой пин-код 1234", f"мой пин-код {PIN}"),
        ("мой пароль 12345", f"мой пароль {PIN}"),
        ("şifre: 1234", f"şifre: {PIN}"),
        ("şifrem 1234", f"şifrem {PIN}"),  # Turkish "my PIN"
        ("pinkoodini on 1234", f"pinkoodini on {PIN}"),  # Finnish "my PIN is"
        ("tunnusluku 4321", f"tunnusluku {PIN}"),
        ("mój kod PIN to 1234", f"mój kod PIN to {PIN}"),
        ("hasło 1234", f"hasło {PIN}"),
        ("mi clave es 1234", f"mi clave es {PIN}"),
        ("mi contraseña es 4567", f"mi contraseña es {PIN}"),
        ("رمز 1234", f"رمز {PIN}"),
        ("کد من 1234", f"کد من {PIN}"),
        ("furaha waa 1234", f"furaha waa {PIN}"),
        ("ፒን 1234", f"ፒን {PIN}"),
    ],
)
def test_pins_after_a_word_for_pin_are_redacted(text: str, expected: str) -> None:
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
