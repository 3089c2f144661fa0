"""The FastAPI application: `uvicorn api.main:app`."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.exc import OperationalError

from api import errors, health
from api.body_limit import BodyLimit
from api.conversations import routes
from api.conversations.retention import run_purge
from api.curation import routes as curation_routes
from api.db import session_scope
from api.faq.retrieval import get_index
from api.handoff import admin_routes, resident_routes, staff_routes
from api.input_rules import RefuseNulInUrl
from api.insights import routes as insights_routes
from api.language import routes as language_routes
from api.language.detect import warm_up
from api.libraries import routes as library_routes
from api.needs import routes as needs_routes
from api.openapi_doc import serve_public_document
from api.production_guard import require_safe_settings
from api.settings import get_settings
from api.sms import answer_page, outbox
from api.sms import staff_routes as sms_staff_routes
from api.sms import webhooks as sms_webhooks
from api.widget import routes as widget_routes
from api.widget.cors import WidgetCORS
from api.widget.routes import PAGE_HEADERS
from api.widget.static_assets import AssetFiles

log = logging.getLogger("api")
STATIC = Path(__file__).parent / "web" / "static"


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    require_safe_settings(get_settings())  # production never starts with development secrets
    # Turns do CPU work in threads (the FAQ fallback when Rasa is slow); a shorter interpreter-lock
    # switch interval lets light requests in between (docs/decisions/0013-turn-resilience.md).
    sys.setswitchinterval(0.001)
    warm_up()  # load language models and the FAQ index before the first resident waits for them
    try:
        with session_scope() as session:
            get_index().refresh(session)
    except OperationalError:
        log.warning("database not reachable at start-up; the index is built on the first message")
    purger = asyncio.create_task(_purge_every_hour())
    sms_sender = asyncio.create_task(outbox.run_worker())  # resumes whatever the outbox still holds
    yield
    purger.cancel()
    sms_sender.cancel()


async def _purge_every_hour() -> None:
    while True:
        # In a thread: a long purge must not stall the event loop. run_purge logs and records
        # its own failures (job_runs, /health) and never raises, so the loop never ends.
        await asyncio.to_thread(run_purge)
        await asyncio.sleep(3600)


def create_app() -> FastAPI:
    app = FastAPI(
        title="Bibliotekshjälpen API",
        version="0.1.0",
        description="Conversations for the Stockholm region's shared library assistant.",
        lifespan=lifespan,
    )

    errors.install(app)  # 422 and 4xx bodies as the OpenAPI document says; 429 with Retry-After

    @app.exception_handler(OperationalError)
    async def database_down(_request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database error: %s", exc.__class__.__name__)
        return JSONResponse(
            status_code=503,
            content={"detail": "The service is briefly unavailable and nothing was saved. Please send it again."},
            headers={"Retry-After": "5"},
        )

    app.include_router(health.router)
    app.include_router(routes.router)
    app.include_router(resident_routes.router)
    app.include_router(staff_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(curation_routes.router)
    app.include_router(insights_routes.resident_router)
    app.include_router(insights_routes.router)
    app.include_router(needs_routes.router)
    app.include_router(library_routes.router)
    app.include_router(language_routes.router)
    app.include_router(sms_webhooks.router)
    app.include_router(sms_staff_routes.router)
    app.include_router(answer_page.router)
    app.include_router(widget_routes.router)  # /widget.js, its strings, the demo host page at /
    serve_public_document(app)
    app.add_middleware(RefuseNulInUrl)  # inside CORS: a widget on another site can read the 400
    app.add_middleware(BodyLimit)  # inside CORS: a 413 reaches the widget readable
    app.add_middleware(WidgetCORS, origins=get_settings().widget_origins)
    app.mount("/static", AssetFiles(directory=STATIC), name="static")  # .js and .css only: pages need their CSP

    @app.get("/desk", include_in_schema=False)
    def staff_desk() -> FileResponse:
        return FileResponse(STATIC / "desk.html", headers=PAGE_HEADERS)

    @app.get("/content", include_in_schema=False)
    def content_editor() -> FileResponse:
        """The coordinators' content editor, insights and needs inbox."""
        return FileResponse(STATIC / "content" / "content.html", headers=PAGE_HEADERS)

    return app


app = create_app()
