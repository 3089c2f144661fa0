"""GET /answers/{topic}: one FAQ answer as a small public web page, where an SMS that had to
be shortened links to. Plain HTML, every value escaped, the language and direction declared."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.db import session_scope
from api.faq.answers import find_answer
from api.language.registry import languages

router = APIRouter(tags=["answers"])

_PAGE = """<!doctype html>
<html lang="{lang}" dir="{dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Bibliotekshjälpen</title>
<style>
body {{ font: 1.125rem/1.6 system-ui, sans-serif; max-width: 40rem; margin: 0 auto; padding: 1rem; color: #1a1a1a; }}
h1 {{ font-size: 1.5rem; }}
a {{ color: #0b5394; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
{paragraphs}
<p><a href="/">Bibliotekshjälpen</a></p>
</main>
</body>
</html>
"""


def _render(title: str, text: str, lang: str, status: int = 200) -> HTMLResponse:
    language = languages().get(lang)
    paragraphs = "\n".join(f"<p>{escape(p.strip())}</p>" for p in text.split("\n") if p.strip())
    html = _PAGE.format(
        lang=escape(lang), dir=language.dir if language else "ltr", title=escape(title), paragraphs=paragraphs
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "public, max-age=300"})


@router.get("/answers/{topic}", response_class=HTMLResponse)
def answer_page(topic: str, lang: str = "sv", library: str | None = None, easy: bool = False) -> HTMLResponse:
    """The full answer of `topic` in `lang` (the library's own version where it has one)."""
    with session_scope() as session:
        answer = find_answer(session, topic, lang, library, easy)
    if answer is None:
        return _render("Not found", "There is no answer with this name.", "en", status=404)
    return _render(answer.title, answer.text, answer.language)
