"""The shipped scenarios: size, languages, and every ending reachable by scripted decisions."""

from __future__ import annotations

import pytest

from simulations.engine import scorecard

# Scripted decisions that lead to each ending (seed 7 unless given).
PATHS = {
    "poc-camp": {
        "camp-protected": {
            "posture": "presence",
            "humanitarian-liaison": "meet-share",
            "rumour-response": "report-pio",
            "crowd-response": "interpose",
            "casualty-report": "report-reinforce",
            "prefect-response": "refer-due-process",
        },
        "camp-attacked": {
            "posture": "fortify-base",
            "humanitarian-liaison": "withhold",
            "rumour-response": "post-denial",
            "crowd-response": "withdraw",
            "casualty-report": "handle-alone",
            "prefect-response": "allow-search",
        },
        "fragile-calm": {
            "posture": "police-matter",
            "humanitarian-liaison": "guard-distribution",
            "rumour-response": "ignore",
            "crowd-response": "interpose",
            "casualty-report": "handle-alone",
            "prefect-response": "hand-over",
        },
    },
    "convoy-ied": {
        "safe-handover": {
            "drone-sighting": "report-watch",
            "object-found": "stop-back-report",
            "cordon-setup": "wide-cordon",
            "villagers-response": "explain-detour",
            "rumour-line": "report-and-explain",
            "motorbike-response": "warn-block",
        },
        "casualties": {
            "drone-sighting": "ignore",
            "object-found": "inspect",
            "cordon-setup": "close-cordon",
            "villagers-response": "warning-shots",
            "rumour-line": "post-reply",
            "motorbike-response": "open-fire",
        },
        "delayed-no-harm": {
            "drone-sighting": "shoot-down",
            "object-found": "stop-back-report",
            "cordon-setup": "stay-in-vehicles",
            "villagers-response": "explain-detour",
            "rumour-line": "ignore",
            "motorbike-response": "warn-block",
        },
    },
    "disinfo-gate": {
        "de-escalated": {
            "letter-response": "verify-report",
            "mayor-meeting": "meet-with-facts",
            "gate-posture": "hold-call-police",
            "injury-report": "report-graduated",
            "delegation": "receive-delegation",
            "media-request": "refer-spokesperson",
        },
        "violence-at-gate": {
            "letter-response": "share-warning",
            "mayor-meeting": "promise-compensation",
            "gate-posture": "warning-shots",
            "injury-report": "arrest-leaders",
            "delegation": "refuse",
            "media-request": "give-interview",
        },
        "uneasy-end": {
            "letter-response": "ignore",
            "mayor-meeting": "wait-calm",
            "gate-posture": "hold-call-police",
            "injury-report": "report-later",
            "delegation": "refuse",
            "media-request": "hang-up",
        },
    },
}

CASES = [(sid, ending) for sid, endings in PATHS.items() for ending in endings]


def test_at_least_three_scenarios(scenarios):
    assert {"poc-camp", "convoy-ied", "disinfo-gate"} <= set(scenarios)


@pytest.mark.parametrize("scenario_id", sorted(PATHS))
def test_scenario_size_and_languages(scenarios, scenario_id):
    scenario = scenarios[scenario_id]
    assert len(scenario.injects) >= 10
    assert len(scenario.decisions) >= 6
    assert len(scenario.endings) >= 2
    assert {"en", "fr", "ar"} <= set(scenario.languages)
    kinds = {i.kind for i in scenario.injects}
    assert len(kinds) >= 4
    assert any(i.sage is not None for i in scenario.injects)
    assert any(i.manual for i in scenario.injects)
    # the Arabic texts are written in Arabic script
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in i.text["ar"]) for i in scenario.injects)


@pytest.mark.parametrize(("scenario_id", "ending"), CASES)
def test_every_ending_is_reachable(scenarios, play, scenario_id, ending):
    scenario = scenarios[scenario_id]
    choices = PATHS[scenario_id][ending]
    assert set(choices) == {d.id for d in scenario.decisions}
    state, events = play(scenario, choices)
    assert state.ending == ending
    made = [e.data["decision"] for e in events if e.kind == "decision_made"]
    assert sorted(made) == sorted(choices)
    assert events[-1].kind == "ended" and events[-1].data["ending"] == ending


@pytest.mark.parametrize("scenario_id", sorted(PATHS))
def test_endings_differ_in_score(scenarios, play, scenario_id):
    scenario = scenarios[scenario_id]
    results = {}
    for ending, choices in PATHS[scenario_id].items():
        state, _ = play(scenario, choices)
        results[ending] = scorecard(state).overall
    good = next(e.id for e in scenario.endings if e.tone == "good")
    bad = next(e.id for e in scenario.endings if e.tone == "bad")
    assert results[good] >= scenario.mastery_score > results[bad]
