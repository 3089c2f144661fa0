"""`/static`: scripts and style sheets only (issue 13, point 15).

The HTML pages under api/web/static are served by their own routes (/desk, /content, /,
/integritet, /tillganglighet) with the pages' Content-Security-Policy; served from /static they
would run without it. So /static answers 404 for anything but .js and .css (case-insensitive,
so `DESK.HTML` is no way round), and sends `nosniff` so nothing it serves is read as another type.
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

SERVED = (".js", ".css")


class AssetFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        if not path.lower().endswith(SERVED):
            return PlainTextResponse("Not Found", status_code=404)
        response = await super().get_response(path, scope)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
