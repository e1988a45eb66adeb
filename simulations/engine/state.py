"""The exercise state and the player actions; the state changes only through ``step``."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Any

from simulations.engine.model import Scenario


@dataclass(frozen=True)
class Event:
    """Something that happened, stamped with the exercise clock in seconds."""

    kind: str
    t: float
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DecisionRecord:
    decision_id: str
    status: str  # open, decided, missed
    opened_at: float
    closed_at: float | None = None
    option_id: str | None = None
    team: str | None = None


@dataclass
class State:
    """Everything that changes during an exercise. Treat a returned state as read-only."""

    scenario: Scenario
    seed: int
    clock: float = 0.0
    speed: float = 1.0
    paused: bool = False
    started: bool = False
    ended: bool = False
    ending: str | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    release_at: dict[str, float] = field(default_factory=dict)
    released: dict[str, float] = field(default_factory=dict)
    decisions: dict[str, DecisionRecord] = field(default_factory=dict)
    decision_order: tuple[str, ...] = ()
    markers: dict[str, str] = field(default_factory=dict)
    unit_pos: dict[str, tuple[float, float]] = field(default_factory=dict)
    notes: tuple[tuple[float, str], ...] = ()
    log: tuple[Event, ...] = ()
    pending_releases: list[str] = field(default_factory=list)
    end_requested: bool = False

    def copy(self) -> State:
        return replace(
            self,
            vars=dict(self.vars),
            released=dict(self.released),
            decisions=dict(self.decisions),
            markers=dict(self.markers),
            unit_pos=dict(self.unit_pos),
            pending_releases=[],
        )

    def open_decisions(self) -> list[str]:
        return [d for d in self.decision_order if self.decisions[d].status == "open"]

    def clock_text(self) -> str:
        """Time of day on the exercise clock, e.g. ``06:42``."""
        return clock_text(self.scenario.start_time, self.clock)


def clock_text(start_time: str, seconds: float) -> str:
    """Time of day ``seconds`` after the exercise start time (``HH:MM``)."""
    hours, minutes = (int(x) for x in start_time.split(":"))
    total = hours * 60 + minutes + int(seconds // 60)
    return f"{total // 60 % 24:02d}:{total % 60:02d}"


def new_state(scenario: Scenario, seed: int = 0) -> State:
    """The state before the first step. Release times with jitter are drawn from the seed."""
    release_at = {}
    for inject in scenario.injects:
        if inject.at is None or inject.manual:
            continue
        offset = 0.0
        if inject.jitter:
            rng = random.Random(f"{seed}/jitter/{inject.id}")  # noqa: S311 - not security
            offset = round(rng.uniform(0, inject.jitter))
        release_at[inject.id] = inject.at + offset
    return State(
        scenario=scenario,
        seed=seed,
        vars=dict(scenario.variables),
        release_at=release_at,
        unit_pos={u.id: u.pos for u in scenario.map.units},
    )


# --- actions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    """Real time passes: the clock moves by dt x speed x the scenario's clock rate."""

    dt: float


@dataclass(frozen=True)
class ReleaseInject:
    """The controller releases an inject now (a manual one, or a timed one early)."""

    inject_id: str


@dataclass(frozen=True)
class Decide:
    decision_id: str
    option_id: str
    team: str


@dataclass(frozen=True)
class AddNote:
    text: str


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class SetSpeed:
    speed: float


@dataclass(frozen=True)
class End:
    pass


PlayerAction = Tick | ReleaseInject | Decide | AddNote | Pause | Resume | SetSpeed | End
SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0)
