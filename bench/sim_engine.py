"""Engine steps per second, headless (goal: at least 10,000 steps/s).

Plays every shipped scenario again and again with 60 small ticks per real second plus the
decisions, counting calls to ``step``. Prints figures, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulations import SCENARIO_DIR  # noqa: E402
from simulations.engine import Decide, SetSpeed, Tick, load_file, new_state, step  # noqa: E402

GOAL = 10_000


def play_once(scenario, seed: int) -> int:
    rng = random.Random(seed)
    state, _ = step(new_state(scenario, seed), SetSpeed(8))
    steps = 1
    while not state.ended:
        state, _ = step(state, Tick(1 / 60))
        steps += 1
        for decision_id in state.open_decisions():
            point = scenario.decision(decision_id)
            state, _ = step(state, Decide(decision_id, rng.choice(point.options).id, point.team))
            steps += 1
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="about 3 seconds")
    args = parser.parse_args()
    budget = 3.0 if args.quick else 15.0
    scenarios = [load_file(p) for p in sorted(SCENARIO_DIR.glob("*.yaml"))]
    per_scenario = {}
    total_steps = 0
    start = time.perf_counter()
    for scenario in scenarios:
        s_steps, s_start, seed = 0, time.perf_counter(), 0
        while time.perf_counter() - s_start < budget / len(scenarios):
            s_steps += play_once(scenario, seed)
            seed += 1
        elapsed = time.perf_counter() - s_start
        per_scenario[scenario.id] = round(s_steps / elapsed)
        total_steps += s_steps
        print(
            f"{scenario.id:<14} {s_steps:>8} steps in {elapsed:5.2f} s "
            f"= {s_steps / elapsed:>9.0f} steps/s ({seed} plays)"
        )
    elapsed = time.perf_counter() - start
    rate = total_steps / elapsed
    print(
        f"{'all':<14} {total_steps:>8} steps in {elapsed:5.2f} s = {rate:>9.0f} steps/s "
        f"(goal {GOAL})"
    )
    print(
        json.dumps(
            {
                "bench": "sim_engine",
                "steps_per_second": round(rate),
                "per_scenario": per_scenario,
                "goal": GOAL,
                "ok": rate >= GOAL,
                "quick": args.quick,
            }
        )
    )


if __name__ == "__main__":
    main()
