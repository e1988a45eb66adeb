"""Exercise runs: creation, the cmi5 launch (launch data, fetch tokens, join codes), results.

Operations take plain arguments (the acting user, the portal's address) and flush; the request
handler commits. The statements of a run are read back from the LRS tables by registration.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import subprocess
import sys
import urllib.parse
import uuid
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from lms.config import ROOT
from lms.exercises import scenarios
from lms.exercises.models import ExerciseRun, LaunchToken, RunMember
from lms.extensions import cache, db
from lms.org import scoping
from lms.org.models import Contingent, Person, Rotation, RotationMember
from lms.xapi import documents, iris, keys
from lms.xapi.auth import create_client, revoke_client
from lms.xapi.models import Statement
from lms.xapi.portal import portal_authority
from lms.xapi.store import save_statements
from simulations import iris as sim_iris
from simulations.engine.state import clock_text

LAUNCH_DATA = "LMS.LaunchData"
JOIN_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as 1 and 0
JOIN_TTL = dt.timedelta(hours=12)
TOKEN_TTL = dt.timedelta(hours=12)
MOVE_ON = "CompletedAndPassed"
CLIENT_SCOPES = ["write", "read-own", "no-void"]
MAX_MEMBERS = 40
RESULT_NAMESPACE = uuid.UUID("5c3f0d8e-6a59-4f47-9f0b-3c1f7e1b2a64")

# cmi5 section 8.2.3: error codes of the fetch URL.
FETCH_IN_USE = "1"
FETCH_EXPIRED = "2"
FETCH_GENERAL = "3"


class RunError(ValueError):
    """A run cannot be created or changed as asked; the message says why."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def activity_base() -> str:
    return current_app.config["ACTIVITY_BASE"]


def person_agent(person_id: uuid.UUID) -> dict:
    """A person's agent, as readiness looks it up (the account their login uses)."""
    return {"objectType": "Agent", "account": {"homePage": activity_base(), "name": str(person_id)}}


# --- visibility -----------------------------------------------------------------------------


def visible_runs(user, rotation_id: uuid.UUID | None = None):
    """Runs of the contingents the user is assigned to (all for an administrator)."""
    query = (
        select(ExerciseRun)
        .join(Rotation, Rotation.id == ExerciseRun.rotation_id)
        .join(Contingent, Contingent.id == Rotation.contingent_id)
        .where(scoping.contingent_clause(user))
        .order_by(ExerciseRun.created_at.desc())
    )
    if rotation_id is not None:
        query = query.where(ExerciseRun.rotation_id == rotation_id)
    return query


def visible_rotations(user) -> list[Rotation]:
    return list(
        db.session.scalars(
            select(Rotation)
            .join(Contingent, Contingent.id == Rotation.contingent_id)
            .where(scoping.contingent_clause(user), Rotation.status != "completed")
            .order_by(Contingent.name, Rotation.number)
        )
    )


def can_see_run(user, run: ExerciseRun) -> bool:
    return scoping.can_see_contingent(user, run.rotation.contingent)


def roster(rotation: Rotation) -> list[Person]:
    return list(
        db.session.scalars(
            select(Person)
            .join(RotationMember, RotationMember.person_id == Person.id)
            .where(RotationMember.rotation_id == rotation.id, Person.erased_at.is_(None))
            .order_by(Person.family_name, Person.given_name)
        )
    )


# --- creating a run ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberChoice:
    team: str
    person_id: uuid.UUID
    role: str


def _new_join_code() -> str:
    letters = "".join(secrets.choice(JOIN_LETTERS) for _i in range(3))
    return f"{letters}-{secrets.randbelow(1000):03d}"


def assign_join_code(run: ExerciseRun, now: dt.datetime | None = None) -> str:
    """Give the run a fresh join code, unique among all runs, valid for JOIN_TTL."""
    now = now or utcnow()
    for _attempt in range(50):
        code = _new_join_code()
        if db.session.scalar(select(ExerciseRun.id).where(ExerciseRun.join_code == code)) is None:
            run.join_code = code
            run.join_expires_at = now + JOIN_TTL
            db.session.flush()
            return code
    raise RunError(_("No free join code could be found; try again."))


