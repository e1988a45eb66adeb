"""The Statement resource (Communication 2.1), the headers (1.2, 3.3) and error codes (3.2)."""

from __future__ import annotations

import json
import uuid

import pytest

from lms.xapi import iris

from .factories import ACTIVITY, activity, agent, mbox_agent, statement

# --- headers and versions --------------------------------------------------------------------


def test_version_header_required_except_about(lrs):
    lrs.version = None
    response = lrs.get("statements", params={"statementId": str(uuid.uuid4())})
    assert response.status_code == 400
    assert "X-Experience-API-Version" in response.get_json()["error"]
    # A request that names no version we speak is answered in the newest one.
    assert response.headers["X-Experience-API-Version"] == "2.0.0"
    about = lrs.get("about")
    assert about.status_code == 200
    assert "1.0.3" in about.get_json()["version"]


@pytest.mark.parametrize("spoken", ["1.0.3", "2.0.0"])
def test_a_forgotten_version_header_is_answered_in_the_clients_version(lrs, spoken):
    lrs.version = spoken
    assert lrs.get("statements", params={"limit": "1"}).status_code == 200
    lrs.version = None
    forgot = lrs.post("statements", json_body=statement())
    assert forgot.status_code == 400
    assert forgot.headers["X-Experience-API-Version"] == spoken
    # Another worker knows it through the shared cache.
    from lms.xapi import api

    api._spoken_versions.clear()
    assert lrs.get("statements").headers["X-Experience-API-Version"] == spoken
    # Someone else's credentials (here: none) do not inherit it.
    lrs.authorization = None
    assert lrs.get("statements").headers["X-Experience-API-Version"] == "2.0.0"


@pytest.mark.parametrize("value", ["0.95", "1.1.0", "banana"])
def test_unsupported_version_header_is_rejected(lrs, value):
    lrs.version = value
    response = lrs.post("statements", json_body=statement())
    assert response.status_code == 400
    assert response.headers["X-Experience-API-Version"] == "2.0.0"


def test_every_response_has_version_and_cors_headers(lrs):
    for response in (
        lrs.get("statements"),
        lrs.get("nowhere"),
        lrs.delete("statements"),
        lrs.request("OPTIONS", "statements"),
    ):
        assert response.headers["X-Experience-API-Version"] == "1.0.3"
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_2_0_requests_answer_with_2_0_header(lrs):
    lrs.version = "2.0.0"
    response = lrs.post("statements", json_body=statement(version=None))
    assert response.status_code == 200
    assert response.headers["X-Experience-API-Version"] == "2.0.0"
    stored = lrs.get("statements", params={"statementId": response.get_json()[0]}).get_json()
    assert stored["version"] == "2.0.0"


def test_2_0_timestamps_are_stored_in_utc(lrs):
    """IEEE 9274.1.1 4.2.7: converted to UTC, not refused; 1.0.x keeps what it was sent."""
    lrs.version = "2.0.0"
    stmt = statement(version=None, timestamp="2026-03-02T11:15:30.123456+03:00")
    assert lrs.post("statements", json_body=stmt).status_code == 200
    got = lrs.get("statements", params={"statementId": stmt["id"]}).get_json()
    assert got["timestamp"] == "2026-03-02T08:15:30.123456Z"
    # Re-sending it unchanged is still the same statement.
    assert lrs.post("statements", json_body=stmt).status_code == 200
    lrs.version = "1.0.3"
    older = statement(timestamp="2026-03-02T11:15:30.120+03:00")
    lrs.post("statements", json_body=older)
    got = lrs.get("statements", params={"statementId": older["id"]}).get_json()
    assert got["timestamp"] == "2026-03-02T11:15:30.120+03:00"


def test_unauthenticated_requests_get_401(lrs):
    lrs.authorization = None
    response = lrs.get("statements")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    lrs.authorization = "Basic " + "bm9ib2R5Om5vdGhpbmc="  # nobody:nothing
    assert lrs.get("statements").status_code == 401


def test_methods_not_in_the_specification_get_405(lrs):
    assert lrs.delete("statements", params={"statementId": str(uuid.uuid4())}).status_code == 405
    assert lrs.put("activities", params={"activityId": ACTIVITY}).status_code == 405
    assert lrs.post("agents", params={"agent": json.dumps(agent())}).status_code == 405


