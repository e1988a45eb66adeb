"""Tabletop scenario exercises for UNMIC contingents: engine, scenarios, desktop app, tracking.

Never imports Flask or the portal package.
"""

from pathlib import Path

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
