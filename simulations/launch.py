"""The desktop side of the portal's cmi5-style launch: join code, launch file, token, state.

1. ``join CODE --portal URL``: GET ``<portal>/exercises/join/<CODE>`` -> ``{"launch_url": ...}``.
2. The launch URL carries ``endpoint``, ``fetch``, ``actor``, ``registration``, ``activityId``.
3. POST once to ``fetch`` -> ``{"auth-token": ...}``; a second POST gets a cmi5 error.
4. GET the ``LMS.LaunchData`` state document with ``Authorization: Basic <token>``.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from simulations.tracking import HTTP_TIMEOUT, XAPI_VERSION, Session

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,31}$")


class LaunchError(Exception):
    """The launch could not go ahead; the message says why, in plain words."""


@dataclass(frozen=True)
class LaunchParams:
    endpoint: str
    fetch: str
    actor: dict
    registration: str
    activity_id: str


@dataclass
class LaunchData:
    scenario: str
    lang: str | None
    seed: int | None
    teams: list[dict]
    mastery_score: float | None
    session_id: str | None
    context_template: dict
    launch_mode: str
    move_on: str | None
    return_url: str | None
    raw: dict = field(default_factory=dict)
    preferred_languages: list[str] = field(default_factory=list)


def _http_url(value: str, what: str) -> str:
    parsed = urllib.parse.urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise LaunchError(f"the {what} is not an http(s) address: {value!r}")
    return value


def parse_launch_url(url: str) -> LaunchParams:
    """Read the five cmi5 launch parameters from a launch URL."""
    query = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    missing = [
        k for k in ("endpoint", "fetch", "actor", "registration", "activityId") if not query.get(k)
    ]
    if missing:
        raise LaunchError("the launch link is incomplete; missing: " + ", ".join(missing))
    try:
        actor = json.loads(query["actor"][0])
    except ValueError:
        raise LaunchError("the launch link has an unreadable actor") from None
    if not isinstance(actor, dict):
        raise LaunchError("the launch link has an unreadable actor")
    endpoint = _http_url(query["endpoint"][0], "LRS endpoint")
    if not endpoint.endswith("/"):
        endpoint += "/"
    return LaunchParams(
        endpoint,
        _http_url(query["fetch"][0], "fetch address"),
        actor,
        query["registration"][0],
        query["activityId"][0],
    )


def _json(response: requests.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise LaunchError(
            f"the portal sent an unreadable answer for the {what} (HTTP {response.status_code})"
        ) from None


def join_code(http: requests.Session, code: str, portal: str) -> str:
    """Exchange a join code for a launch URL."""
    code = code.strip()
    if not CODE_RE.match(code):
        raise LaunchError(f"{code!r} is not a join code (letters, digits and '-', like ABC-123)")
    portal = _http_url(portal.rstrip("/"), "portal address")
    url = f"{portal}/exercises/join/{urllib.parse.quote(code.upper())}"
    try:
        response = http.get(url, timeout=HTTP_TIMEOUT)
    except requests.RequestException as exc:
        raise LaunchError(f"cannot reach the portal at {portal} ({type(exc).__name__})") from None
    body = _json(response, "join code")
    if response.status_code != 200:
        message = body.get("error") if isinstance(body, dict) else None
        raise LaunchError(
            f"join code {code.upper()} refused: {message or 'HTTP ' + str(response.status_code)}"
        )
    if not isinstance(body, dict) or not isinstance(body.get("launch_url"), str):
        raise LaunchError("the portal's answer has no launch_url")
    return body["launch_url"]


def read_launch_file(path: str | Path) -> tuple[str, str | None]:
    """Read a launch file: ``{"launch_url": "...", "portal": "..."}`` (portal optional)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LaunchError(f"launch file not found: {path}") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise LaunchError(f"cannot read launch file {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("launch_url"), str):
        raise LaunchError(f"launch file {path} has no launch_url")
    portal = data.get("portal")
    return data["launch_url"], portal if isinstance(portal, str) else None


def fetch_token(http: requests.Session, fetch_url: str) -> str:
    """POST once to the fetch URL; a used or expired token gets a clear error."""
    try:
        response = http.post(fetch_url, timeout=HTTP_TIMEOUT)
    except requests.RequestException as exc:
        raise LaunchError(
            f"cannot reach the portal to start the exercise ({type(exc).__name__})"
        ) from None
    body = _json(response, "auth token")
    if isinstance(body, dict) and "error-code" in body:
        raise LaunchError(
            "the portal refused the launch: "
            f"{body.get('error-text') or 'no reason given'} (cmi5 error {body['error-code']}). "
            "A launch link works once: ask the controller for a new join code."
        )
    if response.status_code != 200 or not isinstance(body, dict) or not body.get("auth-token"):
        raise LaunchError(f"the portal did not give an auth token (HTTP {response.status_code})")
    return str(body["auth-token"])


def _xapi_headers(token: str) -> dict:
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": XAPI_VERSION}


def get_launch_data(http: requests.Session, params: LaunchParams, token: str) -> LaunchData:
    """GET the LMS.LaunchData state document and read the exercise settings from it."""
    query = {
        "stateId": "LMS.LaunchData",
        "activityId": params.activity_id,
        "agent": json.dumps(params.actor, separators=(",", ":")),
        "registration": params.registration,
    }
    try:
        response = http.get(
            f"{params.endpoint}activities/state",
            params=query,
            headers=_xapi_headers(token),
            timeout=HTTP_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise LaunchError(f"cannot reach the LRS ({type(exc).__name__})") from None
    if response.status_code != 200:
        raise LaunchError(f"the LRS has no launch data for this run (HTTP {response.status_code})")
    data = _json(response, "launch data")
    if not isinstance(data, dict):
        raise LaunchError("the launch data is not a JSON object")
    raw_params = data.get("launchParameters") or "{}"
    try:
        launch_params = json.loads(raw_params) if isinstance(raw_params, str) else raw_params
    except ValueError:
        raise LaunchError("the launch data has unreadable launchParameters") from None
    if not isinstance(launch_params, dict) or not isinstance(launch_params.get("scenario"), str):
        raise LaunchError("the launch data does not name a scenario")
    template = data.get("contextTemplate") if isinstance(data.get("contextTemplate"), dict) else {}
    extensions = template.get("extensions") or {}
    mastery = data.get("masteryScore")
    if mastery is not None and not (isinstance(mastery, int | float) and 0 <= mastery <= 1):
        raise LaunchError("the launch data has a mastery score outside 0..1")
    seed = launch_params.get("seed")
    teams = launch_params.get("teams") or []
    return LaunchData(
        scenario=launch_params["scenario"],
        lang=launch_params.get("lang") if isinstance(launch_params.get("lang"), str) else None,
        seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
        teams=teams if isinstance(teams, list) else [],
        mastery_score=float(mastery) if mastery is not None else None,
        session_id=extensions.get("https://w3id.org/xapi/cmi5/context/extensions/sessionid"),
        context_template=template,
        launch_mode=str(data.get("launchMode") or "Normal"),
        move_on=data.get("moveOn"),
        return_url=data.get("returnURL"),
        raw=data,
    )


def get_language_preference(http: requests.Session, params: LaunchParams, token: str) -> list[str]:
    """The learner's languages from the cmi5LearnerPreferences agent profile (may be empty)."""
    query = {
        "profileId": "cmi5LearnerPreferences",
        "agent": json.dumps(params.actor, separators=(",", ":")),
    }
    try:
        response = http.get(
            f"{params.endpoint}agents/profile",
            params=query,
            headers=_xapi_headers(token),
            timeout=HTTP_TIMEOUT,
        )
        if response.status_code != 200:
            return []
        body = response.json()
    except (requests.RequestException, ValueError):
        return []
    value = body.get("languagePreference") if isinstance(body, dict) else None
    if not isinstance(value, str):
        return []
    return [tag.strip().split("-")[0].lower() for tag in value.split(",") if tag.strip()]


def launch(http: requests.Session, launch_url: str) -> tuple[LaunchParams, str, LaunchData]:
    """Parse the launch URL, fetch the token once, and read the launch data.

    The language comes from launchParameters, else from the learner's cmi5 preferences.
    """
    params = parse_launch_url(launch_url)
    token = fetch_token(http, params.fetch)
    data = get_launch_data(http, params, token)
    if data.lang is None:
        data.preferred_languages = get_language_preference(http, params, token)
    return params, token, data


def session_from_launch(params: LaunchParams, token: str, data: LaunchData, lang: str) -> Session:
    kwargs = {"session_id": data.session_id} if data.session_id else {}
    return Session(
        endpoint=params.endpoint,
        auth=f"Basic {token}",
        actor=params.actor,
        registration=params.registration,
        activity_id=params.activity_id,
        mastery_score=data.mastery_score,
        context_template=data.context_template,
        teams=data.teams,
        lang=lang,
        launch_mode=data.launch_mode,
        **kwargs,
    )