# --- PUT and POST ------------------------------------------------------------------------------


def test_put_needs_statement_id(lrs):
    stmt = statement()
    assert lrs.put("statements", json_body=stmt).status_code == 400
    assert (
        lrs.put("statements", params={"StatementId": stmt["id"]}, json_body=stmt).status_code == 400
    )
    assert lrs.put("statements", params={"statementId": "true"}, json_body=stmt).status_code == 400
    response = lrs.put("statements", params={"statementId": stmt["id"]}, json_body=stmt)
    assert response.status_code == 204
    other = statement()
    mismatch = lrs.put("statements", params={"statementId": stmt["id"]}, json_body=other)
    assert mismatch.status_code == 400


def test_put_assigns_the_parameter_id(lrs):
    stmt = statement(id=None)
    statement_id = str(uuid.uuid4())
    assert (
        lrs.put("statements", params={"statementId": statement_id}, json_body=stmt).status_code
        == 204
    )
    assert (
        lrs.get("statements", params={"statementId": statement_id}).get_json()["id"] == statement_id
    )


def test_post_returns_ids_in_order(lrs):
    batch = [statement(), statement(id=None), statement()]
    response = lrs.post("statements", json_body=batch)
    assert response.status_code == 200
    ids = response.get_json()
    assert ids[0] == batch[0]["id"] and ids[2] == batch[2]["id"]
    assert uuid.UUID(ids[1])


def test_duplicate_id_same_content_is_a_no_op_different_content_409(lrs):
    stmt = statement()
    assert lrs.post("statements", json_body=stmt).status_code == 200
    assert lrs.post("statements", json_body=stmt).status_code == 200
    assert (
        lrs.put("statements", params={"statementId": stmt["id"]}, json_body=stmt).status_code == 204
    )
    changed = dict(stmt, verb={"id": iris.FAILED})
    response = lrs.post("statements", json_body=changed)
    assert response.status_code == 409
    assert stmt["id"] in response.get_json()["error"]
    kept = lrs.get("statements", params={"statementId": stmt["id"]}).get_json()
    assert kept["verb"]["id"] == stmt["verb"]["id"]


def test_nul_characters_are_refused_by_name(lrs):
    """PostgreSQL text cannot hold NUL: a 400 naming the property, on every backend."""
    stmt = statement(actor=agent("trainee\x00-1"))
    response = lrs.post("statements", json_body=stmt)
    assert response.status_code == 400
    assert "body.actor.name: contains the NUL character" in response.get_json()["error"]
    bad_param = lrs.get("statements", params={"registration": "\x00"})
    assert bad_param.status_code == 400 and "NUL" in bad_param.get_json()["error"]


