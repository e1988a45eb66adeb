"""Statement factories for the LRS tests (keyword overrides, like tests/factories.py)."""

from __future__ import annotations

import copy
import uuid

ACTIVITY = "https://training.unmic.example/xapi/activities/lesson/poc-101"
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


def agent(account_name: str = "trainee-1", **overrides) -> dict:
    value = {
        "objectType": "Agent",
        "name": f"Trainee {account_name}",
        "account": {"homePage": "https://training.unmic.example", "name": account_name},
    }
    value.update(overrides)
    return value


def mbox_agent(email: str = "platoon.lead@unmic.example") -> dict:
    return {"objectType": "Agent", "mbox": f"mailto:{email}"}


def activity(activity_id: str = ACTIVITY, **definition) -> dict:
    value: dict = {"objectType": "Activity", "id": activity_id}
    if definition:
        value["definition"] = definition
    return value


def statement(**overrides) -> dict:
    """A valid statement: a trainee completed the protection-of-civilians lesson."""
    value = {
        "id": str(uuid.uuid4()),
        "actor": agent(),
        "verb": {"id": VERB_COMPLETED, "display": {"en-US": "completed"}},
        "object": activity(
            name={"en-US": "Protection of civilians"},
            type="http://adlnet.gov/expapi/activities/lesson",
        ),
        "timestamp": "2026-03-02T08:15:30.123Z",
    }
    for key, item in overrides.items():
        if item is None:
            value.pop(key, None)
        else:
            value[key] = copy.deepcopy(item)
    return value
