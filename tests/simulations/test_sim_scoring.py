"""Scoring: per decision, per dimension, per team, overall; missed decisions score zero."""

from __future__ import annotations

import pytest

from simulations.engine import DIMENSIONS, Decide, End, Tick, new_state, scorecard, step
from simulations.engine.scoring import SCORE_MAX, passed


def _open_and_decide(poc, option):
    state, _ = step(new_state(poc, 1), Tick(60))
    state, _ = step(state, Decide("posture", option, "command"))
    return state


def test_single_decision_score(poc):
    card = scorecard(_open_and_decide(poc, "presence"))
    (decision,) = card.decisions
    assert decision.points == {"mandate": 3, "poc": 3, "safety": 2}
    assert decision.scaled == pytest.approx(8 / 9)
    assert card.overall == pytest.approx(8 / 9)
    assert card.by_dimension["mandate"] == 1.0
    assert card.by_dimension["safety"] == pytest.approx(2 / 3)
    assert card.by_dimension["roe"] == 0.0  # not assessed yet
    assert card.by_team == {"command": pytest.approx(8 / 9)}


def test_worse_option_scores_lower(poc):
    good = scorecard(_open_and_decide(poc, "presence")).overall
    bad = scorecard(_open_and_decide(poc, "fortify-base")).overall
    assert bad == pytest.approx(2 / 9)
    assert good > bad


def test_missed_decision_counts_zero_on_all_its_dimensions(poc):
    state, _ = step(new_state(poc, 1), Tick(60))
    state, _ = step(state, End())
    (decision,) = scorecard(state).decisions
    assert decision.option_id is None
    assert set(decision.points) == {"mandate", "poc", "safety"}
    assert sum(decision.points.values()) == 0
    assert decision.scaled == 0.0


def test_every_option_is_scored_within_range(scenarios):
    for scenario in scenarios.values():
        for point in scenario.decisions:
            best = max(sum(o.scores.values()) / (SCORE_MAX * len(o.scores)) for o in point.options)
            assert best >= 0.8, f"{scenario.id}/{point.id} has no doctrinally sound option"
            for option in point.options:
                assert set(option.scores) <= set(DIMENSIONS)
                assert option.explanation["en"]


def test_pass_mark():
    assert passed(0.7, 0.7)
    assert not passed(0.69, 0.7)


def test_score_condition_reads_running_score(poc):
    from simulations.engine.rules import Refs, build_condition

    refs = Refs(decisions={d.id: {o.id for o in d.options} for d in poc.decisions})
    high = build_condition({"score": {"gte": 0.8}}, "c", refs)
    poc_low = build_condition({"score": {"dimension": "poc", "lt": 0.5}}, "c", refs)
    assert not refs.errors
    good = _open_and_decide(poc, "presence")
    bad = _open_and_decide(poc, "fortify-base")
    assert high.test(good) and not high.test(bad)
    assert poc_low.test(bad) and not poc_low.test(good)