def test_a_batch_with_one_bad_statement_stores_nothing(lrs):
    good, bad = statement(), statement(verb={"id": "should fail"})
    response = lrs.post("statements", json_body=[good, bad])
    assert response.status_code == 400
    assert "statements[1].verb.id" in response.get_json()["error"]
    assert lrs.get("statements", params={"statementId": good["id"]}).status_code == 404


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ('{"id": 1, "id": 2}', "application/json"),
        ("[]", "application/json"),
        ('"a string"', "application/json"),
        ("", "application/json"),
        ('{"actor": {}}', "text/plain"),
        ("\xff\xfe", "application/json"),
    ],
)
def test_malformed_bodies_are_4xx_with_a_message(lrs, body, content_type):
    response = lrs.post("statements", data=body, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_oversized_body_is_413(app, lrs):
    app.config["LRS_MAX_BODY_BYTES"] = 2000
    big = statement(result={"response": "x" * 5000})
    response = lrs.post("statements", json_body=big)
    assert response.status_code == 413
    assert "larger than" in response.get_json()["error"]


def test_stored_authority_and_version_are_set_by_the_lrs(lrs, credentials):
    stmt = statement(
        authority=mbox_agent("someone.else@unmic.example"), stored="2000-01-01T00:00:00Z"
    )
    stmt.pop("timestamp")
    lrs.post("statements", json_body=stmt)
    stored = lrs.get("statements", params={"statementId": stmt["id"]}).get_json()
    assert stored["authority"]["account"]["name"] == credentials[0]
    assert stored["stored"] != "2000-01-01T00:00:00Z"
    assert stored["timestamp"] == stored["stored"]
    assert stored["version"] == "1.0.0"
    assert len(stored["stored"].split(".")[1]) == 4  # milliseconds and Z


def test_exact_format_returns_the_statement_as_received(lrs):
    stmt = statement(
        result={"score": {"min": 0.12123434, "raw": 12.125, "max": 45.45}, "response": "Сообщить"},
        context={"language": "ru", "extensions": {"http://example.com/null": None}},
    )
    lrs.post("statements", json_body=stmt)
    stored = lrs.get("statements", params={"statementId": stmt["id"]}).get_json()
    for key, value in stmt.items():
        assert stored[key] == value


# --- GET -----------------------------------------------------------------------------------------


def test_single_statement_get_rules(lrs):
    stmt = statement()
    lrs.post("statements", json_body=stmt)
    single = lrs.get("statements", params={"statementId": stmt["id"]})
    assert single.status_code == 200
    assert single.headers["Last-Modified"]
    assert single.headers["X-Experience-API-Consistent-Through"]
    both = {"statementId": stmt["id"], "voidedStatementId": stmt["id"]}
    assert lrs.get("statements", params=both).status_code == 400
    extra = {"statementId": stmt["id"], "verb": iris.COMPLETED}
    assert lrs.get("statements", params=extra).status_code == 400
    assert lrs.get("statements", params={"statementId": str(uuid.uuid4())}).status_code == 404
    assert lrs.get("statements", params={"statementId": "nope"}).status_code == 400
    head = lrs.head("statements", params={"statementId": stmt["id"]})
    assert head.status_code == 200 and head.data == b""


@pytest.mark.parametrize(
    "params",
    [
        {"foo": "bar"},
        {"Verb": iris.COMPLETED},
        {"agent": "not json"},
        {"agent": json.dumps({"name": "no identifier"})},
        {"verb": "not an iri"},
        {"registration": "123"},
        {"since": "yesterday"},
        {"limit": "-1"},
        {"format": "full"},
        {"ascending": "yes"},
    ],
)
def test_bad_query_parameters_are_400(lrs, params):
    response = lrs.get("statements", params=params)
    assert response.status_code == 400
    assert response.get_json()["error"]


def _ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [s["id"] for s in response.get_json()["statements"]]


def test_query_filters(lrs):
    trainee, trainer = agent("trainee-7"), agent("trainer-2")
    registration = str(uuid.uuid4())
    lesson = "https://training.unmic.example/xapi/activities/lesson/roe-2"
    course = "https://training.unmic.example/xapi/activities/course/cptm"
    a = statement(actor=trainee, context={"registration": registration})
    b = statement(actor=trainee, verb={"id": iris.PASSED}, object=activity(lesson))
    c = statement(
        actor=trainer,
        object=activity(lesson),
        context={"instructor": trainee, "contextActivities": {"parent": [activity(course)]}},
    )
    d = statement(actor=mbox_agent(), object=trainee)
    for stmt in (a, b, c, d):
        assert lrs.post("statements", json_body=stmt).status_code == 200

    by_agent = _ids(lrs.get("statements", params={"agent": json.dumps(trainee)}))
    assert set(by_agent) == {a["id"], b["id"], d["id"]}
    related = _ids(
        lrs.get("statements", params={"agent": json.dumps(trainee), "related_agents": "true"})
    )
    assert set(related) == {a["id"], b["id"], c["id"], d["id"]}
    assert _ids(lrs.get("statements", params={"verb": iris.PASSED})) == [b["id"]]
    assert set(_ids(lrs.get("statements", params={"activity": lesson}))) == {b["id"], c["id"]}
    assert _ids(lrs.get("statements", params={"activity": course})) == []
    with_related = lrs.get("statements", params={"activity": course, "related_activities": "true"})
    assert _ids(with_related) == [c["id"]]
    assert _ids(lrs.get("statements", params={"registration": registration})) == [a["id"]]
    both = {"verb": iris.PASSED, "activity": lesson, "agent": json.dumps(trainee)}
    assert _ids(lrs.get("statements", params=both)) == [b["id"]]
    # Newest first by default, oldest first when ascending.
    everything = _ids(lrs.get("statements"))
    assert everything[0] == d["id"]
    assert _ids(lrs.get("statements", params={"ascending": "true"}))[0] == a["id"]


def test_group_members_match_the_agent_filter(lrs):
    member = agent("trainee-9")
    team = {"objectType": "Group", "name": "2nd platoon", "member": [member, agent("trainee-10")]}
    stmt = statement(actor=team)
    lrs.post("statements", json_body=stmt)
    assert _ids(lrs.get("statements", params={"agent": json.dumps(member)})) == [stmt["id"]]


def test_since_and_until(lrs):
    first = statement()
    lrs.post("statements", json_body=first)
    stored = lrs.get("statements", params={"statementId": first["id"]}).get_json()["stored"]
    second = statement()
    lrs.post("statements", json_body=second)
    assert first["id"] not in _ids(lrs.get("statements", params={"since": stored}))
    assert _ids(lrs.get("statements", params={"until": stored})) == [first["id"]]


def test_more_link_pages_through_everything_once(lrs):
    ids = lrs.post("statements", json_body=[statement() for _ in range(7)]).get_json()
    seen, url, pages = [], None, 0
    response = lrs.get("statements", params={"limit": "3"})
    while True:
        body = response.get_json()
        seen += [s["id"] for s in body["statements"]]
        pages += 1
        # A statement arriving while paging does not disturb the pages.
        lrs.post("statements", json_body=statement())
        if not body["more"]:
            break
        url = body["more"]
        assert url.startswith("/xapi/statements/more/")
        response = lrs.client.get(url, headers=lrs.headers())
    assert pages == 3
    assert sorted(seen) == sorted(ids)
    garbage = lrs.client.get("/xapi/statements/more/zzz", headers=lrs.headers())
    assert garbage.status_code == 400


def test_query_response_headers(lrs):
    lrs.post("statements", json_body=statement())
    response = lrs.get("statements")
    assert response.headers["X-Experience-API-Consistent-Through"].endswith("Z")
    assert response.headers["Last-Modified"]
    assert response.headers["Content-Type"] == "application/json"


def test_ids_and_canonical_formats(lrs):
    stmt = statement(
        verb={"id": iris.COMPLETED, "display": {"en-US": "completed", "fr-FR": "a terminé"}},
        object=activity(name={"en-US": "Rules of engagement", "fr-FR": "Règles d'engagement"}),
    )
    lrs.post("statements", json_body=stmt)
    ids = lrs.get("statements", params={"statementId": stmt["id"], "format": "ids"}).get_json()
    assert ids["actor"] == {"objectType": "Agent", "account": stmt["actor"]["account"]}
    assert ids["object"] == {"id": ACTIVITY}
    assert ids["verb"] == {"id": iris.COMPLETED}
    canonical = lrs.get(
        "statements",
        params={"statementId": stmt["id"], "format": "canonical"},
        headers={"Accept-Language": "fr-FR, en;q=0.5"},
    ).get_json()
    assert canonical["verb"]["display"] == {"fr-FR": "a terminé"}
    assert canonical["object"]["definition"]["name"] == {"fr-FR": "Règles d'engagement"}


def test_ids_and_canonical_formats_in_lists(lrs):
    """The query forms stream their page: canonical reads activity definitions from the store."""
    lesson = "https://training.unmic.example/xapi/activities/lesson/sea-" + uuid.uuid4().hex
    stmt = statement(
        object={
            "objectType": "SubStatement",
            "actor": agent("trainee-9"),
            "verb": {"id": iris.COMPLETED, "display": {"en-US": "completed", "fr-FR": "a terminé"}},
            "object": activity(lesson, name={"en-US": "Sexual exploitation and abuse"}),
        },
        context={"contextActivities": {"parent": [activity(lesson)]}},
    )
    later = statement(
        object=activity(lesson, name={"fr-FR": "Exploitation et atteintes sexuelles"})
    )
    assert lrs.post("statements", json_body=[stmt, later]).status_code == 200
    params = {"activity": lesson, "related_activities": "true", "ascending": "true"}
    ids = lrs.get("statements", params={**params, "format": "ids"}).get_json()["statements"]
    assert ids[0]["object"]["object"] == {"id": lesson}
    assert ids[0]["context"]["contextActivities"]["parent"] == [{"id": lesson}]
    canonical = lrs.get(
        "statements",
        params={**params, "format": "canonical"},
        headers={"Accept-Language": "fr-FR"},
    )
    assert canonical.status_code == 200
    first = canonical.get_json()["statements"][0]
    assert first["object"]["verb"]["display"] == {"fr-FR": "a terminé"}
    # The definition merged from both statements, in the asked language.
    assert first["object"]["object"]["definition"]["name"] == {
        "fr-FR": "Exploitation et atteintes sexuelles"
    }


# --- voiding and statement references ------------------------------------------------------------


def _void(lrs, target_id):
    voiding = statement(
        verb={"id": iris.VOIDED}, object={"objectType": "StatementRef", "id": target_id}
    )
    return voiding, lrs.post("statements", json_body=voiding)


def test_voiding(lrs):
    target = statement()
    lrs.post("statements", json_body=target)
    voiding, response = _void(lrs, target["id"])
    assert response.status_code == 200
    assert lrs.get("statements", params={"statementId": target["id"]}).status_code == 404
    voided = lrs.get("statements", params={"voidedStatementId": target["id"]})
    assert voided.status_code == 200 and voided.get_json()["id"] == target["id"]
    assert target["id"] not in _ids(lrs.get("statements"))
    assert voiding["id"] in _ids(lrs.get("statements"))
    # A voiding statement cannot be voided.
    _, again = _void(lrs, voiding["id"])
    assert again.status_code == 400
    assert "cannot be voided" in again.get_json()["error"]
    assert lrs.get("statements", params={"statementId": voiding["id"]}).status_code == 200
    # Not voided statements are not found by voidedStatementId.
    assert lrs.get("statements", params={"voidedStatementId": voiding["id"]}).status_code == 404


def test_voiding_before_the_target_arrives(lrs):
    target = statement()
    _void(lrs, target["id"])
    lrs.post("statements", json_body=target)
    assert lrs.get("statements", params={"statementId": target["id"]}).status_code == 404
    assert lrs.get("statements", params={"voidedStatementId": target["id"]}).status_code == 200


def test_statements_referring_to_matches_are_returned(lrs):
    lesson = "https://training.unmic.example/xapi/activities/lesson/sea-1"
    target = statement(object=activity(lesson))
    referring = statement(
        actor=agent("trainer-4"),
        verb={"id": "http://adlnet.gov/expapi/verbs/commented"},
        object={"objectType": "StatementRef", "id": target["id"]},
    )
    lrs.post("statements", json_body=[target, referring])
    assert set(_ids(lrs.get("statements", params={"activity": lesson}))) == {
        target["id"],
        referring["id"],
    }


def test_verb_with_activity_agent_or_registration(lrs):
    """A verb combined with another filter: the statement's own verb, or the verb of the
    statement it refers to (Communication 2.1.3), never just the other filter."""
    lesson = "https://training.unmic.example/xapi/activities/lesson/fp-" + uuid.uuid4().hex
    registration = str(uuid.uuid4())
    context = {"registration": registration}
    done = statement(object=activity(lesson), context=context)
    tried = statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/attempted"},
        object=activity(lesson),
        context=context,
    )
    comment = statement(
        actor=agent("trainer-9"),
        verb={"id": "http://adlnet.gov/expapi/verbs/commented"},
        object={"objectType": "StatementRef", "id": done["id"]},
        context=context,
    )
    lrs.post("statements", json_body=[done, tried, comment])
    completed = done["verb"]["id"]
    assert set(_ids(lrs.get("statements", params={"verb": completed, "activity": lesson}))) == {
        done["id"],
        comment["id"],
    }
    assert _ids(
        lrs.get("statements", params={"verb": tried["verb"]["id"], "activity": lesson})
    ) == [tried["id"]]
    by_registration = {"verb": completed, "registration": registration}
    assert set(_ids(lrs.get("statements", params=by_registration))) == {done["id"], comment["id"]}
    trainer = json.dumps(agent("trainer-9"))
    assert _ids(lrs.get("statements", params={"verb": completed, "agent": trainer})) == [
        comment["id"]
    ]
    commented = comment["verb"]["id"]
    assert _ids(lrs.get("statements", params={"verb": commented, "agent": trainer})) == [
        comment["id"]
    ]
    assert _ids(lrs.get("statements", params={"verb": commented, "activity": lesson})) == [
        comment["id"]
    ]
    nobody = {"verb": "http://adlnet.gov/expapi/verbs/passed", "activity": lesson}
    assert _ids(lrs.get("statements", params=nobody)) == []