def create_run(
    user,
    rotation: Rotation,
    scenario_id: str,
    lang: str,
    members: list[MemberChoice],
    *,
    seed: int | None = None,
    portal: str,
) -> ExerciseRun:
    """Check the choices, create the run and write its LMS.LaunchData document."""
    if not scoping.can_see_contingent(user, rotation.contingent):
        raise RunError(_("You are not assigned to this contingent."))
    scenario = scenarios.get(scenario_id)
    if scenario is None:
        raise RunError(_("Choose one of the scenarios listed."))
    if lang not in scenario.languages:
        raise RunError(
            _(
                "This scenario is written in %(languages)s; choose one of them.",
                languages=", ".join(scenario.languages),
            )
        )
    if not members:
        raise RunError(_("Put at least one person in a team."))
    if len(members) > MAX_MEMBERS:
        raise RunError(_("A run takes at most %(n)d people.", n=MAX_MEMBERS))
    on_roster = {p.id for p in roster(rotation)}
    seen: set[uuid.UUID] = set()
    for choice in members:
        if not scenario.has("team", choice.team):
            raise RunError(_("Unknown team %(team)s.", team=choice.team))
        if choice.role not in scenario.team(choice.team).roles:
            raise RunError(
                _(
                    "The role %(role)s is not a role of the team %(team)s.",
                    role=choice.role,
                    team=scenarios.team_name(scenario, choice.team, lang),
                )
            )
        if choice.person_id not in on_roster:
            raise RunError(_("Everyone in a team must be on the rotation's roster."))
        if choice.person_id in seen:
            raise RunError(_("A person can play in one team and one role only."))
        seen.add(choice.person_id)
    run = ExerciseRun(
        rotation=rotation,
        scenario_id=scenario.id,
        scenario_version=scenario.version,
        lang=lang,
        seed=seed if seed is not None else secrets.randbelow(1_000_000),
        mastery_score=float(scenario.mastery_score),
        registration=str(uuid.uuid4()),
        activity_id=iris.activity_id("exercise", scenario.id, activity_base()),
        actor=user.xapi_agent(),
        created_by_id=user.id,
        status="open",
    )
    db.session.add(run)
    for position, choice in enumerate(members):
        run.members.append(
            RunMember(
                person_id=choice.person_id, team=choice.team, role=choice.role, position=position
            )
        )
    db.session.flush()
    assign_join_code(run)
    write_launch_data(run, portal, str(uuid.uuid4()))
    return run


# --- the launch -------------------------------------------------------------------------------


def run_url(run: ExerciseRun, portal: str) -> str:
    return f"{portal.rstrip('/')}/exercises/runs/{run.id}"


def launch_parameters(run: ExerciseRun) -> dict:
    scenario = scenarios.get(run.scenario_id)
    teams: list[dict] = []
    for team in scenario.teams if scenario else ():
        members = [
            {"agent": person_agent(m.person_id), "role": m.role}
            for m in run.members
            if m.team == team.id
        ]
        if members:
            teams.append(
                {"id": team.id, "name": scenarios.text(team.name, run.lang), "members": members}
            )
    return {"scenario": run.scenario_id, "lang": run.lang, "seed": run.seed, "teams": teams}


def launch_data(run: ExerciseRun, portal: str, session_id: str) -> dict:
    return {
        "contextTemplate": {
            "contextActivities": {"grouping": [{"id": run.activity_id, "objectType": "Activity"}]},
            "extensions": {iris.CMI5_SESSION_ID: session_id},
        },
        "launchMode": "Normal",
        "moveOn": MOVE_ON,
        "masteryScore": run.mastery_score,
        "returnURL": run_url(run, portal),
        "launchParameters": json.dumps(launch_parameters(run), ensure_ascii=False),
    }


