"""Shared helpers for the simulation tests (engine tests never import pygame)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = str(Path(__file__).resolve().parent)
for folder in (str(ROOT), HERE):  # the project and the shared fakes, whatever the import mode
    if folder not in sys.path:
        sys.path.insert(0, folder)
os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"

from simulations import SCENARIO_DIR  # noqa: E402
from simulations.engine import Decide, Tick, load_file, new_state, step  # noqa: E402


def play_through(scenario, choices: dict[str, str], seed: int = 7, dt: float = 5.0, max_steps=5000):
    """Play to the end, answering each decision point from ``choices`` as soon as it opens.

    Decision points not in ``choices`` are left to time out. Returns (state, all events).
    """
    state = new_state(scenario, seed)
    events = []
    for _ in range(max_steps):
        if state.ended:
            break
        state, new = step(state, Tick(dt))
        events.extend(new)
        for decision_id in state.open_decisions():
            if decision_id in choices:
                team = scenario.decision(decision_id).team
                state, new = step(state, Decide(decision_id, choices[decision_id], team))
                events.extend(new)
    assert state.ended, "the scenario did not end within the step budget"
    return state, events


@pytest.fixture(scope="session")
def play():
    return play_through


@pytest.fixture(scope="session")
def scenarios():
    return {p.stem: load_file(p) for p in sorted(SCENARIO_DIR.glob("*.yaml"))}


@pytest.fixture(scope="session")
def poc(scenarios):
    return scenarios["poc-camp"]
