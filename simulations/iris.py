"""The xAPI IRIs the exercises use, in one place: verbs, activity types, extensions.

ADL verbs and activity types, the cmi5 context vocabulary, and the project's own extensions.
Activity ids of a run come from the portal (``<portal>/xapi/activities/exercise/<scenario>``);
injects and decision points are activities below it.
"""

from __future__ import annotations

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"

INITIALIZED = ADL_VERBS + "initialized"
EXPERIENCED = ADL_VERBS + "experienced"
ANSWERED = ADL_VERBS + "answered"
COMPLETED = ADL_VERBS + "completed"
PASSED = ADL_VERBS + "passed"
FAILED = ADL_VERBS + "failed"
TERMINATED = ADL_VERBS + "terminated"

VERB_DISPLAY = {
    INITIALIZED: "initialized",
    EXPERIENCED: "experienced",
    ANSWERED: "answered",
    COMPLETED: "completed",
    PASSED: "passed",
    FAILED: "failed",
    TERMINATED: "terminated",
}

# Statements the cmi5 specification defines for an assignable unit.
CMI5_DEFINED = frozenset({INITIALIZED, COMPLETED, PASSED, FAILED, TERMINATED})

CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
CMI5_SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
CMI5_MASTERY_SCORE = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"

SIMULATION = ADL_ACTIVITIES + "simulation"
INTERACTION = ADL_ACTIVITIES + "cmi.interaction"

# The project's own vocabulary (shared with the portal's IRI module).
VOCAB_BASE = "https://training.unmic.example"
INJECT_TYPE = f"{VOCAB_BASE}/xapi/activity-types/inject"
EXT_SCENARIO = f"{VOCAB_BASE}/xapi/extensions/scenario"
EXT_SEED = f"{VOCAB_BASE}/xapi/extensions/seed"
EXT_TEAM = f"{VOCAB_BASE}/xapi/extensions/team"
EXT_ROLE = f"{VOCAB_BASE}/xapi/extensions/role"
EXT_DIMENSION_SCORES = f"{VOCAB_BASE}/xapi/extensions/dimension-scores"
EXT_INJECT_KIND = f"{VOCAB_BASE}/xapi/extensions/inject-kind"
EXT_MANUAL = f"{VOCAB_BASE}/xapi/extensions/released-by-controller"
EXT_EXERCISE_TIME = f"{VOCAB_BASE}/xapi/extensions/exercise-time"
EXT_TIMED_OUT = f"{VOCAB_BASE}/xapi/extensions/timed-out"
EXT_ENDING = f"{VOCAB_BASE}/xapi/extensions/ending"
EXT_LANGUAGE = f"{VOCAB_BASE}/xapi/extensions/language"


def exercise_activity(portal: str, scenario_id: str) -> str:
    """The activity id the portal gives an exercise of this scenario."""
    return f"{portal.rstrip('/')}/xapi/activities/exercise/{scenario_id}"


def inject_activity(exercise_id: str, inject_id: str) -> str:
    return f"{exercise_id.rstrip('/')}/injects/{inject_id}"


def decision_activity(exercise_id: str, decision_id: str) -> str:
    return f"{exercise_id.rstrip('/')}/decisions/{decision_id}"


def verb(verb_id: str) -> dict:
    return {"id": verb_id, "display": {"en-US": VERB_DISPLAY[verb_id]}}
