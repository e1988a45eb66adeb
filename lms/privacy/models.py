"""Complaints about how personal data is used, and the administrators' answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UUIDPk, utcnow
from lms.extensions import db


class Complaint(UUIDPk, db.Model):
    __tablename__ = "privacy_complaint"

    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | answered
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime | None]

    user = relationship("User", foreign_keys=[user_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
