"""GET /health: the API, its database, Rasa and the action server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import text

from api.conversations.rasa_client import healthy
from api.db import get_engine
from api.settings import get_settings

router = APIRouter(tags=["health"])


def _database_ok() -> bool:
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "down"; the reason is not for the public
        return False


@router.get("/health")
def health(response: Response) -> dict[str, Any]:
    s = get_settings()
    with ThreadPoolExecutor(3) as pool:
        db = pool.submit(_database_ok)
        rasa = pool.submit(healthy, s.rasa_url + "/")
        actions = pool.submit(healthy, s.action_server_url + "/health")
        checks = {"api": "ok", "database": db.result(), "rasa": rasa.result(), "action_server": actions.result()}
    result = {k: (v if isinstance(v, str) else ("ok" if v else "down")) for k, v in checks.items()}
    all_ok = all(v == "ok" for v in result.values())
    # Without Rasa the API still answers from the FAQ (degraded); without a database it cannot work.
    if result["database"] != "ok":
        response.status_code = 503
    return {"status": "ok" if all_ok else "degraded", **result}
