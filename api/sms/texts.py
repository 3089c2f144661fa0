"""The few texts only SMS needs, per language (the assistant's other texts come from data/texts).

Keywords are matched on the whole message, case-insensitively: a resident writing
"stop renewing my loan" is asking a question, not opting out.
"""

from __future__ import annotations

# key -> language -> text. `or` joins the last two option numbers: "1, 2 or 3".
TEXTS: dict[str, dict[str, str]] = {
    "stopped": {
        "sv": "Du får inga fler sms från Bibliotekshjälpen. Skriv START för att få svar igen.",
        "en": "You will get no more texts from Bibliotekshjälpen. Send START to get replies again.",
        "ar": "لن تصلك رسائل أخرى من Bibliotekshjälpen. أرسل START لتلقي الردود مجددًا.",
        "fa": "دیگر پیامکی از Bibliotekshjälpen دریافت نمی‌کنید. برای دریافت دوباره پاسخ START بفرستید.",
        "fi": "Et saa enää tekstiviestejä Bibliotekshjälpeniltä. Lähetä START, niin saat taas vastauksia.",
        "so": "Fariin kale kama heli doontid Bibliotekshjälpen. Soo dir START si aad jawaabo u hesho mar kale.",
        "ti": "ካብ Bibliotekshjälpen ተወሳኺ መልእኽቲ ኣይክመጸኩምን እዩ። መልሲ ንምርካብ START ስደዱ።",
        "pl": "Nie dostaniesz więcej SMS-ów od Bibliotekshjälpen. Wyślij START, aby znów dostawać odpowiedzi.",
        "es": "No recibirás más SMS de Bibliotekshjälpen. Envía START para volver a recibir respuestas.",
        "uk": "Ви більше не отримуватимете SMS від Bibliotekshjälpen. Надішліть START, щоб знову отримувати відповіді.",
        "ru": "Вы больше не будете получать SMS от Bibliotekshjälpen. Отправьте START, чтобы снова получать ответы.",
        "tr": "Bibliotekshjälpen'den artık SMS almayacaksınız. Yeniden yanıt almak için START gönderin.",
    },
    "started": {
        "sv": "Välkommen tillbaka! Du får svar från Bibliotekshjälpen igen. Skriv STOPP för att sluta.",
        "en": "Welcome back! You will get replies from Bibliotekshjälpen again. Send STOP to stop.",
        "ar": "مرحبًا بعودتك! ستصلك ردود Bibliotekshjälpen مجددًا. أرسل STOP للإيقاف.",
        "fa": "خوش آمدید! دوباره از Bibliotekshjälpen پاسخ می‌گیرید. برای توقف STOP بفرستید.",
        "fi": "Tervetuloa takaisin! Saat taas vastauksia Bibliotekshjälpeniltä. Lähetä STOP lopettaaksesi.",
        "so": "Ku soo dhawoow! Mar kale ayaad jawaabo ka heli doontaa Bibliotekshjälpen. Soo dir STOP si aad u joojiso.",  # noqa: E501
        "ti": "እንቋዕ ብደሓን ተመለስኩም! ካብ Bibliotekshjälpen መልሲ ክመጸኩም እዩ። ንምቁራጽ STOP ስደዱ።",
        "pl": "Witaj ponownie! Znów dostaniesz odpowiedzi od Bibliotekshjälpen. Wyślij STOP, aby zakończyć.",
        "es": "¡Hola de nuevo! Volverás a recibir respuestas de Bibliotekshjälpen. Envía STOP para no recibir más.",
        "uk": "З поверненням! Ви знову отримуватимете відповіді від Bibliotekshjälpen. Надішліть STOP, щоб припинити.",
        "ru": "С возвращением! Вы снова будете получать ответы от Bibliotekshjälpen. Отправьте STOP, чтобы прекратить.",
        "tr": "Tekrar hoş geldiniz! Bibliotekshjälpen'den yeniden yanıt alacaksınız. Durdurmak için STOP gönderin.",
    },
    "reply_with": {
        "sv": "Svara {numbers}.",
        "en": "Reply {numbers}.",
        "ar": "أرسل {numbers}.",
        "fa": "پاسخ دهید: {numbers}.",
        "fi": "Vastaa {numbers}.",
        "so": "Ku jawaab {numbers}.",
        "ti": "{numbers} ስደዱ።",
        "pl": "Odpowiedz {numbers}.",
        "es": "Responde {numbers}.",
        "uk": "Відповідь: {numbers}.",
        "ru": "Ответьте {numbers}.",
        "tr": "{numbers} yazın.",
    },
    "or": {
        "sv": "eller",
        "en": "or",
        "ar": "أو",
        "fa": "یا",
        "fi": "tai",
        "so": "ama",
        "ti": "ወይ",
        "pl": "lub",
        "es": "o",
        "uk": "або",
        "ru": "или",
        "tr": "veya",
    },
    "more": {
        "sv": "Läs mer:",
        "en": "More:",
        "ar": "المزيد:",
        "fa": "بیشتر:",
        "fi": "Lisää:",
        "so": "Wax badan:",
        "ti": "ተወሳኺ:",
        "pl": "Więcej:",
        "es": "Más:",
        "uk": "Більше:",
        "ru": "Подробнее:",
        "tr": "Devamı:",
    },
}

# Whole-message keywords. STOP and START work in every language, as carriers expect.
STOP_WORDS: dict[str, str | None] = {
    "stop": None, "stopp": "sv", "sluta": "sv", "avsluta": "sv", "avregistrera": "sv",
    "unsubscribe": "en", "cancel": "en", "end": "en", "quit": "en", "stopall": "en",
    "توقف": "ar", "إيقاف": "ar", "ايقاف": "ar", "لغو": "fa", "توقف کن": "fa",
    "lopeta": "fi", "jooji": "so", "ኣቋርጽ": "ti", "ደው በል": "ti",
    "zatrzymaj": "pl", "wypisz": "pl", "parar": "es", "baja": "es", "alto": "es",
    "стоп": None, "відписатися": "uk", "отписаться": "ru", "dur": "tr", "iptal": "tr",
}  # fmt: skip
START_WORDS: dict[str, str | None] = {
    "start": None, "starta": "sv", "börja": "sv", "unstop": "en", "subscribe": "en",
    "ابدأ": "ar", "شروع": "fa", "aloita": "fi", "bilow": "so", "ጀምር": "ti",
    "zacznij": "pl", "empezar": "es", "alta": "es", "старт": None, "başla": "tr", "basla": "tr",
}  # fmt: skip


def sms_text(key: str, language: str, **values: str) -> str:
    texts = TEXTS[key]
    text = texts.get(language) or texts["en"]
    return text.format(**values) if values else text


def keyword(text: str) -> tuple[str, str | None] | None:
    """('stop' | 'start', the language the word is in, if it tells) for a keyword message."""
    word = " ".join(text.strip().strip(".!?؟።").split()).casefold()
    if word in STOP_WORDS:
        return "stop", STOP_WORDS[word]
    if word in START_WORDS:
        return "start", START_WORDS[word]
    return None