# --- attachments and signatures ------------------------------------------------------------------


def _multipart(
    statements, parts, boundary="xapi-boundary", encoding="binary", first_type="application/json"
):
    out = [
        f"--{boundary}\r\nContent-Type: {first_type}\r\n\r\n{json.dumps(statements)}\r\n".encode()
    ]
    for sha2, content in parts:
        header = f"--{boundary}\r\nContent-Type: text/plain\r\nX-Experience-API-Hash: {sha2}\r\n"
        if encoding:
            header += f"Content-Transfer-Encoding: {encoding}\r\n"
        out.append(header.encode() + b"\r\n" + content + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/mixed; boundary={boundary}"


def _attachment(content: bytes, **overrides):
    import hashlib

    value = {
        "usageType": "https://training.unmic.example/xapi/attachments/aar-notes",
        "display": {"en-US": "After-action review notes"},
        "contentType": "text/plain",
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
    }
    value.update(overrides)
    return value


def test_attachments_round_trip(lrs):
    content = b"Checkpoint 4: crowd dispersed peacefully at 14:20."
    stmt = statement(attachments=[_attachment(content)])
    body, ctype = _multipart(stmt, [(stmt["attachments"][0]["sha2"], content)])
    response = lrs.post("statements", data=body, headers={"Content-Type": ctype})
    assert response.status_code == 200, response.get_data(as_text=True)
    got = lrs.get("statements", params={"statementId": stmt["id"], "attachments": "true"})
    assert got.headers["Content-Type"].startswith("multipart/mixed")
    assert content in got.data
    listing = lrs.get("statements", params={"attachments": "true", "limit": "1"})
    assert listing.headers["Content-Type"].startswith("multipart/mixed")


def test_attachment_rules(lrs):
    content = b"Patrol report"
    stmt = statement(attachments=[_attachment(content)])
    sha2 = stmt["attachments"][0]["sha2"]
    # Without the part, and as plain JSON: 400.
    assert lrs.post("statements", json_body=stmt).status_code == 400
    # With fileUrl only, plain JSON is fine.
    by_url = statement(
        attachments=[_attachment(content, fileUrl="https://files.unmic.example/r.txt")]
    )
    assert lrs.post("statements", json_body=by_url).status_code == 200
    # xAPI 2.0 lets the Content-Transfer-Encoding header go, but not a value other than binary.
    lrs.version = "2.0.0"
    for encoding, status in ((None, 200), ("binary", 200), ("base64", 400)):
        body, ctype = _multipart(
            statement(attachments=stmt["attachments"]), [(sha2, content)], encoding=encoding
        )
        response = lrs.post("statements", data=body, headers={"Content-Type": ctype})
        assert response.status_code == status, (encoding, response.get_data(as_text=True))
    lrs.version = "1.0.3"
    cases = [
        _multipart(stmt, [(sha2, b"tampered")]),
        _multipart(stmt, [(sha2, content)], encoding=None),
        _multipart(stmt, [(sha2, content)], encoding="base64"),
        _multipart(stmt, [(sha2, content)], first_type="text/plain"),
        _multipart(stmt, [(sha2, content), ("a" * 64, b"stray")]),
    ]
    for body, ctype in cases:
        response = lrs.post("statements", data=body, headers={"Content-Type": ctype})
        assert response.status_code == 400, response.get_data(as_text=True)
    body, _ = _multipart(stmt, [(sha2, content)])
    assert (
        lrs.post("statements", data=body, headers={"Content-Type": "multipart/mixed;"}).status_code
        == 400
    )
    assert (
        lrs.post(
            "statements",
            data=body,
            headers={"Content-Type": "multipart/form-data; boundary=xapi-boundary"},
        ).status_code
        == 400
    )


def _signed(stmt: dict, tamper: bool = False, payload_result: dict | None = None):
    import base64
    import datetime as dt
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "UNMIC training")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header = {
        "alg": "RS256",
        "x5c": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()],
    }
    payload = dict(stmt)
    if tamper:
        payload["verb"] = {"id": iris.FAILED}
    if payload_result is not None:
        payload["result"] = payload_result
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    jws = f"{signing_input}.{b64(signature)}".encode()
    attachment = {
        "usageType": iris.SIGNATURE_USAGE_TYPE,
        "display": {"en-US": "Signature"},
        "contentType": "application/octet-stream",
        "length": len(jws),
        "sha2": hashlib.sha256(jws).hexdigest(),
    }
    signed = dict(stmt, attachments=[attachment])
    return _multipart(signed, [(attachment["sha2"], jws)])


