"""Language detection of resident messages, and explicit language requests (pure unit tests)."""

from __future__ import annotations

import pytest

from api.conversations.language_choice import parse_language_choice
from api.language.detect import detect
from api.language.greetings import smalltalk_language

# One realistic question per language lingua detects for us; no context, so Swedish is the prior.
QUESTIONS = [
    ("sv", "Hur lånar jag om mina böcker?"),
    ("en", "I lost my library card, what should I do?"),
    ("ar", "كيف يمكنني الحصول على بطاقة مكتبة؟"),
    ("fa", "چطور می‌توانم کارت کتابخانه بگیرم؟"),
    ("fi", "Miten saan kirjastokortin?"),
    ("so", "Sidee baan ku heli karaa kaarka maktabadda?"),
    ("pl", "Jak mogę przedłużyć wypożyczenie książek?"),
    ("es", "¿Cómo puedo renovar mis libros de la biblioteca?"),
    ("uk", "Як я можу отримати читацький квиток у бібліотеці?"),
    ("ru", "Как мне продлить книги в библиотеке?"),
    ("tr", "Kütüphane kartını nasıl alabilirim?"),
]


@pytest.mark.parametrize(("expected", "text"), QUESTIONS, ids=[code for code, _ in QUESTIONS])
def test_question_in_each_supported_language(expected: str, text: str) -> None:
    d = detect(text)
    assert (d.language, d.supported, d.confident) == (expected, True, True)


@pytest.mark.parametrize(("expected", "text"), QUESTIONS, ids=[code for code, _ in QUESTIONS])
def test_a_clear_question_switches_away_from_the_conversation_language(expected: str, text: str) -> None:
    context = "en" if expected == "sv" else "sv"
    assert detect(text, context=context).language == expected


@pytest.mark.parametrize("context", [None, "sv", "en", "ar"])
@pytest.mark.parametrize("text", ["ኣብ ቤት መጻሕፍቲ ካርድ ከመይ ይረክብ?", "ሰላም", "ካርድ ጠፊኡኒ"])
def test_ethiopic_script_is_tigrinya(text: str, context: str | None) -> None:
    d = detect(text, context=context)
    assert (d.language, d.supported, d.confident) == ("ti", True, True)


@pytest.mark.parametrize("context", ["sv", "en", "ar", "fa", "ti", "uk"])
@pytest.mark.parametrize("text", ["ok", "hej!", "1", "👍", "  ", "?!"])
def test_short_message_keeps_the_conversation_language(text: str, context: str) -> None:
    d = detect(text, context=context)
    assert (d.language, d.supported, d.confident) == (context, True, False)


@pytest.mark.parametrize("context", [None, "xx", "de"])
def test_short_message_without_a_supported_context_is_swedish(context: str | None) -> None:
    assert detect("ok", context=context).language == "sv"


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        ("fa", "سلام، من کارت کتابخانه‌ام را گم کرده‌ام، چه کار باید بکنم؟"),
        ("ar", "مرحبا، لقد فقدت بطاقة المكتبة الخاصة بي، ماذا أفعل؟"),
        ("fa", "میخواهم کتاب‌هایم را تمدید کنم"),
        ("ar", "أريد تجديد الكتب التي استعرتها"),
    ],
)
@pytest.mark.parametrize("context", [None, "ar", "fa"])
def test_persian_and_arabic_are_told_apart(expected: str, text: str, context: str | None) -> None:
    assert detect(text, context=context).language == expected


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        ("uk", "Я загубив читацький квиток, що мені робити?"),
        ("ru", "Я потерял читательский билет, что мне делать?"),
        ("uk", "Чи можна продовжити книжки через інтернет?"),
        ("ru", "Можно ли продлить книги через интернет?"),
    ],
)
@pytest.mark.parametrize("context", [None, "uk", "ru"])
def test_ukrainian_and_russian_are_told_apart(expected: str, text: str, context: str | None) -> None:
    assert detect(text, context=context).language == expected


@pytest.mark.parametrize("context", [None, "sv", "en"])
@pytest.mark.parametrize(
    "text", ["hur lanar jag om mina bocker", "var ligger narmaste bibliotek", "jag har glomt min pinkod"]
)
def test_swedish_without_diacritics_is_swedish(text: str, context: str | None) -> None:
    assert detect(text, context=context).language == "sv"


@pytest.mark.parametrize("context", [None, "sv", "en"])
@pytest.mark.parametrize(
    "text",
    [
        "Hvordan fornyer jeg lånene mine på biblioteket?",  # Norwegian
        "Jeg har mistet lånekortet mitt, hva gjør jeg?",  # Norwegian
        "Hvordan kan jeg forny mine bøger på biblioteket?",  # Danish
    ],
)
def test_norwegian_and_danish_are_answered_in_swedish(text: str, context: str | None) -> None:
    d = detect(text, context=context)
    assert (d.language, d.supported) == ("sv", True)


@pytest.mark.parametrize("context", [None, "sv", "en"])
@pytest.mark.parametrize(
    ("expected", "text"),
    [
        ("de", "Wie kann ich meine Bücher in der Bibliothek verlängern?"),
        ("de", "Ich habe meinen Bibliotheksausweis verloren, was soll ich tun?"),
        ("fr", "Comment est-ce que je peux renouveler mes livres à la bibliothèque ?"),
        ("fr", "J'ai perdu ma carte de bibliothèque, que dois-je faire ?"),
    ],
)
def test_german_and_french_are_unsupported(expected: str, text: str, context: str | None) -> None:
    d = detect(text, context=context)
    assert (d.language, d.supported) == (expected, False)


