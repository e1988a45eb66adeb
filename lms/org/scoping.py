"""Who may see which people and units.

Administrators see everything. Trainers and exercise controllers see only the countries and
contingents assigned to them. HQ analysts see aggregates only, never a named person. Trainees see
themselves. Every query for personal data goes through these filters.
"""

from __future__ import annotations

import uuid

from sqlalchemy import false, or_, select, true

from lms.auth.roles import ADMIN, SCOPED_ROLES
from lms.org.models import Contingent, Person, Rotation, RotationMember


def is_admin(user) -> bool:
    return user.has_role(ADMIN)


def assigned_country_ids(user) -> set[uuid.UUID]:
    return {s.country_id for s in user.scopes if s.country_id}


def assigned_contingent_ids(user) -> set[uuid.UUID]:
    return {s.contingent_id for s in user.scopes if s.contingent_id}


def sees_people(user) -> bool:
    """Whether the user may open named records of people at all."""
    return is_admin(user) or user.has_role(*SCOPED_ROLES)


def contingent_clause(user):
    """A WHERE clause on Contingent limiting rows to what the user may see."""
    if is_admin(user):
        return true()
    if not user.has_role(*SCOPED_ROLES):
        return false()
    countries = assigned_country_ids(user)
    contingents = assigned_contingent_ids(user)
    clauses = []
    if countries:
        clauses.append(Contingent.country_id.in_(countries))
    if contingents:
        clauses.append(Contingent.id.in_(contingents))
    return or_(*clauses) if clauses else false()


def person_clause(user):
    """A WHERE clause on Person limiting rows to what the user may see."""
    if is_admin(user):
        return true()
    if not user.has_role(*SCOPED_ROLES):
        if user.person_id:
            return Person.id == user.person_id
        return false()
    countries = assigned_country_ids(user)
    contingents = assigned_contingent_ids(user)
    clauses = []
    if countries:
        clauses.append(Person.country_id.in_(countries))
    if contingents:
        members = (
            select(RotationMember.person_id)
            .join(Rotation, Rotation.id == RotationMember.rotation_id)
            .where(Rotation.contingent_id.in_(contingents))
        )
        clauses.append(Person.id.in_(members))
    return or_(*clauses) if clauses else false()


def can_see_contingent(user, contingent: Contingent) -> bool:
    if is_admin(user):
        return True
    if not user.has_role(*SCOPED_ROLES):
        return False
    return contingent.country_id in assigned_country_ids(
        user
    ) or contingent.id in assigned_contingent_ids(user)


def can_see_person(user, person: Person) -> bool:
    if is_admin(user):
        return True
    if user.person_id and user.person_id == person.id:
        return True
    if not user.has_role(*SCOPED_ROLES):
        return False
    if person.country_id in assigned_country_ids(user):
        return True
    contingents = assigned_contingent_ids(user)
    return any(m.rotation.contingent_id in contingents for m in person.memberships)