def _launch_key(run: ExerciseRun) -> documents.DocKey:
    return documents.DocKey(
        documents.STATE, run.activity_id, keys.agent_key(run.actor) or "", run.registration
    )


def write_launch_data(run: ExerciseRun, portal: str, session_id: str) -> None:
    body = json.dumps(launch_data(run, portal, session_id), ensure_ascii=False).encode()
    documents.put_document(db.session, _launch_key(run), LAUNCH_DATA, body, "application/json")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_launch(run: ExerciseRun, portal: str, via: str = "join") -> str:
    """A launch URL with a fresh one-time fetch token."""
    if not run.is_open:
        raise RunError(_("This run is closed."))
    token = secrets.token_urlsafe(24)
    db.session.add(
        LaunchToken(run=run, token_hash=_hash(token), expires_at=utcnow() + TOKEN_TTL, via=via)
    )
    db.session.flush()
    return launch_url(run, portal, token)


def launch_url(run: ExerciseRun, portal: str, token: str) -> str:
    portal = portal.rstrip("/")
    query = urllib.parse.urlencode(
        {
            "endpoint": f"{portal}/xapi/",
            "fetch": f"{portal}/exercises/fetch/{token}",
            "actor": json.dumps(run.actor, separators=(",", ":"), ensure_ascii=False),
            "registration": run.registration,
            "activityId": run.activity_id,
        }
    )
    return f"{portal}/exercises/launch?{query}"


