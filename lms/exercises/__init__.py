"""Scenario exercises: runs of the desktop tabletop app, launched from the portal the cmi5 way.

The portal is the LMS side of the launch protocol the desktop app implements in
``simulations/launch.py``: it writes ``LMS.LaunchData`` in its own LRS, hands out one-time fetch
tokens (each one becomes a short-lived LRS client limited to the run), join codes and launch
files, reads the run's statements back for results and the after-action review, and records a
passed or failed statement per person when the run ends so that exercises count for readiness.
"""
