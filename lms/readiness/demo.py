"""Demo readiness: UNMIC's requirements and a plausible training history for the demo people.

The history is made of real xAPI statements (completions, passes) stored through the LRS module,
so the dashboards read them exactly as they read statements from courses and exercises.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from lms.extensions import db
from lms.org.models import Mission, Rotation
from lms.readiness import services
from lms.readiness.models import Requirement
from lms.xapi import iris
from lms.xapi.portal import portal_authority
from lms.xapi.store import save_statements

COURSES = [
    ("digital-basics", "Digital basics for deployment", 24, 60),
    ("cyber-hygiene", "Cyber hygiene", 24, 45),
    ("opsec-social-media", "Operational security on phones and social media", 24, 45),
    ("information-integrity", "Recognising misinformation, disinformation and hate speech", 24, 30),
    ("data-protection", "Data protection and the ethical use of data", 24, 30),
    ("uav-ied-awareness", "UAV and IED awareness", 12, 30),
]


def load(mission: Mission, seed: int = 2026, skip_person_ids: set | None = None) -> int:
    """Create the mission's requirements and a history; return the number of statements."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    reqs = [
        Requirement(
            mission=mission,
            title=title,
            kind="course",
            ref=ref,
            rule="completed",
            roles=[],
            validity_months=months,
            due_days_before=due,
        )
        for ref, title, months, due in COURSES
    ]
    reqs += [
        Requirement(
            mission=mission,
            title="Using the mission's digital tools",
            kind="course",
            ref="mission-digital-tools",
            rule="completed",
            roles=["staff-officer", "signals"],
            validity_months=24,
            due_days_before=30,
        ),
        Requirement(
            mission=mission,
            title="Reporting incidents (SAGE)",
            kind="course",
            ref="incident-reporting",
            rule="completed",
            roles=["staff-officer", "patrol-leader"],
            validity_months=24,
            due_days_before=30,
        ),
        Requirement(
            mission=mission,
            title="Exercise: convoy, IED and drone",
            kind="exercise",
            ref="convoy-ied",
            rule="passed",
            roles=["patrol-leader", "driver"],
            validity_months=12,
            due_days_before=14,
        ),
        Requirement(
            mission=mission,
            title="Exercise: disinformation and the crowd at the gate",
            kind="exercise",
            ref="disinfo-gate",
            rule="passed",
            roles=["staff-officer"],
            validity_months=12,
            due_days_before=14,
        ),
    ]
    db.session.add_all(reqs)
    db.session.flush()
    today = datetime.now(UTC).date()
    statements = []
    rotations = db.session.scalars(
        select(Rotation)
        .join(Rotation.contingent)
        .where(Rotation.contingent.has(mission_id=mission.id))
    )
    skip = skip_person_ids or set()
    for rotation in rotations:
        # How far a rotation's training has got: done before deployment for past rotations,
        # under way for the one that prepares.
        diligence = 0.97 if rotation.planned_deployment <= today else 0.72
        window_end = min(today, rotation.planned_deployment)
        for member in rotation.members:
            person = member.person
            if person.id in skip:
                continue
            for req in reqs:
                if req.roles and person.role not in req.roles:
                    continue
                if rng.random() > diligence:
                    continue
                day = window_end - timedelta(days=rng.randint(3, 150))
                at = datetime.combine(
                    day, time(8 + rng.randint(0, 9), rng.randint(0, 59)), tzinfo=UTC
                )
                verb = iris.PASSED if req.rule == "passed" else iris.COMPLETED
                statement = {
                    "id": str(
                        uuid.uuid5(uuid.NAMESPACE_URL, f"demo/{person.id}/{req.ref}/{rotation.id}")
                    ),
                    "actor": services.person_agent(person),
                    "verb": iris.verb(verb),
                    "object": {
                        "objectType": "Activity",
                        "id": services.requirement_activity(req),
                        "definition": {"name": {"en-US": req.title}},
                    },
                    "timestamp": at.isoformat(),
                }
                if req.kind == "exercise":
                    statement["result"] = {
                        "success": True,
                        "score": {"scaled": round(rng.uniform(0.7, 0.98), 2)},
                    }
                else:
                    statement["result"] = {"completion": True}
                statements.append(statement)
    for i in range(0, len(statements), 500):
        save_statements(db.session, statements[i : i + 500], portal_authority())
    return len(statements)
