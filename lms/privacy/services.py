"""A person's data: export everything, erase by an explicit rule, and complaints.

The erasure rule:
1. Statements in the LRS whose actor is the person (their person account or their login's
   account) keep their verbs, objects, results and dates, so unit figures stay true, but the
   actor becomes an anonymous account ``erased-<code>`` with no name. The code is a keyed hash,
   not reversible. Names of the person in `context.instructor` are not touched (they are
   trainers, not the erased person).
2. The person's rotation and cohort memberships are removed; their login is deactivated and
   stripped of name, e-mail, roles and assignments; their certificates lose the name and are
   marked withdrawn (the public verification page says so).
3. The person record stays as a tombstone (no name, no service number, ``erased_at`` set) so that
   a field kit syncing later cannot bring the person back.
Both the export and the erasure are written to the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import delete, or_, select, update

from lms.audit.models import AuditEntry
from lms.audit.services import record
from lms.auth.models import User, UserRole, UserScope
from lms.extensions import db
from lms.learning import services as learning
from lms.org.models import CohortMember, Person, RotationMember
from lms.privacy.models import Complaint
from lms.xapi.keys import agent_key
from lms.xapi.models import Statement, StatementAgent


def _base() -> str:
    return current_app.config["ACTIVITY_BASE"]


def _account_keys(person: Person, user: User | None) -> list[str]:
    names = {str(person.id)}
    if user is not None:
        names.add(str(user.id))
    return [f"account:{_base()}|{name}" for name in names]


def _login(person: Person) -> User | None:
    return db.session.scalar(select(User).where(User.person_id == person.id))


def export_person(actor, person: Person) -> dict:
    """Everything the platform holds about a person, as one JSON-ready document."""
    user = _login(person)
    keys = _account_keys(person, user)
    statements = [
        json.loads(raw)
        for raw in db.session.scalars(
            select(Statement.raw).where(Statement.actor_key.in_(keys)).order_by(Statement.stored)
        )
    ]
    targets = [f"person:{person.id}"]
    if user is not None:
        targets.append(f"user:{user.id}")
    audit = [
        {
            "at": e.at.isoformat(),
            "action": e.action,
            "target": e.target,
            "by": e.user.username if e.user else None,
        }
        for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.target.in_(targets)).order_by(AuditEntry.at)
        )
    ]
    document = {
        "exported_at": datetime.now(UTC).isoformat(),
        "person": {
            "id": str(person.id),
            "country": person.country.iso_code,
            "service_number": person.service_number,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "rank": person.rank,
            "role": person.role,
            "preferred_language": person.preferred_language,
            "email": person.email,
        },
        "rotations": [
            {
                "contingent": m.rotation.contingent.name,
                "rotation": m.rotation.number,
                "deployment": m.rotation.planned_deployment.isoformat(),
                "subunit": m.subunit.name if m.subunit else None,
                "position": m.position,
            }
            for m in person.memberships
        ],
        "login": None
        if user is None
        else {
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "roles": sorted(user.roles),
            "locale": user.locale,
            "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
        },
        "courses": learning.export_learning(person),
        "statements": statements,
        "complaints": []
        if user is None
        else [
            {
                "at": c.created_at.isoformat(),
                "subject": c.subject,
                "body": c.body,
                "status": c.status,
                "answer": c.answer,
            }
            for c in db.session.scalars(select(Complaint).where(Complaint.user_id == user.id))
        ],
        "audit": audit,
    }
    record(actor, "privacy.export", f"person:{person.id}", statements=len(statements))
    return document


def erased_code(person: Person) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return "erased-" + hmac.new(key, str(person.id).encode(), hashlib.sha256).hexdigest()[:16]


def erase_person(actor, person: Person) -> dict:
    """Apply the erasure rule of this module. The caller commits."""
    if person.erased_at is not None:
        return {"statements": 0, "memberships": 0, "certificates": 0}
    user = _login(person)
    keys = _account_keys(person, user)
    anonymous = {
        "objectType": "Agent",
        "account": {"homePage": _base(), "name": erased_code(person)},
    }
    new_key = agent_key(anonymous)
    changed = 0
    rows = db.session.execute(
        select(Statement.seq, Statement.raw).where(Statement.actor_key.in_(keys))
    ).all()
    for seq, raw in rows:
        data = json.loads(raw)
        data["actor"] = anonymous
        db.session.execute(
            update(Statement)
            .where(Statement.seq == seq)
            .values(raw=json.dumps(data, separators=(",", ":")), actor_key=new_key)
        )
        changed += 1
    db.session.execute(
        update(StatementAgent).where(StatementAgent.agent_key.in_(keys)).values(agent_key=new_key)
    )
    certificates = learning.erase_learning(person)
    memberships = db.session.execute(
        delete(RotationMember).where(RotationMember.person_id == person.id)
    ).rowcount
    db.session.execute(delete(CohortMember).where(CohortMember.person_id == person.id))
    if user is not None:
        db.session.execute(delete(UserRole).where(UserRole.user_id == user.id))
        db.session.execute(delete(UserScope).where(UserScope.user_id == user.id))
        user.username = erased_code(person)
        user.display_name = "—"
        user.email = None
        user.active = False
        user.person_id = None
    person.given_name = ""
    person.family_name = ""
    person.rank = ""
    person.email = None
    person.service_number = erased_code(person)[:40]
    person.erased_at = datetime.now(UTC)
    db.session.flush()
    record(
        actor,
        "privacy.erase",
        f"person:{person.id}",
        statements=changed,
        memberships=memberships,
        certificates=certificates,
    )
    return {"statements": changed, "memberships": memberships, "certificates": certificates}


def open_complaints_count() -> int:
    return len(db.session.scalars(select(Complaint.id).where(Complaint.status == "open")).all())


def search_people(term: str, limit: int = 20) -> list[Person]:
    pattern = f"%{term.lower()}%"
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.erased_at.is_(None))
            .where(or_(Person.service_number.ilike(pattern), Person.family_name.ilike(pattern)))
            .order_by(Person.family_name)
            .limit(limit)
        )
    )
