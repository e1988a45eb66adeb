"""State, activity profile and agent profile resources, concurrency (Communication 2.3-2.7, 3.1),
and the Activities, Agents and About resources."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest

from .factories import ACTIVITY, activity, agent, statement

AGENT = json.dumps(agent("trainee-3"))


def state_params(**extra):
    return {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark", **extra}


def test_state_put_get_delete(lrs):
    body = json.dumps({"page": 4, "answers": ["a", "c"]})
    put = lrs.put(
        "activities/state",
        params=state_params(),
        data=body,
        headers={"Content-Type": "application/json"},
    )
    assert put.status_code == 204
    got = lrs.get("activities/state", params=state_params())
    assert got.status_code == 200
    assert got.get_json() == {"page": 4, "answers": ["a", "c"]}
    assert got.headers["ETag"] == '"' + hashlib.sha1(body.encode()).hexdigest() + '"'
    assert got.headers["Last-Modified"]
    # State PUT without a precondition header overwrites (the 409 rule is for profiles).
    again = lrs.put(
        "activities/state",
        params=state_params(),
        data="plain text",
        headers={"Content-Type": "text/plain"},
    )
    assert again.status_code == 204
    plain = lrs.get("activities/state", params=state_params())
    assert plain.data == b"plain text" and plain.headers["Content-Type"].startswith("text/plain")
    assert lrs.delete("activities/state", params=state_params()).status_code == 204
    assert lrs.get("activities/state", params=state_params()).status_code == 404


def test_state_put_over_an_existing_document_needs_a_precondition_in_2_0(lrs):
    """IEEE 9274.1.1 4.1.4 extends the 409 rule to State; a new document needs no header."""
    lrs.version = "2.0.0"
    assert lrs.put("activities/state", params=state_params(), json_body={"v": 1}).status_code == 204
    blind = lrs.put("activities/state", params=state_params(), json_body={"v": 2})
    assert blind.status_code == 409 and "If-Match" in blind.get_json()["error"]
    assert lrs.get("activities/state", params=state_params()).get_json() == {"v": 1}
    etag = lrs.get("activities/state", params=state_params()).headers["ETag"]
    matched = lrs.put(
        "activities/state", params=state_params(), json_body={"v": 3}, headers={"If-Match": etag}
    )
    assert matched.status_code == 204
    assert lrs.get("activities/state", params=state_params()).get_json() == {"v": 3}


def test_state_post_merges_json_objects(lrs):
    lrs.post("activities/state", params=state_params(), json_body={"page": 1, "lang": "fr"})
    lrs.post("activities/state", params=state_params(), json_body={"page": 2, "done": True})
    assert lrs.get("activities/state", params=state_params()).get_json() == {
        "page": 2,
        "lang": "fr",
        "done": True,
    }
    not_object = lrs.post("activities/state", params=state_params(), json_body=[1, 2])
    assert not_object.status_code == 400
    text = lrs.post(
        "activities/state", params=state_params(), data="x", headers={"Content-Type": "text/plain"}
    )
    assert text.status_code == 400


def test_state_registration_and_lists(lrs):
    registration = str(uuid.uuid4())
    lrs.put("activities/state", params=state_params(), json_body={"a": 1})
    lrs.put(
        "activities/state",
        params=state_params(stateId="progress", registration=registration),
        json_body={"b": 2},
    )
    listing = lrs.get("activities/state", params={"activityId": ACTIVITY, "agent": AGENT})
    assert sorted(listing.get_json()) == ["bookmark", "progress"]
    only_reg = lrs.get(
        "activities/state",
        params={"activityId": ACTIVITY, "agent": AGENT, "registration": registration},
    )
    assert only_reg.get_json() == ["progress"]
    future = lrs.get(
        "activities/state",
        params={"activityId": ACTIVITY, "agent": AGENT, "since": "2999-01-01T00:00:00Z"},
    )
    assert future.get_json() == []
    assert (
        lrs.delete("activities/state", params={"activityId": ACTIVITY, "agent": AGENT}).status_code
        == 204
    )
    assert (
        lrs.get("activities/state", params={"activityId": ACTIVITY, "agent": AGENT}).get_json()
        == []
    )


@pytest.mark.parametrize(
    "params",
    [
        {"agent": AGENT, "stateId": "x"},
        {"activityId": ACTIVITY, "stateId": "x"},
        {"activityId": "not an iri", "agent": AGENT, "stateId": "x"},
        {"activityId": ACTIVITY, "agent": '{"name": "no ifi"}', "stateId": "x"},
        {"activityId": ACTIVITY, "agent": AGENT, "stateId": "x", "registration": "nope"},
        {"activityId": ACTIVITY, "agent": AGENT, "stateId": "x", "extra": "1"},
    ],
)
def test_state_parameter_errors(lrs, params):
    response = lrs.put("activities/state", params=params, json_body={"a": 1})
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_profile_concurrency(lrs):
    params = {"activityId": ACTIVITY, "profileId": "cmi5LaunchData"}
    # A profile PUT without either header is refused even when the document is new.
    bare = lrs.put("activities/profile", params=params, json_body={"v": 0})
    assert bare.status_code == 400 and "If-None-Match" in bare.get_json()["error"]
    assert lrs.get("activities/profile", params=params).status_code == 404
    created = lrs.put(
        "activities/profile", params=params, json_body={"v": 1}, headers={"If-None-Match": "*"}
    )
    assert created.status_code == 204
    etag = lrs.get("activities/profile", params=params).headers["ETag"]
    # Without a header over an existing document: 409 with a message, nothing changed.
    conflict = lrs.put("activities/profile", params=params, json_body={"v": 2})
    assert conflict.status_code == 409 and "If-Match" in conflict.get_json()["error"]
    # A stale ETag: 412.
    stale = lrs.put(
        "activities/profile",
        params=params,
        json_body={"v": 3},
        headers={"If-Match": '"' + "1" * 40 + '"'},
    )
    assert stale.status_code == 412
    # If-None-Match * on an existing document: 412.
    exists = lrs.put(
        "activities/profile", params=params, json_body={"v": 4}, headers={"If-None-Match": "*"}
    )
    assert exists.status_code == 412
    assert lrs.get("activities/profile", params=params).get_json() == {"v": 1}
    ok = lrs.put(
        "activities/profile", params=params, json_body={"v": 5}, headers={"If-Match": etag}
    )
    assert ok.status_code == 204
    assert lrs.get("activities/profile", params=params).get_json() == {"v": 5}
    stale_delete = lrs.delete("activities/profile", params=params, headers={"If-Match": etag})
    assert stale_delete.status_code == 412
    assert lrs.delete("activities/profile", params=params).status_code == 204


def test_agent_profile(lrs):
    params = {"agent": AGENT, "profileId": "cmi5LearnerPreferences"}
    prefs = {"languagePreference": "fr-FR,en-US", "audioPreference": "on"}
    assert lrs.post("agents/profile", params=params, json_body=prefs).status_code == 204
    assert lrs.get("agents/profile", params=params).get_json() == prefs
    assert lrs.get("agents/profile", params={"agent": AGENT}).get_json() == [
        "cmi5LearnerPreferences"
    ]
    assert lrs.delete("agents/profile", params={"agent": AGENT}).status_code == 400
    with_since = {**params, "since": "2020-01-01T00:00:00Z"}
    assert lrs.get("agents/profile", params=with_since).get_json() == prefs
    assert lrs.get("agents/profile", params={**params, "since": "last week"}).status_code == 400


def test_activities_resource_merges_definitions(lrs):
    lesson = "https://training.unmic.example/xapi/activities/lesson/cpt-3"
    lrs.post(
        "statements",
        json_body=statement(object=activity(lesson, name={"en-US": "Child protection"})),
    )
    lrs.post(
        "statements",
        json_body=statement(object=activity(lesson, name={"fr-FR": "Protection de l'enfance"})),
    )
    got = lrs.get("activities", params={"activityId": lesson}).get_json()
    assert got["id"] == lesson
    assert got["definition"]["name"] == {
        "en-US": "Child protection",
        "fr-FR": "Protection de l'enfance",
    }
    unknown = lrs.get("activities", params={"activityId": "https://example.org/never"}).get_json()
    assert unknown == {"objectType": "Activity", "id": "https://example.org/never"}
    assert lrs.get("activities").status_code == 400


def test_activities_resource_merges_definitions_within_one_batch(lrs):
    lesson = "https://training.unmic.example/xapi/activities/lesson/cpt-4"
    english = statement(object=activity(lesson, name={"en-US": "Reporting a child at risk"}))
    french = statement(
        object=activity(lesson, name={"fr-FR": "Signaler un enfant en danger"}),
        context={"contextActivities": {"parent": [activity(lesson, description={"en-US": "CPT"})]}},
    )
    assert lrs.post("statements", json_body=[english, french]).status_code == 200
    got = lrs.get("activities", params={"activityId": lesson}).get_json()
    assert got["definition"] == {
        "name": {"en-US": "Reporting a child at risk", "fr-FR": "Signaler un enfant en danger"},
        "description": {"en-US": "CPT"},
    }


def test_agents_resource_returns_a_person(lrs):
    person = lrs.get("agents", params={"agent": AGENT}).get_json()
    assert person["objectType"] == "Person"
    assert person["account"] == [agent("trainee-3")["account"]]
    assert lrs.get("agents", params={"agent": "{}"}).status_code == 400


def test_about_needs_no_credentials(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert response.get_json()["version"] == ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    newer = client.get("/xapi/about", headers={"X-Experience-API-Version": "2.0.0"})
    assert newer.get_json()["version"][0] == "2.0.0"
    assert newer.headers["X-Experience-API-Version"] == "2.0.0"


def test_document_ids_have_a_length_limit(lrs):
    response = lrs.put(
        "activities/state", params=state_params(stateId="s" * 900), json_body={"a": 1}
    )
    assert response.status_code == 400
    assert "at most 800 bytes" in response.get_json()["error"]
