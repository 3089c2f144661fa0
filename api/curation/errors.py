"""The editor's errors, mapped to HTTP by the routes: 422, 409, 404 (and 403 from permissions)."""

from __future__ import annotations


class CurationError(ValueError):
    """Content that cannot be saved as sent; the message says what to change."""


class Conflict(Exception):
    """Someone saved a newer version in between."""


class NotFound(LookupError):
    pass
