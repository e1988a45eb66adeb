"""Engine events -> xAPI statements -> the portal's LRS, queued on disk when offline.

The tracker turns the events of ``step`` into statements following cmi5 for a non-browser
assignable unit: ``initialized`` first, ``experienced`` for each inject, ``answered`` for each
decision, then ``completed``, ``passed`` or ``failed`` against the mastery score, and
``terminated`` last. Every statement gets a client-chosen UUID and goes into an outbox (an
SQLite file) before any network call. ``Outbox.deliver`` sends them in order with PUT; the same
id sent twice is a no-op at the LRS, so a retry after a lost answer never doubles a statement.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from simulations import iris
from simulations.engine.model import Scenario
from simulations.engine.scoring import passed as is_passed

XAPI_VERSION = "1.0.3"
HTTP_TIMEOUT = 10.0


def default_data_dir() -> Path:
    """Where the outbox lives: $SIMULATIONS_DATA_DIR, else the user's data directory."""
    if os.environ.get("SIMULATIONS_DATA_DIR"):
        return Path(os.environ["SIMULATIONS_DATA_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "unmic-exercises"


def basic_auth(key: str, secret: str) -> str:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")
    return f"Basic {token}"


def iso_duration(seconds: float) -> str:
    """An ISO 8601 duration such as ``PT75.25S``."""
    seconds = max(0.0, round(seconds, 2))
    return f"PT{seconds:g}S"


def _timestamp(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Session:
    """Who, where and under which registration the statements of one exercise are sent."""

    endpoint: str
    auth: str
    actor: dict
    registration: str
    activity_id: str
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    mastery_score: float | None = None
    context_template: dict = field(default_factory=dict)
    teams: list[dict] = field(default_factory=list)  # from launchParameters
    lang: str = "en"
    launch_mode: str = "Normal"

    def __post_init__(self) -> None:
        if not self.endpoint.endswith("/"):
            self.endpoint += "/"


class StatementBuilder:
    """Builds the statements of one session; pure apart from the id and clock it is given."""

    def __init__(
        self,
        session: Session,
        scenario: Scenario,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ):
        self.session = session
        self.scenario = scenario
        self.new_id = new_id

    # -- parts --

    def _langs(self, text: dict) -> dict:
        return {("en-US" if k == "en" else k): v for k, v in text.items()}

    def _activity(self) -> dict:
        return {
            "objectType": "Activity",
            "id": self.session.activity_id,
            "definition": {
                "type": iris.SIMULATION,
                "name": self._langs(self.scenario.title),
                "description": self._langs(self.scenario.summary),
            },
        }

    def _group(self, team_id: str) -> dict | None:
        for team in self.session.teams:
            if team.get("id") == team_id:
                members = [m["agent"] for m in team.get("members", []) if m.get("agent")]
                if members:
                    return {
                        "objectType": "Group",
                        "name": str(team.get("name") or team_id),
                        "member": members,
                    }
        return None

    def _context(self, verb_id: str, extra: dict | None = None, team: str | None = None) -> dict:
        template = json.loads(json.dumps(self.session.context_template or {}))
        context: dict[str, Any] = {"registration": self.session.registration}
        activities = template.get("contextActivities", {})
        if verb_id in iris.CMI5_DEFINED:
            categories = list(activities.get("category", []))
            wanted = [iris.CMI5_CATEGORY]
            if verb_id in (iris.COMPLETED, iris.PASSED, iris.FAILED):
                wanted.append(iris.MOVEON_CATEGORY)
            for cat in wanted:
                if not any(c.get("id") == cat for c in categories):
                    categories.append({"id": cat, "objectType": "Activity"})
            activities["category"] = categories
        else:
            parents = list(activities.get("parent", []))
            if not any(p.get("id") == self.session.activity_id for p in parents):
                parents.append({"id": self.session.activity_id, "objectType": "Activity"})
            activities["parent"] = parents
        if activities:
            context["contextActivities"] = activities
        extensions = dict(template.get("extensions", {}))
        extensions[iris.CMI5_SESSION_ID] = self.session.session_id
        extensions[iris.EXT_SCENARIO] = f"{self.scenario.id}@{self.scenario.version}"
        if extra:
            extensions.update(extra)
        context["extensions"] = extensions
        context["instructor"] = self.session.actor
        if team is not None:
            group = self._group(team)
            if group is not None:
                context["team"] = group
        lang = "en-US" if self.session.lang == "en" else self.session.lang
        context["language"] = lang
        return context

    def _statement(
        self,
        verb_id: str,
        obj: dict,
        now: dt.datetime,
        result: dict | None = None,
        context: dict | None = None,
    ) -> dict:
        statement = {
            "id": self.new_id(),
            "actor": self.session.actor,
            "verb": iris.verb(verb_id),
            "object": obj,
            "context": context if context is not None else self._context(verb_id),
            "timestamp": _timestamp(now),
        }
        if result is not None:
            statement["result"] = result
        return statement

    # -- statements --

    def initialized(self, now: dt.datetime, seed: int) -> dict:
        ctx = self._context(iris.INITIALIZED, {iris.EXT_SEED: seed})
        return self._statement(iris.INITIALIZED, self._activity(), now, context=ctx)

    def experienced(self, now: dt.datetime, inject_id: str, manual: bool, clock: float) -> dict:
        inject = self.scenario.inject(inject_id)
        obj = {
            "objectType": "Activity",
            "id": iris.inject_activity(self.session.activity_id, inject_id),
            "definition": {
                "type": iris.INJECT_TYPE,
                "name": self._langs(inject.title),
                "description": self._langs(inject.text),
            },
        }
        ctx = self._context(
            iris.EXPERIENCED,
            {
                iris.EXT_INJECT_KIND: inject.kind,
                iris.EXT_MANUAL: manual,
                iris.EXT_EXERCISE_TIME: iso_duration(clock),
            },
        )
        return self._statement(iris.EXPERIENCED, obj, now, context=ctx)

    def answered(
        self,
        now: dt.datetime,
        decision_id: str,
        option_id: str | None,
        scores: dict[str, int],
        scaled: float,
        clock: float,
    ) -> dict:
        point = self.scenario.decision(decision_id)
        obj = {
            "objectType": "Activity",
            "id": iris.decision_activity(self.session.activity_id, decision_id),
            "definition": {
                "type": iris.INTERACTION,
                "name": self._langs(point.prompt),
                "interactionType": "choice",
                "choices": [
                    {"id": o.id, "description": self._langs(o.label)} for o in point.options
                ],
            },
        }
        result = {
            "response": option_id or "",
            "score": {
                "scaled": round(scaled, 4),
                "raw": sum(scores.values()),
                "min": 0,
                "max": 3 * len(scores),
            },
            "extensions": {
                iris.EXT_TEAM: point.team,
                iris.EXT_ROLE: point.role,
                iris.EXT_DIMENSION_SCORES: dict(scores),
                iris.EXT_TIMED_OUT: option_id is None,
            },
        }
        ctx = self._context(
            iris.ANSWERED, {iris.EXT_EXERCISE_TIME: iso_duration(clock)}, team=point.team
        )
        return self._statement(iris.ANSWERED, obj, now, result=result, context=ctx)

    def completed(self, now: dt.datetime, duration: float, ending: str) -> dict:
        ctx = self._context(iris.COMPLETED, {iris.EXT_ENDING: ending})
        result = {"completion": True, "duration": iso_duration(duration)}
        return self._statement(iris.COMPLETED, self._activity(), now, result=result, context=ctx)

    def judged(self, now: dt.datetime, duration: float, scaled: float) -> dict:
        mastery = self.mastery_score
        success = is_passed(scaled, mastery)
        verb_id = iris.PASSED if success else iris.FAILED
        ctx = self._context(verb_id, {iris.CMI5_MASTERY_SCORE: mastery})
        result = {
            "success": success,
            "score": {"scaled": round(scaled, 4)},
            "duration": iso_duration(duration),
        }
        return self._statement(verb_id, self._activity(), now, result=result, context=ctx)

    def terminated(self, now: dt.datetime, duration: float) -> dict:
        result = {"duration": iso_duration(duration)}
        return self._statement(iris.TERMINATED, self._activity(), now, result=result)

    @property
    def mastery_score(self) -> float:
        if self.session.mastery_score is not None:
            return self.session.mastery_score
        return self.scenario.mastery_score


class Outbox:
    """Statements waiting for delivery, in an SQLite file; order is the insertion order."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path)
        with contextlib.suppress(OSError):
            # the queue holds LRS credentials and personal records: owner only
            os.chmod(self.path, 0o600)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS outbox ("
            " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
            " id TEXT NOT NULL UNIQUE,"
            " endpoint TEXT NOT NULL,"
            " auth TEXT NOT NULL,"
            " body TEXT NOT NULL,"
            " status TEXT NOT NULL DEFAULT 'pending',"
            " attempts INTEGER NOT NULL DEFAULT 0,"
            " last_error TEXT)"
        )
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    def add(self, statement: dict, endpoint: str, auth: str) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR IGNORE INTO outbox (id, endpoint, auth, body) VALUES (?, ?, ?, ?)",
                (statement["id"], endpoint, auth, json.dumps(statement, ensure_ascii=False)),
            )

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status")
        return dict(rows.fetchall())

    def pending(self) -> list[dict]:
        rows = self.db.execute(
            "SELECT body FROM outbox WHERE status = 'pending' ORDER BY seq"
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def _mark(self, seq: int, status: str, error: str | None = None) -> None:
        with self.db:
            self.db.execute(
                "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ? "
                "WHERE seq = ?",
                (status, error, seq),
            )

    def deliver(
        self,
        http: requests.Session | None = None,
        limit: int = 1000,
        timeout: float = HTTP_TIMEOUT,
        auth: str | None = None,
    ) -> DeliveryReport:
        """Send pending statements in order; stop at the first one the LRS cannot take now.

        ``auth`` replaces the stored credentials (e.g. a launch token that has expired
        while the kit was offline, replaced by the kit's own LRS key).
        """
        http = http or requests.Session()
        report = DeliveryReport()
        rows = self.db.execute(
            "SELECT seq, id, endpoint, auth, body FROM outbox WHERE status = 'pending' "
            "ORDER BY seq LIMIT ?",
            (limit,),
        ).fetchall()
        for seq, statement_id, endpoint, stored_auth, body in rows:
            outcome, error = _put_statement(
                http, endpoint, auth or stored_auth, statement_id, body, timeout
            )
            if outcome == "delivered":
                self._mark(seq, "delivered")
                report.delivered += 1
            elif outcome in ("conflict", "rejected"):
                self._mark(seq, outcome, error)
                report.refused.append((statement_id, error))
            else:
                with self.db:
                    self.db.execute(
                        "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
                        (error, seq),
                    )
                report.error = error
                break
        report.pending = self.counts().get("pending", 0)
        return report


@dataclass
class DeliveryReport:
    delivered: int = 0
    pending: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None


def _headers(auth: str) -> dict:
    return {
        "Authorization": auth,
        "X-Experience-API-Version": XAPI_VERSION,
        "Content-Type": "application/json",
    }


_COMPARED = ("actor", "verb", "object", "result", "context")


def _same_statement(sent: dict, stored: dict) -> bool:
    """Whether the LRS holds the statement we sent (ignoring fields the LRS sets)."""
    if any(sent.get(k) != stored.get(k) for k in _COMPARED):
        return False
    try:
        a = dt.datetime.fromisoformat(sent["timestamp"].replace("Z", "+00:00"))
        b = dt.datetime.fromisoformat(str(stored.get("timestamp")).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return False
    return a == b


def _put_statement(http, endpoint, auth, statement_id, body, timeout) -> tuple[str, str | None]:
    url = f"{endpoint}statements"
    try:
        response = http.put(
            url,
            params={"statementId": statement_id},
            data=body.encode(),
            headers=_headers(auth),
            timeout=timeout,
        )
    except requests.RequestException as exc:
        return "retry", f"LRS unreachable: {type(exc).__name__}"
    if response.status_code in (200, 204):
        return "delivered", None
    if response.status_code == 409:
        try:
            stored = http.get(
                url, params={"statementId": statement_id}, headers=_headers(auth), timeout=timeout
            )
        except requests.RequestException as exc:
            return "retry", f"LRS unreachable: {type(exc).__name__}"
        if stored.status_code == 200:
            try:
                same = _same_statement(json.loads(body), stored.json())
            except ValueError:
                same = False
            if same:
                return "delivered", None
            return "conflict", "the LRS holds a different statement with this id"
        return "retry", f"LRS answered {stored.status_code} when checking a conflict"
    if response.status_code in (401, 403) or response.status_code >= 500:
        return "retry", f"LRS answered {response.status_code}"
    return "rejected", f"LRS answered {response.status_code}: {response.text[:200]}"


class Tracker:
    """Feeds engine events to the statement builder and the outbox."""

    def __init__(
        self,
        session: Session,
        scenario: Scenario,
        outbox: Outbox,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ):
        self.session = session
        self.builder = StatementBuilder(session, scenario, new_id)
        self.outbox = outbox
        self.clock = clock
        self.now = now
        self.started_at: float | None = None
        self.finished = False
        self.sent: list[dict] = []

    def _queue(self, statement: dict) -> None:
        self.outbox.add(statement, self.session.endpoint, self.session.auth)
        self.sent.append(statement)

    def record(self, events: Iterable) -> None:
        for event in events:
            self._record(event)

    def _record(self, event) -> None:
        b = self.builder
        if event.kind == "started" and self.started_at is None:
            self.started_at = self.clock()
            self._queue(b.initialized(self.now(), event.data["seed"]))
        elif event.kind == "inject_released":
            self._queue(
                b.experienced(self.now(), event.data["inject"], event.data["manual"], event.t)
            )
        elif event.kind in ("decision_made", "decision_missed"):
            self._queue(
                b.answered(
                    self.now(),
                    event.data["decision"],
                    event.data.get("option"),
                    event.data["scores"],
                    event.data["scaled"],
                    event.t,
                )
            )
        elif event.kind == "ended" and not self.finished:
            self.finished = True
            duration = self.clock() - (self.started_at or self.clock())
            now = self.now()
            if self.session.launch_mode == "Normal":
                # cmi5: no completion or judgement in Browse or Review mode
                self._queue(b.completed(now, duration, event.data["ending"]))
                self._queue(b.judged(now, duration, event.data["score"]))
            self._queue(b.terminated(now, duration))

    def abandon(self) -> None:
        """The window was closed mid-exercise: record ``terminated`` (no completion)."""
        if self.started_at is not None and not self.finished:
            self.finished = True
            self._queue(self.builder.terminated(self.now(), self.clock() - self.started_at))

    def flush(
        self, http: requests.Session | None = None, limit: int = 1000, timeout: float = HTTP_TIMEOUT
    ) -> DeliveryReport:
        return self.outbox.deliver(http, limit=limit, timeout=timeout)
