"""The organisation: countries, missions, contingents, rotations, people and cohorts.

People persist; rotations come and go. A person belongs to a country and takes part in any
number of rotations (``RotationMember``). Records carry UUID keys so that a field kit and HQ can
exchange them without renumbering.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Timestamps, UUIDPk
from lms.extensions import db

CONTINGENT_KINDS = {
    "infantry-battalion": _l("Infantry battalion"),
    "formed-police-unit": _l("Formed police unit"),
    "level-2-hospital": _l("Level-2 hospital"),
    "engineer-company": _l("Engineer company"),
    "transport-company": _l("Transport company"),
    "aviation-unit": _l("Aviation unit"),
    "staff-officers": _l("Staff officers and military observers"),
}

SUBUNIT_KINDS = {
    "company": _l("Company"),
    "platoon": _l("Platoon"),
    "section": _l("Section"),
    "headquarters": _l("Headquarters"),
    "medical-team": _l("Medical team"),
}

ROTATION_STATUSES = {
    "planned": _l("Planned"),
    "preparing": _l("Preparing"),
    "deployed": _l("Deployed"),
    "completed": _l("Completed"),
}

PERSON_ROLES = {
    "infantry": _l("Infantry"),
    "staff-officer": _l("Staff officer"),
    "military-observer": _l("Military observer"),
    "patrol-leader": _l("Patrol leader"),
    "police-officer": _l("Police officer"),
    "medical": _l("Medical"),
    "engineer": _l("Engineer"),
    "logistics": _l("Logistics"),
    "signals": _l("Signals"),
    "driver": _l("Driver"),
}


class Country(UUIDPk, Timestamps, db.Model):
    __tablename__ = "country"

    iso_code: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    default_language: Mapped[str] = mapped_column(String(8), default="en")

    contingents: Mapped[list[Contingent]] = relationship(back_populates="country")

    def __str__(self) -> str:
        return f"{self.name} ({self.iso_code})"


class Mission(UUIDPk, Timestamps, db.Model):
    __tablename__ = "mission"

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    host_country: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")

    contingents: Mapped[list[Contingent]] = relationship(back_populates="mission")

    def __str__(self) -> str:
        return self.code


class Contingent(UUIDPk, Timestamps, db.Model):
    __tablename__ = "contingent"
    __table_args__ = (UniqueConstraint("mission_id", "code"),)

    country_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("country.id"), index=True)
    mission_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mission.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))

    country: Mapped[Country] = relationship(back_populates="contingents")
    mission: Mapped[Mission] = relationship(back_populates="contingents")
    subunits: Mapped[list[SubUnit]] = relationship(
        back_populates="contingent", order_by="SubUnit.name"
    )
    rotations: Mapped[list[Rotation]] = relationship(
        back_populates="contingent", order_by="Rotation.number"
    )

    def __str__(self) -> str:
        return self.name


class SubUnit(UUIDPk, Timestamps, db.Model):
    __tablename__ = "subunit"
    __table_args__ = (UniqueConstraint("contingent_id", "name"),)

    contingent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contingent.id"), index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subunit.id"))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))

    contingent: Mapped[Contingent] = relationship(back_populates="subunits")
    parent: Mapped[SubUnit | None] = relationship(remote_side="SubUnit.id")

    def __str__(self) -> str:
        return self.name


class Rotation(UUIDPk, Timestamps, db.Model):
    __tablename__ = "rotation"
    __table_args__ = (UniqueConstraint("contingent_id", "number"),)

    contingent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contingent.id"), index=True)
    number: Mapped[int]
    planned_deployment: Mapped[date]
    end_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="planned")
    target_ready_share: Mapped[float] = mapped_column(default=0.95)

    contingent: Mapped[Contingent] = relationship(back_populates="rotations")
    members: Mapped[list[RotationMember]] = relationship(
        back_populates="rotation", cascade="all, delete-orphan"
    )
    cohorts: Mapped[list[Cohort]] = relationship(
        back_populates="rotation", cascade="all, delete-orphan"
    )

    @property
    def label(self) -> str:
        return f"{self.contingent.name} — {self.number}"


class Person(UUIDPk, Timestamps, db.Model):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("country_id", "service_number"),)

    country_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("country.id"), index=True)
    service_number: Mapped[str] = mapped_column(String(40))
    given_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120), index=True)
    rank: Mapped[str] = mapped_column(String(60), default="")
    role: Mapped[str] = mapped_column(String(40), default="infantry")
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    email: Mapped[str | None] = mapped_column(String(200))
    erased_at: Mapped[datetime | None]

    country: Mapped[Country] = relationship()
    memberships: Mapped[list[RotationMember]] = relationship(back_populates="person")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def __str__(self) -> str:
        return f"{self.rank} {self.full_name}".strip()


class RotationMember(UUIDPk, Timestamps, db.Model):
    __tablename__ = "rotation_member"
    __table_args__ = (UniqueConstraint("rotation_id", "person_id"),)

    rotation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rotation.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    subunit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subunit.id"), index=True)
    position: Mapped[str] = mapped_column(String(120), default="")

    rotation: Mapped[Rotation] = relationship(back_populates="members")
    person: Mapped[Person] = relationship(back_populates="memberships")
    subunit: Mapped[SubUnit | None] = relationship()


class Cohort(UUIDPk, Timestamps, db.Model):
    __tablename__ = "cohort"
    __table_args__ = (UniqueConstraint("rotation_id", "name"),)

    rotation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rotation.id"), index=True)
    subunit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subunit.id"))
    name: Mapped[str] = mapped_column(String(120))

    rotation: Mapped[Rotation] = relationship(back_populates="cohorts")
    subunit: Mapped[SubUnit | None] = relationship()
    members: Mapped[list[CohortMember]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )


class CohortMember(UUIDPk, db.Model):
    __tablename__ = "cohort_member"
    __table_args__ = (UniqueConstraint("cohort_id", "person_id"),)

    cohort_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cohort.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)

    cohort: Mapped[Cohort] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()
