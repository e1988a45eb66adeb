"""Malformed statements of every shape are refused with a validation error, never a crash.

Each test takes a statement that uses every part of the data model, then, at every position in
it, puts a value of the wrong shape, removes the property, or adds an unknown one. Validation
must either accept the result or raise XAPIValidationError naming a property; whatever it accepts
must then be stored and read back. A TypeError or KeyError here would be a 500 on the API.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator

import pytest

from lms.xapi import iris
from lms.xapi.validation import VERSION_1, VERSION_2, XAPIValidationError, validate_statements

from .factories import ACTIVITY, agent, mbox_agent

WRONG_SHAPES: list[object] = [
    None,
    True,
    0,
    -1.5,
    "",
    "x",
    "mailto:x@y.example",
    "nul\x00",
    [],
    [{}],
    ["x"],
    {},
    {"x": 1},
    {"en-US": {"nested": True}},
]


# Properties for which every value in WRONG_SHAPES is invalid.
STRICT_PATHS = [
    ("id",),
    ("timestamp",),
    ("actor", "mbox_sha1sum"),
    ("object", "object", "definition", "interactionType"),
    ("result", "duration"),
    ("context", "registration"),
    ("context", "team"),
    ("attachments", 0, "sha2"),
]


def _rich_statement(version: str) -> dict:
    """A statement that uses every part of the data model the LRS validates."""
    choices = [
        {"id": "stop", "description": {"en-US": "Stop the convoy"}},
        {"id": "go", "description": {"en-US": "Drive on"}},
    ]
    context: dict = {
        "registration": str(uuid.uuid4()),
        "instructor": mbox_agent("instructor@unmic.example"),
        "team": {
            "objectType": "Group",
            "name": "Platoon 2",
            "member": [agent("trainee-2"), mbox_agent("medic@unmic.example")],
        },
        "contextActivities": {
            "parent": [{"id": "https://training.unmic.example/xapi/activities/course/convoy"}],
            "grouping": {"id": "https://training.unmic.example/xapi/activities/rotation/7"},
            "category": [{"id": iris.CMI5_CATEGORY, "objectType": "Activity"}],
            "other": [],
        },
        "language": "fr-CA",
        "statement": {"objectType": "StatementRef", "id": str(uuid.uuid4())},
        "extensions": {"https://training.unmic.example/xapi/ext/position": {"grid": "34N"}},
    }
    if version == VERSION_2:
        context["contextAgents"] = [
            {"objectType": "contextAgent", "agent": agent("observer"), "relevantTypes": [ACTIVITY]}
        ]
        context["contextGroups"] = [
            {"objectType": "contextGroup", "group": context["team"], "relevantTypes": [ACTIVITY]}
        ]
    return {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Group",
            "name": "Checkpoint team",
            "mbox_sha1sum": "a" * 40,
            "member": [agent("trainee-1"), {"openid": "https://id.unmic.example/p/4"}],
        },
        "verb": {"id": iris.ANSWERED, "display": {"en-US": "answered", "fr-FR": "a répondu"}},
        "object": {
            "objectType": "SubStatement",
            "actor": agent("trainee-1"),
            "verb": {"id": iris.COMPLETED},
            "object": {
                "objectType": "Activity",
                "id": ACTIVITY,
                "definition": {
                    "name": {"en-US": "Checkpoint decision"},
                    "description": {"en-US": "What does the checkpoint commander do?"},
                    "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                    "moreInfo": "https://training.unmic.example/courses/convoy",
                    "interactionType": "choice",
                    "correctResponsesPattern": ["stop"],
                    "choices": choices,
                    "extensions": {"https://training.unmic.example/xapi/ext/inject": 4},
                },
            },
            "result": {"success": True},
            "context": {
                "registration": str(uuid.uuid4()),
                "revision": "3",
                "platform": "field kit",
            },
            "timestamp": "2026-03-02T08:15:30.123Z",
        },
        "result": {
            "score": {"scaled": 0.75, "raw": 3, "min": 0, "max": 4},
            "success": True,
            "completion": True,
            "response": "stop",
            "duration": "PT4M12.5S",
            "extensions": {"https://training.unmic.example/xapi/ext/attempt": 2},
        },
        "context": context,
        "timestamp": "2026-03-02T08:15:31.456+03:00",
        "attachments": [
            {
                "usageType": "https://training.unmic.example/xapi/attachments/photo",
                "display": {"en-US": "Checkpoint sketch"},
                "description": {"en-US": "Drawn by the section leader"},
                "contentType": "image/png",
                "length": 1234,
                "sha2": "b" * 64,
                "fileUrl": "https://files.unmic.example/sketch.png",
            }
        ],
    }


def _paths(value: object, path: tuple = ()) -> Iterator[tuple]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _set(root: dict, path: tuple, value: object) -> dict:
    copied = copy.deepcopy(root)
    target = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copied


def _drop(root: dict, path: tuple) -> dict:
    copied = copy.deepcopy(root)
    target = copied
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return copied


def _variants(root: dict) -> Iterator[tuple[str, dict]]:
    for path in _paths(root):
        if not path:
            continue
        for wrong in WRONG_SHAPES:
            yield f"{path} = {wrong!r}", _set(root, path, wrong)
        yield f"del {path}", _drop(root, path)
    for path in _paths(root):
        target = root
        for step in path:
            target = target[step]
        if isinstance(target, dict):
            grown = copy.deepcopy(root)
            inner = grown
            for step in path:
                inner = inner[step]
            inner["unexpected"] = {"x": [1]}
            yield f"{path} + unexpected", grown


@pytest.mark.parametrize("version", [VERSION_1, VERSION_2])
def test_every_wrong_shape_is_a_validation_error(version):
    base = _rich_statement(version)
    validate_statements([base], version)
    accepted: set[str] = set()
    for label, variant in _variants(base):
        try:
            validate_statements([variant], version)
        except XAPIValidationError as exc:
            assert exc.message.startswith("statements[0]"), label
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"{label}: {type(exc).__name__}: {exc}")
        else:
            accepted.add(label)
    # Some variants are valid statements (extension values may be any JSON, optional
    # properties may go); none of these strictly typed properties takes a wrong shape.
    for path in STRICT_PATHS:
        for wrong in WRONG_SHAPES:
            assert f"{path} = {wrong!r}" not in accepted
    assert (
        f"{('result', 'extensions', 'https://training.unmic.example/xapi/ext/attempt')} = []"
        in (accepted)
    )


@pytest.mark.parametrize("version", [VERSION_1, VERSION_2])
def test_every_wrong_shape_gets_a_4xx_and_what_is_accepted_reads_back(lrs, version):
    """The same variants through the HTTP API: a 400 with a message naming a property, or a
    200 after which the statement reads back in each format."""
    lrs.version = version
    base = _rich_statement(version)
    stored = 0
    for label, variant in _variants(base):
        if isinstance(variant.get("id"), str):
            variant["id"] = str(uuid.uuid4())
        response = lrs.post("statements", json_body=variant)
        if response.status_code == 400:
            error = response.get_json()["error"]
            assert error.startswith(("statement", "body")), f"{label}: {error}"
            continue
        assert response.status_code == 200, f"{label}: {response.status_code}"
        statement_id = response.get_json()[0]
        for fmt in ("exact", "ids", "canonical"):
            got = lrs.get("statements", params={"statementId": statement_id, "format": fmt})
            assert got.status_code == 200, f"{label} ({fmt}): {got.status_code}"
            assert got.get_json()["id"] == statement_id
        stored += 1
    listed = lrs.get("statements", params={"format": "canonical", "limit": stored})
    assert len(listed.get_json()["statements"]) == stored > 20


ODD_PARAMETER_VALUES = [
    "",
    "x",
    "null",
    "true",
    "-1",
    "1e999",
    "[]",
    "{}",
    '{"mbox": 1}',
    '{"objectType": "Group"}',
    '{"account": {"homePage": "x"}}',
    '["mailto:a@b.example"]',
    "2026-13-45T99:99:99Z",
    "é" * 300,
    "\x00",
]

RESOURCES = {
    "statements": [
        "statementId",
        "voidedStatementId",
        "agent",
        "verb",
        "activity",
        "registration",
        "related_activities",
        "related_agents",
        "since",
        "until",
        "limit",
        "format",
        "attachments",
        "ascending",
    ],
    "activities/state": ["activityId", "agent", "registration", "stateId", "since"],
    "activities/profile": ["activityId", "profileId", "since"],
    "agents/profile": ["agent", "profileId", "since"],
    "activities": ["activityId"],
    "agents": ["agent"],
}

VALID_PARAMETERS = {
    "activityId": ACTIVITY,
    "agent": '{"mbox": "mailto:platoon.lead@unmic.example"}',
    "stateId": "checkpoint",
    "profileId": "cmi5LearnerPreferences",
}


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_odd_query_parameters_get_a_4xx_with_a_message(lrs, resource):
    for name in RESOURCES[resource]:
        required = {k: v for k, v in VALID_PARAMETERS.items() if k in RESOURCES[resource]}
        for value in ODD_PARAMETER_VALUES:
            params = dict(required, **{name: value})
            for method in ("GET", "DELETE") if "/" in resource else ("GET",):
                response = lrs.request(method, resource, params=params)
                label = f"{method} {resource} {name}={value[:20]!r}"
                assert response.status_code < 500, label
                if response.status_code >= 400:
                    assert response.get_json()["error"], label
