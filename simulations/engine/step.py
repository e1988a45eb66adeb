"""The one way the exercise state changes: ``step(state, action) -> (state, events)``.

``step`` never changes the state it is given; it returns a new one. With the same scenario,
seed and actions it returns the same events, which is what makes a replay and the after-action
review trustworthy.
"""

from __future__ import annotations

from simulations.engine.scoring import choose_ending, score_decision, scorecard
from simulations.engine.state import (
    AddNote,
    Decide,
    DecisionRecord,
    End,
    Event,
    Pause,
    ReleaseInject,
    Resume,
    SetSpeed,
    State,
    Tick,
)

MAX_NOTE = 500
MAX_SPEED = 16.0
_SETTLE_PASSES = 100


class _Emitter:
    def __init__(self, state: State):
        self.state = state
        self.events: list[Event] = []

    def __call__(self, event_kind: str, /, **data) -> None:
        self.events.append(Event(event_kind, self.state.clock, data))


def step(state: State, action) -> tuple[State, list[Event]]:
    """Apply one action and return the new state and the events it caused."""
    s = state.copy()
    emit = _Emitter(s)
    name = type(action).__name__
    if s.ended:
        emit("rejected", action=name, reason="ended")
        return _finish(state, s, emit)
    if not s.started:
        s.started = True
        emit("started", scenario=s.scenario.id, seed=s.seed)

    if isinstance(action, Tick):
        if not action.dt >= 0:
            emit("rejected", action=name, reason="negative_time")
        elif not s.paused:
            target = s.clock + action.dt * s.speed * s.scenario.clock_rate
            _advance(s, min(target, s.scenario.duration), emit)
    elif isinstance(action, ReleaseInject):
        if not s.scenario.has("inject", action.inject_id):
            emit("rejected", action=name, reason="unknown_inject", inject=action.inject_id)
        elif action.inject_id in s.released:
            emit("rejected", action=name, reason="already_released", inject=action.inject_id)
        else:
            _release(s, action.inject_id, emit, manual=True)
    elif isinstance(action, Decide):
        _decide(s, action, emit)
    elif isinstance(action, AddNote):
        text = " ".join(str(action.text).split())[:MAX_NOTE]
        if text:
            s.notes = (*s.notes, (s.clock, text))
            emit("note_added", text=text)
        else:
            emit("rejected", action=name, reason="empty_note")
    elif isinstance(action, Pause):
        if not s.paused:
            s.paused = True
            emit("paused")
    elif isinstance(action, Resume):
        if s.paused:
            s.paused = False
            emit("resumed")
    elif isinstance(action, SetSpeed):
        if not 0 < action.speed <= MAX_SPEED:
            emit("rejected", action=name, reason="bad_speed")
        elif action.speed != s.speed:
            s.speed = float(action.speed)
            emit("speed_changed", speed=s.speed)
    elif isinstance(action, End):
        s.end_requested = True
    else:
        emit("rejected", action=name, reason="unknown_action")
    _settle(s, emit)
    return _finish(state, s, emit)


def _finish(old: State, new: State, emit: _Emitter) -> tuple[State, list[Event]]:
    if not emit.events and new.clock == old.clock:
        return old, []
    new.log = old.log + tuple(emit.events)
    return new, emit.events


def _next_due(s: State, target: float) -> float | None:
    """The earliest scheduled moment after the clock and not after ``target``."""
    best = None
    clock = s.clock
    for inject_id, at in s.release_at.items():
        if clock < at <= target and inject_id not in s.released and (best is None or at < best):
            best = at
    for decision_id in s.decision_order:
        record = s.decisions[decision_id]
        if record.status != "open":
            continue
        timeout = s.scenario.decision(decision_id).timeout
        if timeout is not None:
            due = record.opened_at + timeout
            if clock < due <= target and (best is None or due < best):
                best = due
    return best


def _advance(s: State, target: float, emit: _Emitter) -> None:
    """Move the clock to ``target``, stopping at each scheduled moment on the way."""
    for _ in range(10_000):
        _settle(s, emit)
        if s.ended:
            return
        due = _next_due(s, target)
        if due is None:
            s.clock = target
            return
        s.clock = due


