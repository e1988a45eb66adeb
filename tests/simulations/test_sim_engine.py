"""The engine: determinism, actions, timing, branching and rejected actions."""

from __future__ import annotations

import sys
from pathlib import Path

from simulations.engine import (
    AddNote,
    Decide,
    End,
    Pause,
    ReleaseInject,
    Resume,
    SetSpeed,
    Tick,
    new_state,
    step,
)

ROOT = Path(__file__).resolve().parents[2]


def _script(scenario, seed):
    """A fixed list of actions, mixing every kind, used for replay comparisons."""
    actions = [
        Tick(0),
        SetSpeed(2.0),
        Tick(20),
        AddNote("Platoon briefed"),
        Pause(),
        Tick(50),
        Resume(),
        ReleaseInject("missing-child"),
        Tick(30),
    ]
    state = new_state(scenario, seed)
    events = []
    for action in actions:
        state, new = step(state, action)
        events.extend(new)
    return state, events


def test_same_seed_and_actions_give_same_events(poc):
    first_state, first = _script(poc, 42)
    second_state, second = _script(poc, 42)
    assert first == second
    assert first_state.log == second_state.log
    assert first_state.vars == second_state.vars


def test_full_play_is_reproducible(poc, play):
    choices = {"posture": "presence", "crowd-response": "warning-shots"}
    _, first = play(poc, choices, seed=3)
    _, second = play(poc, choices, seed=3)
    assert first == second


def test_seed_changes_seeded_branch(poc, play):
    # warning shots draw a seeded chance of a stampede: across seeds both branches occur
    endings = set()
    for seed in range(12):
        state, _ = play(poc, {"crowd-response": "warning-shots"}, seed=seed)
        endings.add(state.vars["camp_attacked"])
    assert endings == {True, False}


def test_step_does_not_change_its_input(poc):
    state = new_state(poc, 1)
    before = (state.clock, dict(state.vars), dict(state.released), state.log)
    step(state, Tick(100))
    assert (state.clock, dict(state.vars), dict(state.released), state.log) == before


def test_timed_injects_release_at_their_time_in_order(poc):
    state = new_state(poc, 1)
    state, events = step(state, Tick(poc.duration))  # one huge tick still stops at each inject
    released = [(e.t, e.data["inject"]) for e in events if e.kind == "inject_released"]
    times = [t for t, _ in released]
    assert times == sorted(times)
    assert "morning-patrol" in dict((i, t) for t, i in released)
    assert dict((i, t) for t, i in released)["shots-water-point"] == 600
    assert state.ended


def test_clock_follows_speed_and_pause(poc):
    state = new_state(poc, 1)
    state, _ = step(state, Tick(1))
    assert state.clock == poc.clock_rate
    state, _ = step(state, SetSpeed(4))
    state, _ = step(state, Tick(1))
    assert state.clock == poc.clock_rate * 5
    state, events = step(state, Pause())
    assert [e.kind for e in events] == ["paused"]
    state, _ = step(state, Tick(10))
    assert state.clock == poc.clock_rate * 5
    state, events = step(state, Resume())
    assert [e.kind for e in events] == ["resumed"]


def test_decide_checks_team_option_and_state(poc):
    state = new_state(poc, 1)
    state, events = step(state, Decide("posture", "presence", "command"))
    assert [e.data["reason"] for e in events if e.kind == "rejected"] == ["not_open"]
    state, _ = step(state, Tick(60))  # 10 exercise minutes: shots inject opens 'posture'
    assert state.open_decisions() == ["posture"]
    for action, reason in [
        (Decide("posture", "presence", "field"), "wrong_team"),
        (Decide("posture", "nothing", "command"), "unknown_option"),
        (Decide("nope", "presence", "command"), "unknown_decision"),
    ]:
        state, events = step(state, action)
        assert events[-1].kind == "rejected" and events[-1].data["reason"] == reason
    state, events = step(state, Decide("posture", "presence", "command"))
    assert events[0].kind == "decision_made"
    assert events[0].data["scores"] == {"mandate": 3, "poc": 3, "safety": 2}
    assert state.vars["presence"] is True
    assert state.unit_pos["platoon-1"] == (48.0, 40.0)
    state, events = step(state, Decide("posture", "presence", "command"))
    assert events[-1].data["reason"] == "not_open"


def test_timeout_marks_decision_missed_and_runs_consequences(poc, play):
    state, events = play(poc, {})
    missed = [e.data["decision"] for e in events if e.kind == "decision_missed"]
    assert "crowd-response" in missed
    assert state.vars["camp_attacked"] is True
    assert "camp-breached" in state.released
    assert state.ending == "camp-attacked"


def test_manual_inject_only_released_by_controller(poc, play):
    state, _ = play(poc, {"crowd-response": "interpose"})
    assert "missing-child" not in state.released
    state, _ = step(new_state(poc, 1), Tick(0))
    state, events = step(state, ReleaseInject("missing-child"))
    assert events[-1].kind == "inject_released" and events[-1].data["manual"] is True
    state, events = step(state, ReleaseInject("missing-child"))
    assert events[-1].data["reason"] == "already_released"
    state, events = step(state, ReleaseInject("no-such-inject"))
    assert events[-1].data["reason"] == "unknown_inject"


def test_notes_pause_speed_and_end(poc):
    state, _ = step(new_state(poc, 1), Tick(0))
    state, events = step(state, AddNote("  Patrol   leader briefed the elders  "))
    assert events[-1].data["text"] == "Patrol leader briefed the elders"
    assert state.notes[-1][1] == "Patrol leader briefed the elders"
    state, events = step(state, AddNote("   "))
    assert events[-1].data["reason"] == "empty_note"
    state, events = step(state, SetSpeed(0))
    assert events[-1].data["reason"] == "bad_speed"
    state, _ = step(state, Tick(60))
    assert state.open_decisions() == ["posture"]
    state, events = step(state, End())
    kinds = [e.kind for e in events]
    assert kinds == ["decision_missed", "ended"]
    assert state.ended and state.ending is not None
    state, events = step(state, Tick(5))
    assert events[-1].data["reason"] == "ended"


def test_engine_imports_neither_pygame_nor_flask():
    import subprocess

    code = (
        "import sys, simulations.engine; "
        "bad = [m for m in ('pygame', 'flask', 'lms') if m in sys.modules]; "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
