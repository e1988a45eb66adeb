"""Readiness requirements per mission and role, and signed readiness reports."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Timestamps, UUIDPk, utcnow
from lms.extensions import db
from lms.xapi.models import Statement

REQUIREMENT_KINDS = {"course": _l("Course"), "exercise": _l("Scenario exercise")}
REQUIREMENT_RULES = {"completed": _l("Completed"), "passed": _l("Passed")}
WAIVER_REASONS = {
    "Tested Out": _l("Tested out"),
    "Equivalent AU": _l("Equivalent unit"),
    "Equivalent Outside Activity": _l("Equivalent outside activity"),
    "Administrative": _l("Administrative"),
}


class Requirement(UUIDPk, Timestamps, db.Model):
    """Something every member of a mission (or of some roles) must have done before deploying."""

    __tablename__ = "readiness_requirement"

    mission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mission.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # course | exercise
    ref: Mapped[str] = mapped_column(String(120))  # course id or scenario id
    rule: Mapped[str] = mapped_column(String(20), default="completed")  # completed | passed
    roles: Mapped[list] = mapped_column(JSON, default=list)  # empty: everybody
    validity_months: Mapped[int] = mapped_column(default=24)
    due_days_before: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)

    mission = relationship("Mission")

    def __str__(self) -> str:
        return self.title


class ReadinessReport(UUIDPk, db.Model):
    """A trainer's sign-off of a rotation's readiness on a date, with the figures of that day."""

    __tablename__ = "readiness_report"

    rotation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rotation.id"), index=True)
    signed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(String(2000), default="")
    figures: Mapped[dict] = mapped_column(JSON, default=dict)

    rotation = relationship("Rotation")
    signed_by = relationship("User")


# Readiness reads each person's completions, passes and waivers: an index on actor then verb
# keeps that a short range scan however large the LRS grows.
Index("ix_lrs_statement_actor_verb", Statement.actor_key, Statement.verb_id, Statement.activity_id)
