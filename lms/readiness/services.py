"""Readiness of people and rotations, computed from the statements in the LRS.

The LRS is the single source of truth: completions, passes, exercise results and waivers are
statements. These functions read them for the people of a rotation and apply the rules of
``lms.readiness.engine``. They take plain arguments (the acting user where it matters) and never
touch the request; the request handler commits.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import uuid
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms.audit.services import record
from lms.extensions import db
from lms.org.models import Person, Rotation, RotationMember
from lms.readiness import engine
from lms.readiness.models import Requirement
from lms.xapi import iris
from lms.xapi.models import Statement
from lms.xapi.portal import portal_authority, portal_authority_key
from lms.xapi.store import save_statements

CMI5_REASON = "https://w3id.org/xapi/cmi5/result/extensions/reason"
KIND_TO_ACTIVITY = {"course": "course", "exercise": "exercise"}
VERBS = {
    "completed": frozenset({iris.COMPLETED, iris.SATISFIED}),
    "passed": frozenset({iris.PASSED, iris.SATISFIED}),
}
CHUNK = 500


def base() -> str:
    return current_app.config["ACTIVITY_BASE"]


def person_agent(person: Person) -> dict:
    """A person's agent: the same account their login uses (see User.xapi_agent)."""
    return {"objectType": "Agent", "account": {"homePage": base(), "name": str(person.id)}}


def actor_key_for(person_id: uuid.UUID) -> str:
    return f"account:{base()}|{person_id}"


def requirement_activity(req: Requirement) -> str:
    return iris.activity_id(KIND_TO_ACTIVITY[req.kind], req.ref, base())


def to_rule(req: Requirement) -> engine.Rule:
    return engine.Rule(
        key=str(req.id),
        activity=requirement_activity(req),
        verbs=VERBS.get(req.rule, VERBS["completed"]) | {iris.WAIVED},
        validity_days=int(req.validity_months * 365.25 / 12),
        due_days_before=req.due_days_before,
        roles=frozenset(req.roles) if req.roles else None,
    )


def requirements_for(mission_id: uuid.UUID) -> list[Requirement]:
    return list(
        db.session.scalars(
            select(Requirement)
            .where(Requirement.mission_id == mission_id, Requirement.active.is_(True))
            .order_by(Requirement.kind, Requirement.title)
        )
    )


def evidence_for(
    person_ids: list[uuid.UUID], rules: list[engine.Rule]
) -> dict[uuid.UUID, list[engine.Evidence]]:
    """Evidence per person: the statements that meet one of the rules (never voided ones)."""
    by_activity: dict[str, list[engine.Rule]] = {}
    for rule in rules:
        by_activity.setdefault(rule.activity, []).append(rule)
    verbs = set().union(*(r.verbs for r in rules)) if rules else set()
    key_to_person = {actor_key_for(pid): pid for pid in person_ids}
    keys = list(key_to_person)
    found: dict[uuid.UUID, list[engine.Evidence]] = {pid: [] for pid in person_ids}
    if not rules or not keys:
        return found
    trusted = portal_authority_key()
    for i in range(0, len(keys), CHUNK):
        rows = db.session.execute(
            select(
                Statement.actor_key,
                Statement.verb_id,
                Statement.activity_id,
                Statement.timestamp,
            ).where(
                Statement.actor_key.in_(keys[i : i + CHUNK]),
                Statement.activity_id.in_(list(by_activity)),
                Statement.verb_id.in_(verbs),
                Statement.voided.is_(False),
                # Only what the portal recorded counts: a learner or an outside client with
                # write access cannot make someone ready by posting a completion.
                Statement.authority_key == trusted,
            )
        )
        for actor_key, verb_id, activity, timestamp in rows:
            day = timestamp.date()
            kind = "waived" if verb_id == iris.WAIVED else "done"
            bucket = found[key_to_person[actor_key]]
            for rule in by_activity.get(activity, ()):
                if verb_id in rule.verbs:
                    bucket.append(engine.Evidence(rule.key, day, kind))
    return found


