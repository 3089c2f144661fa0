from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.language.registry import languages

router = APIRouter(prefix="/api/languages", tags=["languages"])


class LanguageOut(BaseModel):
    code: str
    name: str
    english: str
    dir: str


@router.get("", response_model=list[LanguageOut])
def list_languages() -> list[LanguageOut]:
    return [
        LanguageOut(code=lang.code, name=lang.name, english=lang.english, dir=lang.dir) for lang in languages().values()
    ]
