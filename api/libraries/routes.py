from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from api.conversations.routes import SessionDep
from api.libraries.models import Library

router = APIRouter(prefix="/api/libraries", tags=["libraries"])


class LibraryOut(BaseModel):
    id: str
    name: str
    municipality: str
    website: str


@router.get("", response_model=list[LibraryOut])
def list_libraries(session: SessionDep) -> list[LibraryOut]:
    return [
        LibraryOut.model_validate(lib, from_attributes=True)
        for lib in session.scalars(select(Library).order_by(Library.name))
    ]