def test_signed_statements(lrs):
    body, ctype = _signed(statement())
    assert lrs.post("statements", data=body, headers={"Content-Type": ctype}).status_code == 200
    body, ctype = _signed(statement(), tamper=True)
    response = lrs.post("statements", data=body, headers={"Content-Type": ctype})
    assert response.status_code == 400
    assert "does not match" in response.get_json()["error"]


def test_durations_compare_to_a_hundredth_of_a_second(lrs):
    """Data 4.6: precision beyond 0.01 s is not part of a comparison, for signatures and for
    re-sent statements alike."""
    stmt = statement(result={"duration": "PT4M12.1237S"})
    body, ctype = _signed(stmt, payload_result={"duration": "PT4M12.12S"})
    assert lrs.post("statements", data=body, headers={"Content-Type": ctype}).status_code == 200
    other = statement(result={"duration": "PT4M12.1237S"})
    body, ctype = _signed(other, payload_result={"duration": "PT4M12.13S"})
    response = lrs.post("statements", data=body, headers={"Content-Type": ctype})
    assert response.status_code == 400 and "does not match" in response.get_json()["error"]
    plain = statement(result={"duration": "PT1H0.10S"})
    assert lrs.post("statements", json_body=plain).status_code == 200
    again = dict(plain, result={"duration": "PT1H0.1S"})
    assert lrs.post("statements", json_body=again).status_code == 200
    changed = dict(plain, result={"duration": "PT1H0.2S"})
    assert lrs.post("statements", json_body=changed).status_code == 409