@dataclass
class PersonRow:
    member: RotationMember
    person: Person
    status: engine.PersonStatus
    intervals: list = field(default_factory=list)


@dataclass
class RotationReadiness:
    rotation: Rotation
    today: date
    requirements: list[Requirement]
    rows: list[PersonRow]
    trend: list[tuple[date, float]]
    projection: list[tuple[date, float]]

    @property
    def titles(self) -> dict[str, str]:
        return {str(r.id): r.title for r in self.requirements}

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def ready_count(self) -> int:
        return sum(1 for r in self.rows if r.status.ready)

    @property
    def share_ready(self) -> float:
        return self.ready_count / self.total if self.total else 0.0

    @property
    def not_ready(self) -> list[PersonRow]:
        return [r for r in self.rows if not r.status.ready]

    def per_requirement(self) -> list[tuple[Requirement, int, int]]:
        """(requirement, people who meet it, people it applies to)."""
        met: Counter = Counter()
        applies: Counter = Counter()
        for row in self.rows:
            for item in row.status.items:
                applies[item.rule.key] += 1
                if item.state in engine.MET:
                    met[item.rule.key] += 1
        return [
            (r, met[str(r.id)], applies[str(r.id)]) for r in self.requirements if applies[str(r.id)]
        ]

    def per_subunit(self) -> list[tuple[str, int, int]]:
        ready: Counter = Counter()
        total: Counter = Counter()
        for row in self.rows:
            name = row.member.subunit.name if row.member.subunit else "—"
            total[name] += 1
            ready[name] += row.status.ready
        return [(name, ready[name], total[name]) for name in sorted(total)]

    def counts(self) -> dict[str, int]:
        states: Counter = Counter()
        for row in self.rows:
            for item in row.status.items:
                states[item.state] += 1
        return dict(states)


class _FiguresCache:
    """Per-process memo of people's readiness figures, keyed on everything they depend on.

    The key holds the LRS's latest statement number, so any new statement (a completion, a
    waiver, a statement synced from a field kit) gives a new key: figures are never stale.
    """

    def __init__(self, size: int = 32) -> None:
        self._items: OrderedDict = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_figures_cache = _FiguresCache()


def _person_figures(rotation, members, reqs, rules, today, deployment) -> dict:
    """person id -> (PersonStatus, ready intervals), computed from the LRS or the memo."""
    lrs_version = db.session.scalar(select(func.max(Statement.seq))) or 0
    req_version = tuple((str(r.id), r.updated_at.isoformat()) for r in reqs)
    people = tuple(sorted((str(p.id), p.role) for _, p in members))
    key = (
        str(rotation.id),
        deployment,
        today,
        lrs_version,
        req_version,
        hash(people),
        current_app.config["ACTIVITY_BASE"],
    )
    cached = _figures_cache.get(key)
    if cached is not None:
        return cached
    evidence = evidence_for([p.id for _, p in members], rules)
    figures = {
        person.id: (
            engine.person_status(rules, person.role, evidence[person.id], today, deployment),
            engine.ready_intervals(rules, person.role, evidence[person.id]),
        )
        for _, person in members
    }
    _figures_cache.put(key, figures)
    return figures


