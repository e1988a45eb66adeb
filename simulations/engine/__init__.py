"""Pure, deterministic exercise engine: scenarios, state, actions, rules and scoring.

Imports neither pygame nor Flask.
"""

from simulations.engine.errors import Problem, ScenarioError
from simulations.engine.model import Scenario, tr
from simulations.engine.schema import load_file, load_text, parse_scenario
from simulations.engine.scoring import DIMENSION_NAMES, DIMENSIONS, choose_ending, scorecard
from simulations.engine.state import (
    SPEEDS,
    AddNote,
    Decide,
    End,
    Event,
    Pause,
    ReleaseInject,
    Resume,
    SetSpeed,
    State,
    Tick,
    new_state,
)
from simulations.engine.step import step

__all__ = [
    "DIMENSIONS",
    "DIMENSION_NAMES",
    "SPEEDS",
    "AddNote",
    "Decide",
    "End",
    "Event",
    "Pause",
    "Problem",
    "ReleaseInject",
    "Resume",
    "Scenario",
    "ScenarioError",
    "SetSpeed",
    "State",
    "Tick",
    "choose_ending",
    "load_file",
    "load_text",
    "new_state",
    "parse_scenario",
    "scorecard",
    "step",
    "tr",
]
