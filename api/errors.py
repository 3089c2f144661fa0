"""Error bodies as the OpenAPI document describes them (issue 13, point 7).

- 422: `{"detail": [{"loc", "msg", "type"}]}` (FastAPI's HTTPValidationError), whether pydantic or a
  handler found the problem. `msg` is plain language; the input itself (pydantic's `input` and `ctx`)
  is never echoed: it may be a resident's message with personal data in it.
- Every other 4xx: `{"detail": "what to do"}`, documented as `Error` under `4XX` on every operation.
- 429 (api/ratelimit) carries Retry-After.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.utils import is_body_allowed_for_status_code
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.ratelimit import RateLimited

VALIDATION = {"$ref": "#/components/schemas/HTTPValidationError"}
ERROR = {"$ref": "#/components/schemas/Error"}


def _plain(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    limit = (err.get("ctx") or {}).get("max_length")
    if kind == "string_too_long":
        return f"The text is too long (at most {limit} characters)."
    if kind == "string_too_short":
        return "The text is empty."
    if kind == "missing":
        return "This is required."
    if kind == "string_type":
        return "This must be text."
    if kind == "extra_forbidden":
        return "This field is not allowed here."
    if kind == "json_invalid":
        return "The body is not valid JSON."
    return str(err.get("msg", "Not valid here."))  # pydantic's message names the rule, not the input


def validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [p if isinstance(p, (str, int)) else str(p) for p in err.get("loc", ())], "msg": _plain(err),
         "type": str(err.get("type", "value_error"))}
        for err in exc.errors()
    ]  # fmt: skip


def as_validation(detail: Any) -> list[dict[str, Any]]:
    """A handler's own 422 (a string, or an import's {message, errors}) in the documented shape."""
    if isinstance(detail, list):
        return detail
    if isinstance(detail, dict):
        items = [{"loc": ["body"], "msg": str(detail.get("message", "")), "type": "import_invalid"}]
        items += [{"loc": ["body"], "msg": str(e), "type": "import_problem"} for e in detail.get("errors", [])]
        return items
    return [{"loc": ["body"], "msg": str(detail), "type": "invalid"}]


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": validation_detail(exc)})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        if not is_body_allowed_for_status_code(exc.status_code):
            return Response(status_code=exc.status_code, headers=exc.headers)
        detail = as_validation(exc.detail) if exc.status_code == 422 else exc.detail
        return JSONResponse(status_code=exc.status_code, content={"detail": detail}, headers=exc.headers)

    @app.exception_handler(RateLimited)
    async def rate_limited(_request: Request, exc: RateLimited) -> JSONResponse:
        return JSONResponse(
            status_code=429, content={"detail": exc.message}, headers={"Retry-After": str(exc.retry_after)}
        )


def document_errors(spec: dict[str, Any]) -> None:
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "title": "Error",
        "type": "object",
        "properties": {"detail": {"type": "string", "title": "Detail"}},
        "required": ["detail"],
    }
    schemas.setdefault(
        "ValidationError",
        {
            "title": "ValidationError",
            "type": "object",
            "properties": {
                "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                "msg": {"type": "string"},
                "type": {"type": "string"},
            },
            "required": ["loc", "msg", "type"],
        },
    )
    schemas.setdefault(
        "HTTPValidationError",
        {
            "title": "HTTPValidationError",
            "type": "object",
            "properties": {"detail": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}},
        },
    )
    for ops in spec.get("paths", {}).values():
        for op in ops.values():
            responses = op.setdefault("responses", {})
            responses.setdefault(
                "422", {"description": "Validation Error", "content": {"application/json": {"schema": VALIDATION}}}
            )
            responses.setdefault(
                "4XX",
                {"description": "Refused: `detail` says why (429 with Retry-After)",
                 "content": {"application/json": {"schema": ERROR}}},
            )  # fmt: skip