def rotation_readiness(
    rotation: Rotation,
    *,
    today: date | None = None,
    role: str | None = None,
    subunit_id: uuid.UUID | None = None,
    trend_days: int = 120,
) -> RotationReadiness:
    today = today or datetime.now(UTC).date()
    deployment = rotation.planned_deployment
    reqs = requirements_for(rotation.contingent.mission_id)
    rules = [to_rule(r) for r in reqs]
    stmt = (
        select(RotationMember, Person)
        .join(Person, Person.id == RotationMember.person_id)
        .options(joinedload(RotationMember.subunit))
        .where(RotationMember.rotation_id == rotation.id, Person.erased_at.is_(None))
        .order_by(Person.family_name, Person.given_name)
    )
    if role:
        stmt = stmt.where(Person.role == role)
    if subunit_id:
        stmt = stmt.where(RotationMember.subunit_id == subunit_id)
    members = db.session.execute(stmt).all()
    computed = _person_figures(rotation, members, reqs, rules, today, deployment)
    rows = [PersonRow(member, person, *computed[person.id]) for member, person in members]
    start = min(today, deployment) - timedelta(days=trend_days)
    intervals = [r.intervals for r in rows]
    trend = engine.daily_share(intervals, start, min(today, deployment))
    projection = engine.daily_share(intervals, today, deployment) if deployment > today else []
    return RotationReadiness(rotation, today, reqs, rows, trend, projection)


def person_readiness(
    person: Person, rotation: Rotation, today: date | None = None
) -> engine.PersonStatus:
    today = today or datetime.now(UTC).date()
    rules = [to_rule(r) for r in requirements_for(rotation.contingent.mission_id)]
    evidence = evidence_for([person.id], rules)[person.id]
    return engine.person_status(rules, person.role, evidence, today, rotation.planned_deployment)


def waive(actor, person: Person, requirement: Requirement, reason: str, note: str = "") -> str:
    """Record a cmi5 ``waived`` statement for a person and a requirement; audit it."""
    from lms.readiness.models import WAIVER_REASONS

    if reason not in WAIVER_REASONS:
        raise ValueError("unknown waiver reason")
    statement = {
        "id": str(uuid.uuid4()),
        "actor": person_agent(person),
        "verb": iris.verb(iris.WAIVED),
        "object": {
            "objectType": "Activity",
            "id": requirement_activity(requirement),
            "definition": {"name": {"en-US": requirement.title}},
        },
        "result": {"success": True, "completion": True, "extensions": {CMI5_REASON: reason}},
        "context": {
            "instructor": actor.xapi_agent(),
            "extensions": {iris.extension_iri("requirement", base()): str(requirement.id)},
        },
        "timestamp": datetime.now(UTC).isoformat(),
    }
    if note:
        statement["context"]["extensions"][iris.extension_iri("waiver-note", base())] = note[:500]
    ids = save_statements(db.session, [statement], portal_authority())
    record(
        actor,
        "readiness.waive",
        f"person:{person.id}",
        requirement=str(requirement.id),
        reason=reason,
        statement=ids[0],
    )
    return ids[0]


def pseudonym(person_id: uuid.UUID) -> str:
    """A stable pseudonym for HQ exports: no name, no service number, not reversible without the key."""
    key = current_app.config["SECRET_KEY"].encode()
    return "P-" + hmac.new(key, str(person_id).encode(), hashlib.sha256).hexdigest()[:12].upper()


def transcript(person: Person) -> list[dict]:
    """Every learning statement about a person, newest first: their training history."""
    rows = db.session.execute(
        select(Statement.timestamp, Statement.verb_id, Statement.activity_id, Statement.raw)
        .where(Statement.actor_key == actor_key_for(person.id), Statement.voided.is_(False))
        .where(
            Statement.verb_id.in_(
                [iris.COMPLETED, iris.PASSED, iris.FAILED, iris.SATISFIED, iris.WAIVED]
            )
        )
        .order_by(Statement.timestamp.desc())
        .limit(500)
    )
    import json

    out = []
    for timestamp, verb_id, activity, raw in rows:
        data = json.loads(raw)
        name = ((data.get("object") or {}).get("definition") or {}).get("name") or {}
        score = ((data.get("result") or {}).get("score") or {}).get("scaled")
        out.append(
            {
                "at": timestamp,
                "verb": verb_id.rsplit("/", 1)[-1],
                "activity": activity,
                "title": name.get("en-US") or name.get("en") or next(iter(name.values()), activity),
                "score": score,
            }
        )
    return out
