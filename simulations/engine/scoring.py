"""Doctrine-based scoring of decisions and the choice of an ending.

Every option of a decision point is scored by the scenario author from 0 to 3 on one or more
dimensions: 0 goes against doctrine, 1 is weak, 2 is acceptable, 3 is what doctrine asks for.
A decision's scaled score is its points over the points possible on the dimensions it is scored
on. A decision point that opened but was not decided in time counts as 0 on its dimensions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulations.engine.model import Ending
    from simulations.engine.state import State

SCORE_MAX = 3
DIMENSIONS = ("mandate", "roe", "poc", "safety", "reporting")
DIMENSION_NAMES = {
    "mandate": {"en": "Mandate", "fr": "Mandat", "ar": "الولاية"},
    "roe": {"en": "Rules of engagement", "fr": "Règles d'engagement", "ar": "قواعد الاشتباك"},
    "poc": {"en": "Protection of civilians", "fr": "Protection des civils", "ar": "حماية المدنيين"},
    "safety": {"en": "Safety of personnel", "fr": "Sécurité du personnel", "ar": "سلامة الأفراد"},
    "reporting": {"en": "Reporting", "fr": "Compte rendu", "ar": "الإبلاغ"},
}


@dataclass(frozen=True)
class DecisionScore:
    decision_id: str
    team: str
    role: str
    option_id: str | None  # None when the decision point was missed
    points: dict[str, int]
    possible: dict[str, int]

    @property
    def scaled(self) -> float:
        total = sum(self.possible.values())
        return sum(self.points.values()) / total if total else 0.0


@dataclass(frozen=True)
class Scorecard:
    decisions: tuple[DecisionScore, ...]
    by_dimension: dict[str, float] = field(default_factory=dict)
    by_team: dict[str, float] = field(default_factory=dict)
    overall: float = 0.0


def score_decision(state: State, decision_id: str) -> DecisionScore | None:
    """The score of one closed decision point, or None while it is open or never opened."""
    record = state.decisions.get(decision_id)
    if record is None or record.status == "open":
        return None
    point = state.scenario.decision(decision_id)
    dims = sorted({d for opt in point.options for d in opt.scores}, key=DIMENSIONS.index)
    if record.option_id is None:
        points = dict.fromkeys(dims, 0)
        possible = dict.fromkeys(dims, SCORE_MAX)
    else:
        option = point.option(record.option_id)
        points = dict(option.scores)
        possible = dict.fromkeys(option.scores, SCORE_MAX)
    return DecisionScore(decision_id, point.team, point.role, record.option_id, points, possible)


def scorecard(state: State) -> Scorecard:
    """Scores so far: per decision, per dimension, per team and overall (each 0..1)."""
    scores = []
    for decision_id in state.decision_order:
        score = score_decision(state, decision_id)
        if score is not None:
            scores.append(score)
    got = dict.fromkeys(DIMENSIONS, 0)
    possible = dict.fromkeys(DIMENSIONS, 0)
    team_got: dict[str, int] = {}
    team_possible: dict[str, int] = {}
    for s in scores:
        for dim, value in s.points.items():
            got[dim] += value
        for dim, value in s.possible.items():
            possible[dim] += value
        team_got[s.team] = team_got.get(s.team, 0) + sum(s.points.values())
        team_possible[s.team] = team_possible.get(s.team, 0) + sum(s.possible.values())
    by_dimension = {d: (got[d] / possible[d] if possible[d] else 0.0) for d in DIMENSIONS}
    by_team = {t: team_got[t] / team_possible[t] for t in team_got if team_possible[t]}
    total_possible = sum(possible.values())
    overall = sum(got.values()) / total_possible if total_possible else 0.0
    return Scorecard(tuple(scores), by_dimension, by_team, overall)


def choose_ending(state: State) -> Ending:
    """The first ending whose rule holds; the last ending is the default."""
    for ending in state.scenario.endings:
        if ending.when is None or ending.when.test(state):
            return ending
    return state.scenario.endings[-1]


def passed(scaled: float, mastery_score: float) -> bool:
    return scaled >= mastery_score
