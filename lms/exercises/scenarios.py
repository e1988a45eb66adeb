"""The scenario files of the desktop app, read with its pure engine (never pygame).

Scenarios are loaded once per process and keyed by id. ``LMS_SCENARIOS_DIR`` (config
``SCENARIOS_DIR``) may point elsewhere; by default they come from ``simulations/scenarios``.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app

from simulations import SCENARIO_DIR
from simulations.engine import Scenario, load_file, tr

_lock = threading.Lock()
_cache: dict[str, dict[str, Scenario]] = {}


def scenario_dir() -> Path:
    return Path(current_app.config.get("SCENARIOS_DIR") or SCENARIO_DIR)


def all_scenarios() -> dict[str, Scenario]:
    """Every scenario by id, in file-name order."""
    folder = str(scenario_dir())
    with _lock:
        if folder not in _cache:
            loaded = [load_file(p) for p in sorted(Path(folder).glob("*.yaml"))]
            _cache[folder] = {s.id: s for s in loaded}
        return _cache[folder]


def get(scenario_id: str) -> Scenario | None:
    return all_scenarios().get(scenario_id)


def text(value: dict | None, lang: str) -> str:
    """A scenario text in ``lang``, else English, else the first language it has."""
    return tr(value, lang)


def title(scenario_id: str, lang: str) -> str:
    scenario = get(scenario_id)
    return text(scenario.title, lang) if scenario else scenario_id


def team_name(scenario: Scenario, team_id: str, lang: str) -> str:
    return text(scenario.team(team_id).name, lang) if scenario.has("team", team_id) else team_id


def role_name(scenario: Scenario, role_id: str, lang: str) -> str:
    return text(scenario.role(role_id).name, lang) if scenario.has("role", role_id) else role_id
