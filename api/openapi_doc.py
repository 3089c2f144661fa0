"""The OpenAPI document: the public one at /openapi.json (and /docs) leaves out the bot side's
internal routes (decision 0011); the test suite fuzzes the full one (tests/api/test_schemathesis.py)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.errors import document_errors

INTERNAL_PREFIX = "/internal/"


def full_document(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    document_errors(doc)  # the error bodies as api/errors.py sends them
    return doc


def serve_public_document(app: FastAPI) -> None:
    def public() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = full_document(app)
            doc["paths"] = {p: v for p, v in doc["paths"].items() if not p.startswith(INTERNAL_PREFIX)}
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = public  # type: ignore[method-assign]
