"""GET /health: the API, its database, Rasa and the action server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import text

from api.conversations import trackers
from api.conversations.rasa_client import healthy
from api.conversations.retention import JOB as RETENTION_JOB
from api.db import get_engine
from api.jobs import runs
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
    jobs = _jobs() if result["database"] == "ok" else {}
    if any(job["status"] in ("stale", "failing") for job in jobs.values()):
        all_ok = False  # a purge that stopped working keeps personal data past its time
    return {"status": "ok" if all_ok else "degraded", **result, "jobs": jobs}


def _jobs() -> dict[str, dict[str, Any]]:
    """The retention purge's last success (every worker runs it; job_runs is shared) and how
    many Rasa trackers still wait to be deleted. Times only: the errors are in the log."""
    try:
        return {RETENTION_JOB: {**runs.status(RETENTION_JOB), "pending_tracker_deletions": trackers.waiting()}}
    except Exception:  # noqa: BLE001 - e.g. not migrated yet; /health itself must answer
        return {RETENTION_JOB: {"status": "unknown"}}