@pytest.mark.parametrize("context", [None, "en"])
@pytest.mark.parametrize(
    "text",
    [
        "How do I log in to Mina sidor to renew my books?",
        "I lost my lånekort, what should I do?",
        "got my lånekort in Järfälla but I commute to Sundbyberg every day, will it work at the library there",
        "Can I borrow e-books with Biblio if I log in with BankID?",
    ],
)
def test_swedish_word_inside_an_english_sentence_stays_english(text: str, context: str | None) -> None:
    assert detect(text, context=context).language == "en"


def test_swedish_word_inside_a_short_english_sentence_stays_english_in_an_english_conversation() -> None:
    assert detect("Where can I get a lånekort in my town?", context="en").language == "en"


@pytest.mark.parametrize(
    ("text", "language", "easy_read"),
    [
        ("can you answer in English?", "en", False),
        ("på arabiska tack", "ar", False),
        ("lättläst", "sv", True),
        ("Lättläst svenska, tack", "sv", True),
        ("svara på somaliska", "so", False),
        ("på svenska", "sv", False),
        ("по-русски, пожалуйста", "ru", False),
        ("Türkçe lütfen", "tr", False),
        ("ብትግርኛ", "ti", False),
        ("FARSI please", "fa", False),
    ],
)
def test_explicit_language_request(text: str, language: str, easy_read: bool) -> None:
    choice = parse_language_choice(text)
    assert (choice.language, choice.easy_read) == (language, easy_read)


@pytest.mark.parametrize(
    "text",
    [
        "Hur lånar jag om mina böcker?",
        "I lost my library card, what should I do?",
        "När öppnar biblioteket på lördag?",
        "Kütüphane kartını nasıl alabilirim?",
        "ok",
    ],
)
def test_normal_question_is_not_a_language_request(text: str) -> None:
    assert parse_language_choice(text).language is None
    assert parse_language_choice(text).easy_read is False


@pytest.mark.parametrize("context", ["sv", "en", "ar"])
@pytest.mark.parametrize(
    ("expected", "text"),
    [
        ("fi", "moi"),
        ("fi", "Moiii!"),
        ("so", "asc iska warran"),
        ("tr", "merhaba"),
        ("sv", "hejsan!"),
        ("pl", "dzien dobry"),
    ],
)
def test_a_greeting_only_one_language_uses_names_that_language(expected: str, text: str, context: str) -> None:
    # Too short for lingua, but no other language greets like this (the examples in data/nlu).
    d = detect(text, context=context)
    assert (d.language, d.supported, d.confident) == (expected, True, True)


@pytest.mark.parametrize("text", ["hej", "hej!", "tack", "hej då", "ok", "hi"])
def test_a_greeting_residents_of_many_languages_use_names_no_language(text: str) -> None:
    assert smalltalk_language(text) is None


def test_a_longer_message_of_greeting_words_is_left_to_the_detector() -> None:
    assert smalltalk_language("moi moi moi moi moi") is None


@pytest.mark.parametrize(
    ("text", "spoken", "language"),
    [
        # The language wanted and the one spoken so far, in either order.
        ("puedes contestarme en inglés? es para mi pareja que no habla español", "es", "en"),
        ("my Somali reading is not so good, can you answer in English", "so", "en"),
        ("Can you answer in English please? I want to show it to my Swedish neighbour", "uk", "en"),
        # Inflected names, as people write them.
        ("mozesz odpowiadac po angielsku? maz tez chce przeczytac", "pl", "en"),
        ("ممكن تحكي معي بالسويدي؟ عم اتعلم اللغة", "ar", "sv"),
        ("voitko vastata englanniksi?", "fi", "en"),
        ("можно по-английски? это для соседки", "ru", "en"),
        # Only the language spoken is named: that one (the caller decides it is no switch).
        ("I want to practise my English", "en", "en"),
    ],
)
def test_a_request_naming_two_languages_wants_the_one_not_spoken(text: str, spoken: str, language: str) -> None:
    assert parse_language_choice(text, spoken).language == language


@pytest.mark.parametrize(
    ("text", "conversation", "language"),
    [
        # Swedish names in another language do not make the message Swedish.
        ("and if I live in Täby but work in Stockholm, can I get one there?", "en", "en"),
        ("Is there free wifi at Stadsbiblioteket?", "en", "en"),
        ("¿y con la de Skatteverket?", "es", "es"),
        ("Sundbyberg'de de var mı?", "tr", "tr"),
        # Swedish written around a name is Swedish, whatever the conversation was in.
        ("Hur kommer jag till Stadsbiblioteket?", "en", "sv"),
        ("Finns det wifi på Stadsbiblioteket?", "en", "sv"),
        ("Hur lånar jag om?", "en", "sv"),
        # A few words that read as a language we do not speak keep the conversation's.
        ("رو آیپد چی؟", "fa", "fa"),
        # A longer message in one is still recognised as such.
        ("Sprechen Sie Deutsch? Ich verstehe kein Englisch", "en", "de"),
    ],
)
def test_names_and_short_lines_keep_the_conversations_language(text: str, conversation: str, language: str) -> None:
    assert detect(text, conversation).language == language
