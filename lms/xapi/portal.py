"""The portal as an xAPI actor: the authority of the statements it records itself.

Readiness trusts completions, passes and waivers only when this authority stored them, so a
learner or an outside client with write access cannot make someone "ready".
"""

from __future__ import annotations

from flask import current_app

from lms.xapi.keys import agent_key


def portal_authority() -> dict:
    return {
        "objectType": "Agent",
        "name": "UNMIC training portal",
        "account": {"homePage": current_app.config["ACTIVITY_BASE"], "name": "portal"},
    }


def portal_authority_key() -> str:
    return agent_key(portal_authority())
