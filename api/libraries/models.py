from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base


class Library(Base):
    """One of the region's municipal library organisations."""

    __tablename__ = "libraries"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # ASCII slug of the municipality
    name: Mapped[str] = mapped_column(String(200))
    municipality: Mapped[str] = mapped_column(String(100))
    website: Mapped[str] = mapped_column(String(300))
