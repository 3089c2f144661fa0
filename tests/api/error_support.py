"""Reading error bodies in tests: a 422's `detail` is a list of {loc, msg, type} (api/errors.py)."""

from __future__ import annotations

from typing import Any


def messages(resp: Any) -> str:
    """Every message of a 422, each after where it is ("area.name: ..."), joined; another 4xx's one."""
    detail = resp.json()["detail"]
    if not isinstance(detail, list):
        return str(detail)
    return " | ".join(
        ".".join(str(p) for p in d["loc"] if p != "body") + ": " + d["msg"] if len(d["loc"]) > 1 else d["msg"]
        for d in detail
    )


def import_problems(resp: Any) -> list[str]:
    return [d["msg"] for d in resp.json()["detail"] if d["type"] == "import_problem"]