# --- alternate request syntax --------------------------------------------------------------------


def _form(lrs, method, fields, query=None):
    from urllib.parse import urlencode

    return lrs.client.post(
        "/xapi/statements",
        query_string=query or {"method": method},
        data=urlencode(fields),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Experience-API-Version": "1.0.3",
        },
    )


def test_alternate_request_syntax(lrs):
    stmt = statement()
    put = _form(
        lrs,
        "PUT",
        {
            "statementId": stmt["id"],
            "content": json.dumps(stmt),
            "Authorization": lrs.authorization,
        },
    )
    assert put.status_code == 204, put.get_data(as_text=True)
    get = _form(lrs, "GET", {"limit": "1", "Authorization": lrs.authorization})
    assert get.status_code == 200
    assert set(get.get_json()) == {"statements", "more"}
    extra = _form(
        lrs,
        "PUT",
        {"content": json.dumps(stmt), "Authorization": lrs.authorization},
        {"method": "PUT", "statementId": stmt["id"]},
    )
    assert extra.status_code == 400
    empty = _form(lrs, "PUT", {"Authorization": lrs.authorization})
    assert empty.status_code == 400
    not_post = lrs.get("statements", params={"method": "POST"})
    assert not_post.status_code == 400


def test_alternate_syntax_form_field_is_a_header(lrs):
    """Form fields stand for headers (Communication 1.3): an unsupported version given as a form
    field is refused even when the real header is valid, and nothing is stored."""
    stmt = statement()
    fields = {
        "statementId": stmt["id"],
        "content": json.dumps(stmt),
        "Authorization": lrs.authorization,
    }
    bad = _form(lrs, "PUT", dict(fields, **{"X-Experience-API-Version": "0.8"}))
    assert bad.status_code == 400
    assert "X-Experience-API-Version" in bad.get_json()["error"]
    assert lrs.get("statements", params={"statementId": stmt["id"]}).status_code == 404
    # The form field wins over the real header (1.0.3): this is a 2.0 request.
    newer = _form(lrs, "PUT", dict(fields, **{"X-Experience-API-Version": "2.0.0"}))
    assert newer.status_code == 204
    assert newer.headers["X-Experience-API-Version"] == "2.0.0"
    got = lrs.get("statements", params={"statementId": stmt["id"]}).get_json()
    assert got["version"] == "2.0.0"


