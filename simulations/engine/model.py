"""The scenario as loaded from its YAML file: immutable data, built and checked by schema.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulations.engine.rules import Action, Condition

LangMap = dict[str, str]

INJECT_KINDS = ("radio", "sage", "social", "crowd", "drone", "ied", "report", "liaison", "media")
PLACE_KINDS = (
    "town",
    "camp",
    "base",
    "checkpoint",
    "gate",
    "village",
    "bridge",
    "route-point",
    "hospital",
    "market",
)


def tr(text: LangMap | None, lang: str, fallback: str = "en") -> str:
    """The text in ``lang``, else in ``fallback``, else the first one given."""
    if not text:
        return ""
    if lang in text:
        return text[lang]
    if fallback in text:
        return text[fallback]
    return next(iter(text.values()))


@dataclass(frozen=True)
class Place:
    id: str
    kind: str
    name: LangMap
    pos: tuple[float, float]


@dataclass(frozen=True)
class Sector:
    id: str
    name: LangMap
    polygon: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Road:
    id: str
    name: LangMap
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Unit:
    id: str
    name: LangMap
    kind: str
    pos: tuple[float, float]


@dataclass(frozen=True)
class MapSpec:
    width: float
    height: float
    sectors: tuple[Sector, ...]
    places: tuple[Place, ...]
    roads: tuple[Road, ...]
    units: tuple[Unit, ...]


@dataclass(frozen=True)
class Role:
    id: str
    name: LangMap


@dataclass(frozen=True)
class Team:
    id: str
    name: LangMap
    roles: tuple[str, ...]


SAGE_FIELDS = ("what", "where", "when", "who", "source", "reliability", "actions")


@dataclass(frozen=True)
class SageReport:
    """An incident report with the fields of the mission's incident log."""

    what: LangMap
    where: LangMap
    when: LangMap
    who: LangMap
    source: LangMap
    reliability: LangMap
    actions: LangMap


@dataclass(frozen=True)
class Inject:
    id: str
    kind: str
    title: LangMap
    text: LangMap
    at: float | None = None  # exercise seconds
    when: Condition | None = None
    manual: bool = False
    jitter: float = 0.0  # exercise seconds
    sender: LangMap | None = None
    place: str | None = None
    sage: SageReport | None = None
    effects: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Option:
    id: str
    label: LangMap
    scores: dict[str, int]
    explanation: LangMap
    effects: tuple[Action, ...] = ()


@dataclass(frozen=True)
class DecisionPoint:
    id: str
    team: str
    role: str
    prompt: LangMap
    options: tuple[Option, ...]
    opens: Condition
    timeout: float | None = None  # exercise seconds
    on_timeout: tuple[Action, ...] = ()

    def option(self, option_id: str) -> Option | None:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        return None


@dataclass(frozen=True)
class Ending:
    id: str
    tone: str
    title: LangMap
    text: LangMap
    when: Condition | None = None


@dataclass(frozen=True)
class Scenario:
    id: str
    version: int
    languages: tuple[str, ...]
    title: LangMap
    summary: LangMap
    briefing: LangMap
    start_time: str
    duration: float  # exercise seconds
    clock_rate: float  # exercise seconds per real second at speed 1
    mastery_score: float
    map: MapSpec
    roles: tuple[Role, ...]
    teams: tuple[Team, ...]
    variables: dict[str, Any]
    injects: tuple[Inject, ...]
    decisions: tuple[DecisionPoint, ...]
    endings: tuple[Ending, ...]
    source: str = ""
    _index: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        idx = self._index
        idx["inject"] = {i.id: i for i in self.injects}
        idx["decision"] = {d.id: d for d in self.decisions}
        idx["place"] = {p.id: p for p in self.map.places}
        idx["team"] = {t.id: t for t in self.teams}
        idx["role"] = {r.id: r for r in self.roles}
        idx["ending"] = {e.id: e for e in self.endings}
        idx["unit"] = {u.id: u for u in self.map.units}

    def inject(self, inject_id: str) -> Inject:
        return self._index["inject"][inject_id]

    def decision(self, decision_id: str) -> DecisionPoint:
        return self._index["decision"][decision_id]

    def place(self, place_id: str) -> Place:
        return self._index["place"][place_id]

    def team(self, team_id: str) -> Team:
        return self._index["team"][team_id]

    def role(self, role_id: str) -> Role:
        return self._index["role"][role_id]

    def ending(self, ending_id: str) -> Ending:
        return self._index["ending"][ending_id]

    def unit(self, unit_id: str) -> Unit:
        return self._index["unit"][unit_id]

    def has(self, kind: str, item_id: str) -> bool:
        return item_id in self._index[kind]
