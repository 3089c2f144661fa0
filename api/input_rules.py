"""What every request must satisfy before a handler or the database sees it (issue 13, point 11).

Bad input is refused at the edge with a 4xx, once, instead of failing as a 500 deep inside:

- Integers: every integer column is a 32-bit INTEGER (PostgreSQL raises "integer out of range"
  past 2**31-1, SQLite "Python int too large" past 2**63-1), so every integer a client sends
  (ids, resume points, versions) is a `DbInt`: 0..2**31-1, else 422.
- Dates: a period is computed from a day (end - 29 days, end + 1 day), which overflows at the
  ends of Python's calendar; a `Day` is within 1900..2999, else 422.
- Text: PostgreSQL text cannot hold NUL (U+0000): a URL carrying one is refused by
  `RefuseNulInUrl` (400), a body by `RequestBody` (every JSON body model derives from it) or the
  `StoredText` type (422). No database (nor a JSON response) can encode a lone surrogate (JSON's
  "\\ud800"): in a body it becomes U+FFFD, as undecodable bytes do, before anything else reads it,
  error messages included.
- SMS webhooks are the exception: a 4xx makes the provider drop the resident's message, so
  `strip_controls` removes control characters and the message is answered.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from annotated_types import Ge, Le
from pydantic import AfterValidator, BaseModel, field_validator, model_validator
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

DB_INT_MAX = 2**31 - 1  # PostgreSQL INTEGER, the narrowest integer column we store or compare with
DbInt = Annotated[int, Ge(0), Le(DB_INT_MAX)]
Day = Annotated[date, Ge(date(1900, 1, 1)), Le(date(2999, 12, 31))]

NUL_IN_URL = "The address contains a NUL character (%00), which no resource has"


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value: Any) -> Any:
    """Strings anywhere in a JSON value (object keys, array items, nested objects) encodable."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    return value


def _refuse_nul(value: Any) -> Any:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key)
            _refuse_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_nul(item)
    return value


StoredText = Annotated[str, AfterValidator(lambda text: _refuse_nul(_without_surrogates(text)))]


class RequestBody(BaseModel):
    """Base of every JSON request body: text a database cannot store is refused or repaired, in
    any field."""

    @model_validator(mode="before")
    @classmethod
    def _encodable(cls, data: Any) -> Any:
        return _without_surrogates(data)

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return _refuse_nul(value)


class RefuseNulInUrl:
    """400 for a NUL character in the path or the query string, before routing: path and query
    parameters (ids, library, language, ...) reach database queries, and a NUL there is never
    meaningful."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            "\x00" in scope["path"] or b"%00" in scope["query_string"] or b"\x00" in scope["query_string"]
        ):
            await JSONResponse({"detail": NUL_IN_URL}, status_code=400)(scope, receive, send)
            return
        await self.app(scope, receive, send)


# C0 control characters and DEL, except tab and newline (carriage returns become newlines first).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def strip_controls(text: str) -> str:
    """An SMS as a person reads it: no NUL or other control characters, which a phone does not
    show either. Used on the providers' webhooks, where refusing would lose the message."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