def fetch(token: str, portal: str, now: dt.datetime | None = None) -> dict:
    """The fetch URL's answer (cmi5 8.2.3): an auth token once, then an error object."""
    now = now or utcnow()
    launch = db.session.scalar(select(LaunchToken).where(LaunchToken.token_hash == _hash(token)))
    if launch is None:
        return {"error-code": FETCH_GENERAL, "error-text": "This launch link is not known."}
    if launch.used_at is not None:
        return {"error-code": FETCH_IN_USE, "error-text": "This launch has already been used."}
    if launch.expires_at < now or not launch.run.is_open:
        return {"error-code": FETCH_EXPIRED, "error-text": "This launch link has expired."}
    # Claim the token atomically: of two simultaneous requests only one gets the credentials.
    claimed = db.session.execute(
        update(LaunchToken)
        .where(LaunchToken.id == launch.id, LaunchToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return {"error-code": FETCH_IN_USE, "error-text": "This launch has already been used."}
    db.session.refresh(launch)
    run = launch.run
    client, secret = create_client(
        db.session,
        f"Exercise {run.scenario_id} {run.registration[:8]}",
        CLIENT_SCOPES,
        created_by="exercises",
    )
    session_id = str(uuid.uuid4())
    _record_abandoned(run, now)
    launch.client_key = client.key
    launch.session_id = session_id
    write_launch_data(run, portal, session_id)
    _record_launched(run, session_id, now)
    db.session.flush()
    auth = base64.b64encode(f"{client.key}:{secret}".encode()).decode("ascii")
    return {"auth-token": auth}


def _record_launched(run: ExerciseRun, session_id: str, now: dt.datetime) -> None:
    """cmi5 9.5.4.1: the LMS records ``launched`` for each session it starts."""
    statement = {
        "id": str(uuid.uuid5(RESULT_NAMESPACE, f"{run.id}/launched/{session_id}")),
        "actor": run.actor,
        "verb": iris.verb(iris.LAUNCHED),
        "object": _activity(run),
        "context": {
            "registration": run.registration,
            "contextActivities": {
                "category": [{"id": iris.CMI5_CATEGORY, "objectType": "Activity"}],
                "grouping": [{"id": run.activity_id, "objectType": "Activity"}],
            },
            "extensions": {
                iris.CMI5_SESSION_ID: session_id,
                iris.CMI5_LAUNCH_MODE: "Normal",
                iris.CMI5_MOVEON: MOVE_ON,
            },
        },
        "timestamp": _timestamp(now),
    }
    save_statements(db.session, [statement], portal_authority())


def _record_abandoned(run: ExerciseRun, now: dt.datetime) -> int:
    """cmi5 9.5.4.2: earlier sessions of the run that never sent ``terminated`` are abandoned."""
    launched = [launch for launch in run.launches if launch.session_id and launch.used_at]
    if not launched:
        return 0
    closed = {
        _session_of(s)
        for s in run_statements(run)
        if s["verb"]["id"] in (iris.TERMINATED, iris.ABANDONED)
    }
    statements = []
    for launch in launched:
        if launch.session_id in closed:
            continue
        seconds = max(0, int((now - launch.used_at).total_seconds()))
        statements.append(
            {
                "id": str(uuid.uuid5(RESULT_NAMESPACE, f"{run.id}/abandoned/{launch.session_id}")),
                "actor": run.actor,
                "verb": iris.verb(iris.ABANDONED),
                "object": _activity(run),
                "result": {"duration": f"PT{seconds}S"},
                "context": {
                    "registration": run.registration,
                    "contextActivities": {
                        "category": [{"id": iris.CMI5_CATEGORY, "objectType": "Activity"}],
                        "grouping": [{"id": run.activity_id, "objectType": "Activity"}],
                    },
                    "extensions": {iris.CMI5_SESSION_ID: launch.session_id},
                },
                "timestamp": _timestamp(now),
            }
        )
    if statements:
        save_statements(db.session, statements, portal_authority())
    return len(statements)


def _timestamp(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _activity(run: ExerciseRun) -> dict:
    scenario = scenarios.get(run.scenario_id)
    definition: dict = {"type": iris.SIMULATION}
    if scenario is not None:
        definition["name"] = {("en-US" if k == "en" else k): v for k, v in scenario.title.items()}
    return {"objectType": "Activity", "id": run.activity_id, "definition": definition}


def normalise_code(code: str) -> str:
    return code.strip().upper()


def run_for_code(code: str, now: dt.datetime | None = None) -> ExerciseRun | None:
    """The open run a join code belongs to, while the code is valid."""
    now = now or utcnow()
    run = db.session.scalar(
        select(ExerciseRun).where(ExerciseRun.join_code == normalise_code(code))
    )
    if run is None or not run.is_open or run.join_expires_at is None or run.join_expires_at < now:
        return None
    return run


def client_keys(run: ExerciseRun) -> list[str]:
    return [launch.client_key for launch in run.launches if launch.client_key]


def run_for_client(key: str) -> ExerciseRun | None:
    """The run whose launch created LRS client ``key``, or None.

    A key belongs to a run from the moment its client is made, or never: so "not a run's key"
    is remembered (shared cache), and ordinary LRS clients skip this query on every request.
    """
    marker = "xapi-not-run-client:" + hashlib.sha256(key.encode()).hexdigest()[:32]
    if cache.get(marker):
        return None
    launch = db.session.scalar(select(LaunchToken).where(LaunchToken.client_key == key))
    if launch is None:
        cache.set(marker, "1", ttl=3600)
        return None
    return launch.run


def close_run(run: ExerciseRun, now: dt.datetime | None = None) -> int:
    """Close the run: no more launches, its LRS clients revoked, results recorded."""
    now = now or utcnow()
    recorded = record_results(run, now)
    _record_abandoned(run, now)
    run.status = "closed"
    run.closed_at = now
    run.join_code = None
    run.join_expires_at = None
    for key in client_keys(run):
        revoke_client(db.session, key)
    db.session.flush()
    return recorded


def launch_here(launch: str) -> subprocess.Popen:
    """Start the desktop app on this computer with the launch URL (fixed arguments, no shell)."""
    return subprocess.Popen(  # noqa: S603 (fixed program and arguments; the URL is ours)
        [sys.executable, "-m", "simulations", "launch", launch],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd=str(ROOT),
        close_fds=True,
    )


# --- reading the run back from the LRS ----------------------------------------------------------


def run_statements(run: ExerciseRun) -> list[dict]:
    rows = db.session.scalars(
        select(Statement.raw)
        .where(
            Statement.registration == uuid.UUID(run.registration),
            Statement.voided.is_(False),
            Statement.voiding.is_(False),
        )
        .order_by(Statement.stored, Statement.seq)
    )
    return [json.loads(raw) for raw in rows]


@dataclass
class TimelineEntry:
    """One line of the after-action review.

    ``kind`` is launched, initialized, inject, decision, completed, passed, failed or terminated.
    """

    kind: str
    clock: str  # exercise time (HH:MM) or ""
    timestamp: str
    title: str
    detail: str = ""
    team: str = ""
    role: str = ""
    option: str = ""
    score: float | None = None
    explanation: str = ""
    best_option: str = ""
    best_explanation: str = ""
    timed_out: bool = False
    note: str = ""
    decision_id: str = ""
    team_id: str = ""
    role_id: str = ""


@dataclass
class TeamResult:
    team_id: str
    name: str
    points: int = 0
    possible: int = 0
    decisions: int = 0

    @property
    def score(self) -> float | None:
        return self.points / self.possible if self.possible else None


@dataclass
class PersonResult:
    member: RunMember
    team: str
    role: str
    score: float | None
    passed: bool | None
    decisions: list[TimelineEntry] = field(default_factory=list)


@dataclass
class RunReport:
    run: ExerciseRun
    lang: str
    status: str  # waiting | in-progress | finished
    sessions: int
    timeline: list[TimelineEntry]
    teams: list[TeamResult]
    people: list[PersonResult]
    overall: float | None
    passed: bool | None
    ending: str = ""
    started_at: str = ""
    ended_at: str = ""

    @property
    def improvements(self) -> list[TimelineEntry]:
        """Decisions other than the one doctrine asks for, weakest first: the improvement plan."""
        weak = [e for e in self.timeline if e.kind == "decision" and e.best_option]
        return sorted(weak, key=lambda e: (e.score or 0, e.clock))


def _seconds(duration: object) -> float | None:
    """Seconds of a simple ISO 8601 duration like PT75.5S, PT2M or PT1H2M3S."""
    if not isinstance(duration, str) or not duration.startswith("PT"):
        return None
    total, number = 0.0, ""
    for char in duration[2:]:
        if char.isdigit() or char == ".":
            number += char
        elif char in "HMS" and number:
            total += float(number) * {"H": 3600, "M": 60, "S": 1}[char]
            number = ""
        else:
            return None
    return total


def _clock(start: str, duration: object) -> str:
    """The exercise clock as the desktop app shows it (start time plus exercise seconds)."""
    seconds = _seconds(duration)
    return "" if seconds is None else clock_text(start, seconds)


def _session_of(statement: dict) -> str | None:
    ext = (statement.get("context") or {}).get("extensions") or {}
    value = ext.get(iris.CMI5_SESSION_ID)
    return value if isinstance(value, str) else None


def _result_lang(run: ExerciseRun, lang: str | None) -> str:
    scenario = scenarios.get(run.scenario_id)
    if scenario is not None and lang in scenario.languages:
        return lang
    return run.lang


def report(run: ExerciseRun, lang: str | None = None) -> RunReport:
    """Status, timeline, team and person results of the run's latest session."""
    lang = _result_lang(run, lang)
    scenario = scenarios.get(run.scenario_id)
    actor_key = keys.agent_key(run.actor)
    own = [s for s in run_statements(run) if keys.agent_key(s.get("actor") or {}) == actor_key]
    sessions = [_session_of(s) for s in own if s["verb"]["id"] == iris.INITIALIZED]
    latest = sessions[-1] if sessions else None
    chosen = [s for s in own if latest is not None and _session_of(s) == latest]
    verbs = {s["verb"]["id"] for s in chosen}
    if iris.TERMINATED in verbs:
        status = "finished"
    elif iris.INITIALIZED in verbs:
        status = "in-progress"
    else:
        status = "waiting"
    teams: dict[str, TeamResult] = {}
    if scenario is not None:
        for team in scenario.teams:
            teams[team.id] = TeamResult(team.id, scenarios.text(team.name, lang))
    timeline: list[TimelineEntry] = []
    overall = passed = None
    ending = started_at = ended_at = ""
    start = scenario.start_time if scenario is not None else "00:00"
    for statement in chosen:
        entry = _entry(statement, scenario, lang, start)
        if entry is None:
            continue
        timeline.append(entry)
        if entry.kind == "initialized":
            started_at = entry.timestamp
        elif entry.kind == "terminated":
            ended_at = entry.timestamp
        elif entry.kind == "completed":
            ending = entry.detail
        elif entry.kind in ("passed", "failed"):
            overall = entry.score
            passed = entry.kind == "passed"
        elif entry.kind == "decision":
            result = statement.get("result") or {}
            score = result.get("score") or {}
            team = teams.setdefault(entry.team_id, TeamResult(entry.team_id, entry.team_id))
            team.points += int(score.get("raw") or 0)
            team.possible += int(score.get("max") or 0)
            team.decisions += 1
    if overall is None:
        points = sum(t.points for t in teams.values())
        possible = sum(t.possible for t in teams.values())
        overall = points / possible if possible else None
    people = []
    for member in run.members:
        team = teams.get(member.team)
        score = team.score if team is not None and team.score is not None else None
        if score is None and status == "finished":
            score = overall
        people.append(
            PersonResult(
                member=member,
                team=team.name if team is not None else member.team,
                role=scenarios.role_name(scenario, member.role, lang) if scenario else member.role,
                score=score,
                passed=None if score is None else score >= run.mastery_score,
                decisions=[
                    e
                    for e in timeline
                    if e.kind == "decision"
                    and e.team_id == member.team
                    and e.role_id == member.role
                ],
            )
        )
    return RunReport(
        run=run,
        lang=lang,
        status=status,
        sessions=len(sessions),
        timeline=timeline,
        teams=[
            t
            for t in teams.values()
            if t.decisions or any(m.team == t.team_id for m in run.members)
        ],
        people=people,
        overall=overall,
        passed=passed,
        ending=ending,
        started_at=started_at,
        ended_at=ended_at,
    )


def _entry(statement: dict, scenario, lang: str, start: str) -> TimelineEntry | None:
    verb = statement["verb"]["id"]
    obj = statement.get("object") or {}
    context = statement.get("context") or {}
    ext = context.get("extensions") or {}
    result = statement.get("result") or {}
    stamp = str(statement.get("timestamp", ""))[:19].replace("T", " ")
    clock = _clock(start, ext.get(sim_iris.EXT_EXERCISE_TIME))
    name = ((obj.get("definition") or {}).get("name")) or {}
    if verb == iris.LAUNCHED:
        return TimelineEntry("launched", "", stamp, _("Launched from the portal"))
    if verb == iris.INITIALIZED:
        seed = ext.get(sim_iris.EXT_SEED)
        return TimelineEntry(
            "initialized", "", stamp, _("Exercise started"), _("seed %(seed)s", seed=seed)
        )
    if verb == iris.EXPERIENCED:
        inject_id = str(obj.get("id", "")).rsplit("/", 1)[-1]
        title = _langmap_text(name, lang)
        detail = ""
        if scenario is not None and scenario.has("inject", inject_id):
            inject = scenario.inject(inject_id)
            title = scenarios.text(inject.title, lang)
            detail = scenarios.text(inject.text, lang)
        note = _("released by the controller") if ext.get(sim_iris.EXT_MANUAL) else ""
        return TimelineEntry("inject", clock, stamp, title, detail, note=note)
    if verb == iris.ANSWERED:
        return _decision_entry(statement, scenario, lang, clock, stamp)
    if verb == iris.COMPLETED:
        ending_id = ext.get(sim_iris.EXT_ENDING)
        title, detail = _("Exercise completed"), ""
        if (
            scenario is not None
            and isinstance(ending_id, str)
            and scenario.has("ending", ending_id)
        ):
            ending = scenario.ending(ending_id)
            detail = scenarios.text(ending.title, lang)
        return TimelineEntry("completed", "", stamp, title, detail)
    if verb in (iris.PASSED, iris.FAILED):
        score = (result.get("score") or {}).get("scaled")
        kind = "passed" if verb == iris.PASSED else "failed"
        title = _("Passed") if kind == "passed" else _("Not passed")
        return TimelineEntry(kind, "", stamp, title, score=score)
    if verb == iris.TERMINATED:
        seconds = _seconds(result.get("duration"))
        detail = _("%(minutes)d min", minutes=round(seconds / 60)) if seconds is not None else ""
        return TimelineEntry("terminated", "", stamp, _("Exercise ended"), detail)
    return None


def _langmap_text(value: dict, lang: str) -> str:
    if not isinstance(value, dict) or not value:
        return ""
    for key in (lang, "en-US", "en"):
        if key in value:
            return str(value[key])
    return str(next(iter(value.values())))


def _decision_entry(statement: dict, scenario, lang: str, clock: str, stamp: str) -> TimelineEntry:
    obj = statement.get("object") or {}
    result = statement.get("result") or {}
    ext = result.get("extensions") or {}
    decision_id = str(obj.get("id", "")).rsplit("/", 1)[-1]
    team_id = str(ext.get(sim_iris.EXT_TEAM, ""))
    role_id = str(ext.get(sim_iris.EXT_ROLE, ""))
    option_id = result.get("response") or None
    score = (result.get("score") or {}).get("scaled")
    entry = TimelineEntry(
        "decision",
        clock,
        stamp,
        _langmap_text((obj.get("definition") or {}).get("name") or {}, lang),
        team=team_id,
        role=role_id,
        option=option_id or "",
        score=score,
        timed_out=bool(ext.get(sim_iris.EXT_TIMED_OUT)),
        decision_id=decision_id,
        team_id=team_id,
        role_id=role_id,
    )
    if scenario is None or not scenario.has("decision", decision_id):
        return entry
    point = scenario.decision(decision_id)
    entry.title = scenarios.text(point.prompt, lang)
    entry.team = scenarios.team_name(scenario, team_id, lang)
    entry.role = scenarios.role_name(scenario, role_id, lang)
    option = point.option(option_id) if option_id else None
    if option is not None:
        entry.option = scenarios.text(option.label, lang)
        entry.explanation = scenarios.text(option.explanation, lang)
    else:
        entry.option = _("No decision in time")
    best = max(point.options, key=lambda o: sum(o.scores.values()) / (3 * len(o.scores) or 1))
    if option is None or best.id != option.id:
        entry.best_option = scenarios.text(best.label, lang)
        entry.best_explanation = scenarios.text(best.explanation, lang)
    return entry


# --- results for readiness --------------------------------------------------------------------


def result_ids(run: ExerciseRun, person_id: uuid.UUID) -> dict[str, str]:
    """Fixed ids of a person's completed, passed and failed statements in this run."""
    base = f"{run.id}/{person_id}"
    return {
        verb: str(uuid.uuid5(RESULT_NAMESPACE, f"{base}/{verb}"))
        for verb in ("completed", "passed", "failed")
    }


def record_results(run: ExerciseRun, now: dt.datetime | None = None) -> int:
    """Record per person ``completed`` (when the app completed) and ``passed`` or ``failed``.

    The team's score in the latest session against the mastery score decides; a person whose
    team made no scored decision gets the overall score of a finished exercise. Ids are fixed per
    run, person and verb, so recording again stores nothing new. As cmi5 asks, nothing is
    recorded after a pass; a replay that passes after a failure adds the pass. Returns the number
    of statements stored.
    """
    now = now or utcnow()
    rep = report(run, run.lang)
    if rep.status != "finished" and not any(t.decisions for t in rep.teams):
        return 0
    completed = any(e.kind == "completed" for e in rep.timeline)
    ids = {p.member.person_id: result_ids(run, p.member.person_id) for p in rep.people}
    existing = {
        str(i)
        for i in db.session.scalars(
            select(Statement.statement_id).where(
                Statement.statement_id.in_(
                    [uuid.UUID(v) for person_ids in ids.values() for v in person_ids.values()]
                )
            )
        )
    }
    statements: list[dict] = []
    for person in rep.people:
        member = person.member
        mine = ids[member.person_id]
        if person.score is None or mine["passed"] in existing:
            continue
        context = {
            "registration": run.registration,
            "contextActivities": {"grouping": [{"id": run.activity_id, "objectType": "Activity"}]},
            "instructor": run.actor,
            "extensions": {
                sim_iris.EXT_TEAM: member.team,
                sim_iris.EXT_ROLE: member.role,
                iris.CMI5_MASTERY_SCORE: run.mastery_score,
            },
        }
        agent = person_agent(member.person_id)
        if completed and mine["completed"] not in existing:
            statements.append(
                {
                    "id": mine["completed"],
                    "actor": agent,
                    "verb": iris.verb(iris.COMPLETED),
                    "object": _activity(run),
                    "result": {"completion": True},
                    "context": context,
                    "timestamp": _timestamp(now),
                }
            )
        success = person.score >= run.mastery_score
        verb = "passed" if success else "failed"
        if mine[verb] in existing:
            continue
        statements.append(
            {
                "id": mine[verb],
                "actor": agent,
                "verb": iris.verb(iris.PASSED if success else iris.FAILED),
                "object": _activity(run),
                "result": {
                    "success": success,
                    "completion": completed,
                    "score": {"scaled": round(person.score, 4)},
                },
                "context": context,
                "timestamp": _timestamp(now),
            }
        )
    if statements:
        save_statements(db.session, statements, portal_authority())
    if run.results_recorded_at is None:
        run.results_recorded_at = now
    db.session.flush()
    return len(statements)


# --- a person's exercises ------------------------------------------------------------------------


@dataclass
class PersonRun:
    run: ExerciseRun
    member: RunMember
    verdict: str | None  # passed | failed | None while not recorded
    score: float | None


def person_runs(person: Person) -> list[PersonRun]:
    """The runs a person played in, newest first, with the result recorded for readiness."""
    members = db.session.scalars(
        select(RunMember)
        .join(ExerciseRun, ExerciseRun.id == RunMember.run_id)
        .where(RunMember.person_id == person.id)
        .order_by(ExerciseRun.created_at.desc())
    ).all()
    if not members:
        return []
    actor_key = keys.agent_key(person_agent(person.id))
    registrations = [uuid.UUID(m.run.registration) for m in members]
    results: dict[str, tuple[str, float | None]] = {}
    rows = db.session.execute(
        select(Statement.registration, Statement.verb_id, Statement.raw).where(
            Statement.actor_key == actor_key,
            Statement.registration.in_(registrations),
            Statement.verb_id.in_([iris.PASSED, iris.FAILED]),
            Statement.voided.is_(False),
        )
    )
    for registration, verb_id, raw in rows:
        verdict = "passed" if verb_id == iris.PASSED else "failed"
        if results.get(str(registration), ("",))[0] == "passed":
            continue
        score = ((json.loads(raw).get("result") or {}).get("score") or {}).get("scaled")
        results[str(registration)] = (verdict, score)
    return [PersonRun(m.run, m, *results.get(m.run.registration, (None, None))) for m in members]
