"""Routes of the embeddable chat widget (docs/decisions/0007-widget.md).

`GET /widget.js` is the one script a library site embeds; it loads `widget.css` from this origin
and its UI strings from `GET /api/widget/strings`. `/` is a demo host page (a mock library site
under a strict Content-Security-Policy), `/integritet` and `/tillganglighet` are the privacy
notice and the accessibility statement the widget links to.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import FileResponse
from pydantic import BaseModel

from api.language.registry import is_supported, languages
from api.settings import get_settings

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
EASY_READ = "sv-easy"
FALLBACK = "sv"

# What the demo pages allow: only this origin, nothing inline (the widget must work under it).
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(tags=["widget"])


class WidgetStrings(BaseModel):
    lang: str
    html_lang: str
    dir: str
    status: str
    strings: dict[str, str]


@lru_cache(maxsize=32)
def _load(code: str) -> dict[str, Any]:
    path = get_settings().data_dir / "widget" / f"{code}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {"status": str(data.get("status", "draft")), "strings": {k: str(v) for k, v in data["strings"].items()}}


def widget_strings(code: str) -> WidgetStrings:
    """The widget's UI strings in one language (or easy-to-read Swedish), Swedish filling any gap."""
    base = _load(FALLBACK)["strings"]
    own = _load(code)
    html_lang = "sv" if code == EASY_READ else code
    direction = languages()[html_lang].dir
    return WidgetStrings(
        lang=code, html_lang=html_lang, dir=direction, status=own["status"], strings={**base, **own["strings"]}
    )


@router.get("/api/widget/strings", response_model=WidgetStrings)
def get_strings(
    lang: str = Query(default=FALLBACK, description="A language code from /api/languages, or sv-easy"),
) -> WidgetStrings:
    code = lang.strip().lower()
    if code != EASY_READ and not is_supported(code):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No widget strings for {lang!r}")
    return widget_strings(code)


# The widget's script and style are loaded by other sites' pages: always revalidated, cross-origin.
ASSET_HEADERS = {
    "Cache-Control": "no-cache",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "X-Content-Type-Options": "nosniff",
}


def _static(relative: str, media_type: str, headers: dict[str, str] | None = None) -> FileResponse:
    return FileResponse(STATIC / relative, media_type=media_type, headers=headers)


@router.get("/widget.js", include_in_schema=False)
def widget_script() -> FileResponse:
    return _static(
        "widget/widget.js",
        "text/javascript; charset=utf-8",
        ASSET_HEADERS,
    )


@router.get("/widget.css", include_in_schema=False)
def widget_style() -> FileResponse:
    return _static(
        "widget/widget.css",
        "text/css; charset=utf-8",
        ASSET_HEADERS,
    )


@router.get("/", include_in_schema=False)
def demo_host_page() -> FileResponse:
    return _static("demo/index.html", "text/html; charset=utf-8", PAGE_HEADERS)


@router.get("/integritet", include_in_schema=False)
def privacy_notice() -> FileResponse:
    return _static("pages/integritet.html", "text/html; charset=utf-8", PAGE_HEADERS)


@router.get("/tillganglighet", include_in_schema=False)
def accessibility_statement() -> FileResponse:
    return _static("pages/tillganglighet.html", "text/html; charset=utf-8", PAGE_HEADERS)
