from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base


class JobRun(Base):
    """The last success and the last failure of one background job, shared by every API worker
    (each runs the job; any success counts), so /health tells when it last worked."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The error's class and the database's message: never row data or resident text.
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    last_count: Mapped[int | None] = mapped_column(Integer, nullable=True)  # rows deleted by the last success
    last_duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