# --- credentials ------------------------------------------------------------------------------------


def test_scopes(make_lrs, lrs):
    reader = make_lrs(["read"], "Dashboard")
    assert reader.post("statements", json_body=statement()).status_code == 403
    writer = make_lrs(["write", "no-void"], "Quiz engine")
    stmt = statement()
    assert writer.post("statements", json_body=stmt).status_code == 200
    voiding = statement(
        verb={"id": iris.VOIDED}, object={"objectType": "StatementRef", "id": stmt["id"]}
    )
    assert writer.post("statements", json_body=voiding).status_code == 403
    own = make_lrs(["read-own", "write"], "Scenario kit")
    mine = statement()
    own.post("statements", json_body=mine)
    lrs.post("statements", json_body=statement())
    assert _ids(own.get("statements")) == [mine["id"]]
    assert own.get("statements", params={"statementId": stmt["id"]}).status_code == 404
    assert len(_ids(reader.get("statements"))) == 3


def test_revoked_client_is_refused_at_once(app, lrs, credentials):
    from lms.extensions import db
    from lms.xapi import auth

    assert lrs.get("statements").status_code == 200
    with app.app_context():
        auth.revoke_client(db.session, credentials[0])
        db.session.commit()
    assert lrs.get("statements").status_code == 401


def test_wrong_secret_is_refused_even_after_a_cached_success(lrs, credentials):
    from .conftest import basic

    assert lrs.get("statements").status_code == 200
    lrs.authorization = basic(credentials[0], "wrong")
    assert lrs.get("statements").status_code == 401


