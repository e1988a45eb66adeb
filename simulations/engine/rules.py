"""Scripted conditions and actions as small registered classes.

A condition or an action is written in a scenario as a mapping with one key, the registered
name, whose value holds the parameters, for example ``{released: rumour-1}`` or
``{add: {var: tension, value: 1}}``. Each class checks its own parameters when it is built,
so a scenario with a bad rule is refused on load with the path of the bad field.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from simulations.engine.state import State

CONDITIONS: dict[str, type[Condition]] = {}
ACTIONS: dict[str, type[Action]] = {}

MARKERS = ("crowd", "cordon", "ied", "drone", "fire", "checkpoint", "patrol", "calm", "rumour")
COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


@dataclass
class Refs:
    """Names a rule may refer to, and the problems found while building rules."""

    injects: set[str] = field(default_factory=set)
    decisions: dict[str, set[str]] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    places: set[str] = field(default_factory=set)
    units: set[str] = field(default_factory=set)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def error(self, path: str, message: str) -> None:
        self.errors.append((path, message))


class RuleSpecError(Exception):
    """Raised inside a rule constructor; turned into a problem by the builder."""

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path
        self.message = message


def register_condition(cls: type[Condition]) -> type[Condition]:
    CONDITIONS[cls.name] = cls
    return cls


def register_action(cls: type[Action]) -> type[Action]:
    ACTIONS[cls.name] = cls
    return cls


def _single_key(spec: Any, path: str, kinds: dict[str, type], what: str) -> tuple[str, Any]:
    if not isinstance(spec, dict) or len(spec) != 1:
        raise RuleSpecError(
            path, f"a {what} is a mapping with exactly one key, one of: " + ", ".join(sorted(kinds))
        )
    ((name, params),) = spec.items()
    if name not in kinds:
        raise RuleSpecError(path, f"unknown {what} {name!r}; known: " + ", ".join(sorted(kinds)))
    return name, params


def build_condition(spec: Any, path: str, refs: Refs) -> Condition | None:
    """Build a condition from its scenario form; record a problem and return None if bad."""
    try:
        name, params = _single_key(spec, path, CONDITIONS, "condition")
        return CONDITIONS[name](params, f"{path}.{name}", refs)
    except RuleSpecError as exc:
        refs.error(exc.path, exc.message)
        return None


def build_actions(spec: Any, path: str, refs: Refs) -> tuple[Action, ...]:
    """Build a list of actions; bad entries are recorded as problems and left out."""
    if spec is None:
        return ()
    if not isinstance(spec, list):
        refs.error(path, "expected a list of actions")
        return ()
    built = []
    for i, item in enumerate(spec):
        item_path = f"{path}[{i}]"
        try:
            name, params = _single_key(item, item_path, ACTIONS, "action")
            built.append(ACTIONS[name](params, f"{item_path}.{name}", refs))
        except RuleSpecError as exc:
            refs.error(exc.path, exc.message)
    return tuple(built)


def _need_str(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise RuleSpecError(path, "expected a non-empty string")
    return value


def _need_mapping(value: Any, path: str, required: tuple[str, ...], optional=()) -> dict:
    if not isinstance(value, dict):
        raise RuleSpecError(path, "expected a mapping with keys: " + ", ".join(required))
    for key in required:
        if key not in value:
            raise RuleSpecError(f"{path}.{key}", "missing required field")
    for key in value:
        if key not in required and key not in optional:
            raise RuleSpecError(f"{path}.{key}", "unknown field")
    return value


def _check_ref(name: str, known, path: str, what: str) -> str:
    if name not in known:
        raise RuleSpecError(path, f"unknown {what} {name!r}")
    return name


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleSpecError(path, "expected a number")
    return value


# --- conditions -----------------------------------------------------------------------------


class Condition:
    """A test over the exercise state. Subclasses set ``name`` and implement ``test``."""

    name: ClassVar[str]

    def test(self, state: State) -> bool:  # pragma: no cover - interface
        raise TypeError("Condition subclasses implement test()")


class _Combination(Condition):
    """A condition over a non-empty list of conditions."""

    def __init__(self, params, path, refs):
        if not isinstance(params, list) or not params:
            raise RuleSpecError(path, "expected a non-empty list of conditions")
        parts = [build_condition(p, f"{path}[{i}]", refs) for i, p in enumerate(params)]
        self.parts = tuple(p for p in parts if p is not None)


@register_condition
class AllOf(_Combination):
    """True when every listed condition holds."""

    name = "all"

    def test(self, state):
        return all(p.test(state) for p in self.parts)


@register_condition
class AnyOf(_Combination):
    """True when at least one listed condition holds."""

    name = "any"

    def test(self, state):
        return any(p.test(state) for p in self.parts)


@register_condition
class Not(Condition):
    """True when the wrapped condition does not hold."""

    name = "not"

    def __init__(self, params, path, refs):
        inner = build_condition(params, path, refs)
        self.inner = inner

    def test(self, state):
        return self.inner is not None and not self.inner.test(state)


@register_condition
class Var(Condition):
    """Compare a scenario variable: ``{var: {name: tension, gte: 3}}``."""

    name = "var"

    def __init__(self, params, path, refs):
        params = _need_mapping(params, path, ("name",), tuple(COMPARATORS))
        self.var = _check_ref(
            _need_str(params["name"], f"{path}.name"), refs.variables, f"{path}.name", "variable"
        )
        self.tests = tuple((COMPARATORS[k], v) for k, v in params.items() if k in COMPARATORS)
        if not self.tests:
            raise RuleSpecError(path, "give at least one of: " + ", ".join(COMPARATORS))

    def test(self, state):
        value = state.vars[self.var]
        return all(op(value, ref) for op, ref in self.tests)


@register_condition
class Flag(Condition):
    """True when a scenario variable is truthy: ``{flag: cordon_set}``."""

    name = "flag"

    def __init__(self, params, path, refs):
        self.var = _check_ref(_need_str(params, path), refs.variables, path, "variable")

    def test(self, state):
        return bool(state.vars[self.var])


@register_condition
class Released(Condition):
    """True once an inject has been released: ``{released: drone-1}``."""

    name = "released"

    def __init__(self, params, path, refs):
        self.inject = _check_ref(_need_str(params, path), refs.injects, path, "inject")

    def test(self, state):
        return self.inject in state.released


@register_condition
class Decided(Condition):
    """True once a decision point is closed (decided or missed): ``{decided: d2}``."""

    name = "decided"

    def __init__(self, params, path, refs):
        self.decision = _check_ref(_need_str(params, path), refs.decisions, path, "decision")

    def test(self, state):
        record = state.decisions.get(self.decision)
        return record is not None and record.status != "open"


@register_condition
class Chosen(Condition):
    """True when a decision was taken with one of the given options.

    ``{chosen: {decision: d1, option: cordon}}`` or ``option: [a, b]``.
    """

    name = "chosen"

    def __init__(self, params, path, refs):
        params = _need_mapping(params, path, ("decision", "option"))
        self.decision = _check_ref(
            _need_str(params["decision"], f"{path}.decision"),
            refs.decisions,
            f"{path}.decision",
            "decision",
        )
        options = params["option"]
        options = [options] if isinstance(options, str) else options
        if not isinstance(options, list) or not options:
            raise RuleSpecError(f"{path}.option", "expected an option id or a list of them")
        for i, opt in enumerate(options):
            _check_ref(
                _need_str(opt, f"{path}.option[{i}]"),
                refs.decisions[self.decision],
                f"{path}.option[{i}]",
                f"option of decision {self.decision!r}",
            )
        self.options = frozenset(options)

    def test(self, state):
        record = state.decisions.get(self.decision)
        return record is not None and record.option_id in self.options


@register_condition
class Time(Condition):
    """Compare the exercise clock in minutes: ``{time: {gte: 30}}``."""

    name = "time"

    def __init__(self, params, path, refs):
        params = _need_mapping(params, path, (), tuple(COMPARATORS))
        self.tests = tuple(
            (COMPARATORS[k], _number(v, f"{path}.{k}") * 60) for k, v in params.items()
        )
        if not self.tests:
            raise RuleSpecError(path, "give at least one of: " + ", ".join(COMPARATORS))

    def test(self, state):
        return all(op(state.clock, ref) for op, ref in self.tests)


@register_condition
class Score(Condition):
    """Compare the running score (0..1) overall or on one dimension.

    ``{score: {gte: 0.7}}`` or ``{score: {dimension: poc, lt: 0.5}}``.
    """

    name = "score"

    def __init__(self, params, path, refs):
        from simulations.engine.scoring import DIMENSIONS

        params = _need_mapping(params, path, (), ("dimension", *COMPARATORS))
        self.dimension = params.get("dimension")
        if self.dimension is not None and self.dimension not in DIMENSIONS:
            raise RuleSpecError(
                f"{path}.dimension", "unknown dimension; known: " + ", ".join(DIMENSIONS)
            )
        self.tests = tuple(
            (COMPARATORS[k], _number(v, f"{path}.{k}"))
            for k, v in params.items()
            if k in COMPARATORS
        )
        if not self.tests:
            raise RuleSpecError(path, "give at least one of: " + ", ".join(COMPARATORS))

    def test(self, state):
        from simulations.engine.scoring import scorecard

        card = scorecard(state)
        value = card.overall if self.dimension is None else card.by_dimension[self.dimension]
        return all(op(value, ref) for op, ref in self.tests)


# --- actions --------------------------------------------------------------------------------


class Action:
    """A scripted change to the state. ``apply`` mutates the working copy inside ``step``."""

    name: ClassVar[str]

    def apply(self, state: State, emit: Callable[..., None]) -> None:  # pragma: no cover
        raise TypeError("Action subclasses implement apply()")


@register_action
class SetVar(Action):
    """``{set: {var: cordon_set, value: true}}``"""

    name = "set"

    def __init__(self, params, path, refs):
        params = _need_mapping(params, path, ("var", "value"))
        self.var = _check_ref(
            _need_str(params["var"], f"{path}.var"), refs.variables, f"{path}.var", "variable"
        )
        self.value = params["value"]
        if not isinstance(self.value, bool | int | float | str):
            raise RuleSpecError(f"{path}.value", "expected a number, true/false or a string")

    def apply(self, state, emit):
        old = state.vars[self.var]
        if old != self.value:
            state.vars[self.var] = self.value
            emit("variable_changed", name=self.var, old=old, new=self.value)


@register_action
class AddVar(Action):
    """``{add: {var: tension, value: 1}}`` (negative values subtract)."""

    name = "add"

    def __init__(self, params, path, refs):
        params = _need_mapping(params, path, ("var", "value"))
        self.var = _check_ref(
            _need_str(params["var"], f"{path}.var"), refs.variables, f"{path}.var", "variable"
        )
        initial = refs.variables[self.var]
        if isinstance(initial, bool) or not isinstance(initial, int | float):
            raise RuleSpecError(f"{path}.var", "only numeric variables can be added to")
        self.value = _number(params["value"], f"{path}.value")

    def apply(self, state, emit):
        old = state.vars[self.var]
        state.vars[self.var] = old + self.value
        emit("variable_changed", name=self.var, old=old, new=state.vars[self.var])


@register_action
class Release(Action):
    """Release another inject at once: ``{release: radio-7}``."""

    name = "release"

    def __init__(self, params, path, refs):
        self.inject = _check_ref(_need_str(params, path), refs.injects, path, "inject")

    def apply(self, state, emit):
        state.pending_releases.append(self.inject)


@register_action
class MoveUnit(Action):
    """Move a unit on the map to a place or to coordinates.

    ``{move_unit: {unit: coy-b, to: camp-kalma}}`` or ``to: [40, 22]``.
    """

    name = "move_unit"

    def __init__(self, params, path, refs):
        params = _need_mapping(params, path, ("unit", "to"))
        self.unit = _check_ref(
            _need_str(params["unit"], f"{path}.unit"), refs.units, f"{path}.unit", "unit"
        )
        to = params["to"]
        if isinstance(to, str):
            self.place = _check_ref(to, refs.places, f"{path}.to", "place")
            self.pos = None
        elif (
            isinstance(to, list)
            and len(to) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in to)
        ):
            self.place, self.pos = None, (float(to[0]), float(to[1]))
        else:
            raise RuleSpecError(f"{path}.to", "expected a place id or [x, y]")

    def apply(self, state, emit):
        pos = self.pos if self.pos is not None else state.scenario.place(self.place).pos
        state.unit_pos[self.unit] = pos
        emit("unit_moved", unit=self.unit, pos=list(pos))


@register_action
class Mark(Action):
    """Put a marker on a place: ``{mark: {place: route-1, marker: cordon}}``."""

    name = "mark"

    def __init__(self, params, path, refs):
        params = _need_mapping(params, path, ("place", "marker"))
        self.place = _check_ref(
            _need_str(params["place"], f"{path}.place"), refs.places, f"{path}.place", "place"
        )
        self.marker = _check_ref(
            _need_str(params["marker"], f"{path}.marker"), MARKERS, f"{path}.marker", "marker"
        )

    def apply(self, state, emit):
        state.markers[self.place] = self.marker
        emit("marker_set", place=self.place, marker=self.marker)


@register_action
class ClearMark(Action):
    """Remove the marker from a place: ``{clear_mark: route-1}``."""

    name = "clear_mark"

    def __init__(self, params, path, refs):
        self.place = _check_ref(_need_str(params, path), refs.places, path, "place")

    def apply(self, state, emit):
        if state.markers.pop(self.place, None) is not None:
            emit("marker_cleared", place=self.place)


@register_action
class Chance(Action):
    """Seeded random branch: ``{chance: {p: 0.5, key: spread, then: [...], else: [...]}}``.

    The draw depends only on the seed and ``key``, so a replay gives the same branch.
    """

    name = "chance"

    def __init__(self, params, path, refs):
        params = _need_mapping(params, path, ("p", "key"), ("then", "else"))
        self.p = _number(params["p"], f"{path}.p")
        if not 0 <= self.p <= 1:
            raise RuleSpecError(f"{path}.p", "a probability lies between 0 and 1")
        self.key = _need_str(params["key"], f"{path}.key")
        self.then = build_actions(params.get("then"), f"{path}.then", refs)
        self.otherwise = build_actions(params.get("else"), f"{path}.else", refs)

    def apply(self, state, emit):
        draw = random.Random(f"{state.seed}/{self.key}").random()  # noqa: S311 - not security
        branch = self.then if draw < self.p else self.otherwise
        emit("chance", key=self.key, hit=draw < self.p)
        for action in branch:
            action.apply(state, emit)


@register_action
class EndExercise(Action):
    """End the exercise after the current step: ``{end_exercise: true}``."""

    name = "end_exercise"

    def __init__(self, params, path, refs):
        if params is not True:
            raise RuleSpecError(path, "write end_exercise: true")

    def apply(self, state, emit):
        state.end_requested = True
