"""UI frames per second at 1280x720, software renderer, dummy video driver (goal: 60 fps).

Measures the main board while the exercise runs, a decision dialog over it, and the
after-action review. Prints figures, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ["SDL_RENDER_DRIVER"] = "software"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"

from simulations import SCENARIO_DIR  # noqa: E402
from simulations.engine import End, Tick, load_file  # noqa: E402
from simulations.ui.app import App, frames_per_second  # noqa: E402
from simulations.ui.dialogs import DecisionScene  # noqa: E402

GOAL = 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="about 6 seconds")
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()
    seconds = 1.0 if args.quick else 4.0
    results = {}
    for lang in dict.fromkeys([args.lang, "ar"]):
        scenario = load_file(SCENARIO_DIR / "poc-camp.yaml")
        app = App(scenario, lang, seed=1, size=(1280, 720), briefing=False)
        app.send(Tick(60))  # ten exercise minutes: injects on the feed, a decision open
        frames, board = frames_per_second(app, seconds)
        dialog = DecisionScene(app, "posture")
        app.stack.push(dialog)
        _, with_dialog = frames_per_second(app, seconds)
        app.stack.remove(dialog)
        app.send(End())
        _, review = frames_per_second(app, seconds)
        app.close()
        results[lang] = {
            "board": round(board, 1),
            "decision": round(with_dialog, 1),
            "review": round(review, 1),
        }
        print(
            f"[{lang}] board {board:7.1f} fps ({frames} frames) | decision dialog "
            f"{with_dialog:7.1f} fps | review {review:7.1f} fps"
        )
    worst = min(v for r in results.values() for v in r.values())
    print(f"slowest screen: {worst:.1f} fps (goal {GOAL})")
    print(
        json.dumps(
            {
                "bench": "sim_ui",
                "size": "1280x720",
                "driver": "dummy/software",
                "fps": results,
                "min_fps": worst,
                "goal": GOAL,
                "ok": worst >= GOAL,
                "quick": args.quick,
            }
        )
    )


if __name__ == "__main__":
    main()
