"""The IRIs the platform uses in xAPI statements, in one place.

ADL verbs (http://adlnet.gov/expapi/verbs/), the cmi5 vocabulary and the activity types of the
xAPI vocabulary, plus the builder for the platform's own activity ids.
"""

from __future__ import annotations

DEFAULT_ACTIVITY_BASE = "https://training.unmic.example"

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"

# ADL verbs (the cmi5 specification uses these ids for its defined statements too).
LAUNCHED = ADL_VERBS + "launched"
INITIALIZED = ADL_VERBS + "initialized"
EXPERIENCED = ADL_VERBS + "experienced"
ANSWERED = ADL_VERBS + "answered"
COMPLETED = ADL_VERBS + "completed"
PASSED = ADL_VERBS + "passed"
FAILED = ADL_VERBS + "failed"
TERMINATED = ADL_VERBS + "terminated"
ATTEMPTED = ADL_VERBS + "attempted"
VOIDED = ADL_VERBS + "voided"
# cmi5-defined verbs.
WAIVED = "https://w3id.org/xapi/adl/verbs/waived"
SATISFIED = "https://w3id.org/xapi/adl/verbs/satisfied"
ABANDONED = "https://w3id.org/xapi/adl/verbs/abandoned"

VERB_DISPLAY = {
    LAUNCHED: "launched",
    INITIALIZED: "initialized",
    EXPERIENCED: "experienced",
    ANSWERED: "answered",
    COMPLETED: "completed",
    PASSED: "passed",
    FAILED: "failed",
    TERMINATED: "terminated",
    ATTEMPTED: "attempted",
    VOIDED: "voided",
    WAIVED: "waived",
    SATISFIED: "satisfied",
    ABANDONED: "abandoned",
}

# cmi5 context categories and extensions.
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
CMI5_SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
CMI5_MASTERY_SCORE = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
CMI5_LAUNCH_MODE = "https://w3id.org/xapi/cmi5/context/extensions/launchmode"
CMI5_LAUNCH_URL = "https://w3id.org/xapi/cmi5/context/extensions/launchurl"
CMI5_MOVEON = "https://w3id.org/xapi/cmi5/context/extensions/moveon"
CMI5_LAUNCH_PARAMETERS = "https://w3id.org/xapi/cmi5/context/extensions/launchparameters"
CMI5_REASON = "https://w3id.org/xapi/cmi5/result/extensions/reason"
CMI5_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"

# Activity types (xAPI vocabulary).
COURSE = ADL_ACTIVITIES + "course"
MODULE = ADL_ACTIVITIES + "module"
LESSON = ADL_ACTIVITIES + "lesson"
ASSESSMENT = ADL_ACTIVITIES + "assessment"
INTERACTION = ADL_ACTIVITIES + "cmi.interaction"
QUESTION = ADL_ACTIVITIES + "question"
SIMULATION = ADL_ACTIVITIES + "simulation"
MEETING = ADL_ACTIVITIES + "meeting"
OBJECTIVE = ADL_ACTIVITIES + "objective"
PERFORMANCE = ADL_ACTIVITIES + "performance"
CMI5_BLOCK = "https://w3id.org/xapi/cmi5/activitytype/block"
CMI5_COURSE = "https://w3id.org/xapi/cmi5/activitytype/course"

# Attachment usage types.
SIGNATURE_USAGE_TYPE = "http://adlnet.gov/expapi/attachments/signature"

# Kinds of the platform's own activities (the path segment of their ids).
ACTIVITY_KINDS = (
    "course",
    "module",
    "lesson",
    "quiz",
    "question",
    "scenario",
    "inject",
    "decision",
    "exercise",
)

# Extensions the platform itself defines.
EXTENSION_BASE_PATH = "/xapi/extensions/"


def activity_id(kind: str, ident: str, base: str = DEFAULT_ACTIVITY_BASE) -> str:
    """Return the IRI of one of the platform's activities, e.g. a lesson or a scenario."""
    if kind not in ACTIVITY_KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    if not ident.strip("/") or any(c.isspace() for c in ident):
        raise ValueError(f"invalid activity identifier {ident!r}")
    return f"{base.rstrip('/')}/xapi/activities/{kind}/{ident.strip('/')}"


def extension_iri(name: str, base: str = DEFAULT_ACTIVITY_BASE) -> str:
    """Return the IRI of one of the platform's own extensions (e.g. "inject", "score-detail")."""
    return f"{base.rstrip('/')}{EXTENSION_BASE_PATH}{name}"


def verb(verb_id: str, language: str = "en-US") -> dict:
    """A verb object with its English display, for statements the platform produces."""
    display = VERB_DISPLAY.get(verb_id, verb_id.rsplit("/", 1)[-1])
    return {"id": verb_id, "display": {language: display}}
