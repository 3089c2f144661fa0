"""CORS for the embedded widget: only the resident-facing paths answer other origins.

The staff desk (`/api/staff/...`, cookie sessions) never gets CORS headers, whatever
WIDGET_ORIGINS says; the resident API authenticates with bearer tokens, not cookies.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

WIDGET_PATHS = ("/api/conversations", "/api/languages", "/api/libraries", "/api/widget/")


class WidgetCORS:
    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
            # The widget waits at least this long before it sends a message again (429/503).
            expose_headers=["Retry-After"],
            allow_credentials=False,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(WIDGET_PATHS):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
