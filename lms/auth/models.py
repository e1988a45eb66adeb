"""User accounts, their roles and the countries/contingents a trainer or controller may see."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Timestamps, UUIDPk
from lms.extensions import db
from lms.org.models import Contingent, Country, Person


class User(UUIDPk, Timestamps, UserMixin, db.Model):
    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None]
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"), unique=True)

    person: Mapped[Person | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    scopes: Mapped[list[UserScope]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login
        return str(self.id)

    def xapi_agent(self) -> dict:
        """The xAPI Agent of this account, stable across field kits and HQ.

        No name: statements identify people by an opaque account only (collect what the purpose
        needs); the portal shows names from its own records to those allowed to see them.
        """
        base = current_app.config["ACTIVITY_BASE"]
        return {
            "objectType": "Agent",
            "account": {"homePage": base, "name": str(self.person_id or self.id)},
        }


class UserRole(UUIDPk, db.Model):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="role_rows")


class UserScope(UUIDPk, db.Model):
    """One assignment: a whole country, or a single contingent."""

    __tablename__ = "user_scope"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    country_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("country.id"))
    contingent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contingent.id"))

    user: Mapped[User] = relationship(back_populates="scopes")
    country: Mapped[Country | None] = relationship()
    contingent: Mapped[Contingent | None] = relationship()

    def __str__(self) -> str:
        return str(self.contingent or self.country)
