"""Exercise runs, the people playing in them, and the one-time launch tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Timestamps, UUIDPk, utcnow
from lms.extensions import db
from lms.org.models import Person, Rotation

RUN_STATUSES = {
    "open": _l("Open"),
    "closed": _l("Closed"),
}


class ExerciseRun(UUIDPk, Timestamps, db.Model):
    """One exercise of one scenario by a rotation's people, under one xAPI registration."""

    __tablename__ = "exercise_run"

    rotation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rotation.id"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(64))
    scenario_version: Mapped[int]
    lang: Mapped[str] = mapped_column(String(8))
    seed: Mapped[int]
    mastery_score: Mapped[float]
    registration: Mapped[str] = mapped_column(String(36), unique=True)
    activity_id: Mapped[str] = mapped_column(Text)
    # The controller's agent: the actor of the launch and of the app's statements.
    actor: Mapped[dict] = mapped_column(JSON)
    join_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    join_expires_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None]
    results_recorded_at: Mapped[datetime | None]

    rotation: Mapped[Rotation] = relationship()
    members: Mapped[list[RunMember]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="RunMember.position"
    )
    launches: Mapped[list[LaunchToken]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="LaunchToken.created_at"
    )

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class RunMember(UUIDPk, db.Model):
    """A person of the rotation in one team of a run, with a role from the scenario."""

    __tablename__ = "exercise_run_member"
    __table_args__ = (UniqueConstraint("run_id", "person_id"),)

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exercise_run.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    team: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)

    run: Mapped[ExerciseRun] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()


class LaunchToken(UUIDPk, db.Model):
    """A fetch token of one launch: usable once, then it names the LRS client it created."""

    __tablename__ = "exercise_launch"

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exercise_run.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    session_id: Mapped[str | None] = mapped_column(String(36))
    client_key: Mapped[str | None] = mapped_column(String(64), index=True)
    via: Mapped[str] = mapped_column(String(16), default="join")

    run: Mapped[ExerciseRun] = relationship(back_populates="launches")