def _release(s: State, inject_id: str, emit: _Emitter, manual: bool = False) -> None:
    inject = s.scenario.inject(inject_id)
    s.released[inject_id] = s.clock
    emit("inject_released", inject=inject_id, kind=inject.kind, manual=manual)
    for action in inject.effects:
        action.apply(s, emit)


def _decide(s: State, action: Decide, emit: _Emitter) -> None:
    name = "Decide"
    if not s.scenario.has("decision", action.decision_id):
        emit("rejected", action=name, reason="unknown_decision", decision=action.decision_id)
        return
    record = s.decisions.get(action.decision_id)
    if record is None or record.status != "open":
        emit("rejected", action=name, reason="not_open", decision=action.decision_id)
        return
    point = s.scenario.decision(action.decision_id)
    option = point.option(action.option_id)
    if option is None:
        emit(
            "rejected",
            action=name,
            reason="unknown_option",
            decision=point.id,
            option=action.option_id,
        )
        return
    if action.team != point.team:
        emit("rejected", action=name, reason="wrong_team", decision=point.id, team=action.team)
        return
    s.decisions[point.id] = DecisionRecord(
        point.id, "decided", record.opened_at, s.clock, option.id, action.team
    )
    score = score_decision(s, point.id)
    emit(
        "decision_made",
        decision=point.id,
        option=option.id,
        team=point.team,
        role=point.role,
        scores=dict(score.points),
        scaled=round(score.scaled, 4),
    )
    for effect in option.effects:
        effect.apply(s, emit)


def _miss(s: State, decision_id: str, emit: _Emitter, run_effects: bool) -> None:
    point = s.scenario.decision(decision_id)
    record = s.decisions[decision_id]
    s.decisions[decision_id] = DecisionRecord(decision_id, "missed", record.opened_at, s.clock)
    score = score_decision(s, decision_id)
    emit(
        "decision_missed",
        decision=decision_id,
        team=point.team,
        role=point.role,
        scores=dict(score.points),
        scaled=0.0,
    )
    if run_effects:
        for effect in point.on_timeout:
            effect.apply(s, emit)


def _settle(s: State, emit: _Emitter) -> None:
    """Fire everything that is due at the current clock until nothing more changes."""
    if s.ended:
        return
    scenario = s.scenario
    for _ in range(_SETTLE_PASSES):
        changed = False
        while s.pending_releases:
            inject_id = s.pending_releases.pop(0)
            if inject_id not in s.released:
                _release(s, inject_id, emit)
                changed = True
        for inject in scenario.injects:
            if inject.manual or inject.id in s.released:
                continue
            if inject.at is not None:
                if s.release_at[inject.id] > s.clock:
                    continue
            elif inject.when is None:
                continue
            if inject.when is not None and not inject.when.test(s):
                continue
            _release(s, inject.id, emit)
            changed = True
        for point in scenario.decisions:
            if point.id not in s.decisions and point.opens.test(s):
                s.decisions[point.id] = DecisionRecord(point.id, "open", s.clock)
                s.decision_order = (*s.decision_order, point.id)
                emit("decision_opened", decision=point.id, team=point.team, role=point.role)
                changed = True
        for decision_id in s.decision_order:
            record = s.decisions[decision_id]
            timeout = scenario.decision(decision_id).timeout
            if (
                record.status == "open"
                and timeout is not None
                and (record.opened_at + timeout <= s.clock)
            ):
                _miss(s, decision_id, emit, run_effects=True)
                changed = True
        if not changed:
            break
    if s.end_requested or s.clock >= scenario.duration:
        _end(s, emit)


def _end(s: State, emit: _Emitter) -> None:
    for decision_id in s.open_decisions():
        _miss(s, decision_id, emit, run_effects=False)
    s.ended = True
    ending = choose_ending(s)
    s.ending = ending.id
    card = scorecard(s)
    emit(
        "ended",
        ending=ending.id,
        tone=ending.tone,
        score=round(card.overall, 4),
        by_dimension={k: round(v, 4) for k, v in card.by_dimension.items()},
    )