def test_portal_session_records_own_statements(app, client):
    from lms.extensions import db
    from tests.factories import PASSWORD, create_user

    from .conftest import LRS

    with app.app_context():
        user = create_user(username="trainee.amal", roles=["trainee"], password=PASSWORD)
        own_agent = user.xapi_agent()
        db.session.commit()
    client.post("/login", data={"username": "trainee.amal", "password": PASSWORD})
    session_lrs = LRS(client, None)
    mine = statement(actor=own_agent)
    response = session_lrs.post("statements", json_body=mine)
    assert response.status_code == 200, response.get_data(as_text=True)
    stored = session_lrs.get("statements", params={"statementId": mine["id"]}).get_json()
    assert stored["authority"] == own_agent
    assert session_lrs.post("statements", json_body=statement()).status_code == 403
    assert _ids(session_lrs.get("statements")) == [mine["id"]]


def test_verb_filter_returns_statements_targeting_a_voided_match(lrs):
    """Communication 2.1.4: a voided statement is not returned, statements targeting it are."""
    verb = "https://training.unmic.example/xapi/verbs/reported-" + uuid.uuid4().hex
    target = statement(verb={"id": verb})
    lrs.post("statements", json_body=target)
    voiding, _ = _void(lrs, target["id"])
    referring = statement(
        verb={"id": verb}, object={"objectType": "StatementRef", "id": target["id"]}
    )
    lrs.post("statements", json_body=referring)
    assert _ids(lrs.get("statements", params={"verb": verb})) == [referring["id"], voiding["id"]]
    assert _ids(lrs.get("statements", params={"verb": verb, "limit": "1"})) == [referring["id"]]


def test_single_context_activities_are_returned_as_arrays(lrs):
    course = activity("https://training.unmic.example/xapi/activities/course/cptm")
    stmt = statement(context={"contextActivities": {"parent": course}})
    lrs.post("statements", json_body=stmt)
    stored = lrs.get("statements", params={"statementId": stmt["id"]}).get_json()
    assert stored["context"]["contextActivities"]["parent"] == [course]
    # Sending the same statement again (single object form) is still the same statement.
    assert lrs.post("statements", json_body=stmt).status_code == 200


def test_consistent_through_on_every_statement_response(lrs):
    lrs.version = None
    response = lrs.get("statements")
    assert response.status_code == 400
    assert response.headers["X-Experience-API-Consistent-Through"].endswith("Z")


def test_cors_preflight_needs_no_credentials(client):
    response = client.options(
        "/xapi/statements",
        headers={
            "Origin": "https://content.unmic.example",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "Authorization, X-Experience-API-Version",
        },
    )
    assert response.status_code == 200
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    assert "X-Experience-API-Version" in response.headers["Access-Control-Allow-Headers"]
    assert (
        "X-Experience-API-Consistent-Through" in response.headers["Access-Control-Expose-Headers"]
    )


def test_a_batch_keeps_its_order(lrs):
    batch = [statement() for _ in range(6)]
    lrs.post("statements", json_body=batch)
    ascending = _ids(lrs.get("statements", params={"ascending": "true"}))
    assert ascending == [s["id"] for s in batch]
