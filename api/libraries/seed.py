"""Load the region's libraries from data/libraries.yml (insert or update by id)."""

from __future__ import annotations

import yaml
from sqlalchemy.orm import Session

from api.libraries.models import Library
from api.settings import get_settings


def seed_libraries(session: Session) -> int:
    raw = yaml.safe_load((get_settings().data_dir / "libraries.yml").read_text(encoding="utf-8"))
    for item in raw["libraries"]:
        lib = session.get(Library, item["id"]) or Library(id=item["id"])
        lib.name, lib.municipality, lib.website = item["name"], item["municipality"], item["website"]
        session.add(lib)
    return len(raw["libraries"])
