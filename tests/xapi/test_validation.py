"""Statement rules of xAPI 1.0.3 (Data, section 2 and 4) and IEEE 9274.1.1, one by one."""

from __future__ import annotations

import datetime as dt

import pytest

from lms.xapi import formats, iris
from lms.xapi.validation import (
    XAPIValidationError,
    loads,
    parse_version_header,
    prepare_statement,
    validate_statement,
    validate_statements,
)

from .factories import activity, agent, mbox_agent, statement

AUTHORITY = {"objectType": "Agent", "account": {"homePage": "https://lrs.example", "name": "k"}}


def rejects(stmt, fragment, version="1.0.3"):
    with pytest.raises(XAPIValidationError) as info:
        validate_statement(stmt, version)
    assert fragment in info.value.message
    return info.value.message


def test_valid_statement_passes():
    validate_statement(statement())


# --- 2.2 formatting -----------------------------------------------------------------------


@pytest.mark.parametrize("key", ["Actor", "iD", "veRb", "oBject", "timeStamp", "Version", "extra"])
def test_unknown_or_miscased_keys_are_rejected(key):
    stmt = statement()
    stmt[key] = "x"
    rejects(stmt, f"statement.{key}: is not a property allowed here")


@pytest.mark.parametrize("missing", ["actor", "verb", "object"])
def test_required_properties(missing):
    rejects(statement(**{missing: None}), f"statement.{missing}: is required")


def test_null_values_rejected_except_in_extensions():
    stmt = statement(actor={"name": None, "mbox": "mailto:a@unmic.example"})
    rejects(stmt, "statement.actor.name: must not be null")
    stmt = statement(verb={"id": iris.COMPLETED, "display": {"en-US": None}})
    rejects(stmt, "statement.verb.display.en-US: must be a string")
    stmt = statement(result={"extensions": {"http://example.com/null": None}})
    validate_statement(stmt)


@pytest.mark.parametrize(
    ("result", "path"),
    [
        ({"score": {"max": "100"}}, "result.score.max: must be a number"),
        ({"success": "false"}, "result.success: must be a boolean"),
        ({"completion": 1}, "result.completion: must be a boolean"),
        ({"score": {"raw": True}}, "result.score.raw: must be a number"),
        ({"response": 5}, "result.response: must be a string"),
    ],
)
def test_wrong_data_types(result, path):
    rejects(statement(result=result), path)


def test_duplicate_json_keys_rejected():
    with pytest.raises(XAPIValidationError, match="more than once"):
        loads('{"id": "a", "id": "b"}')
    with pytest.raises(XAPIValidationError, match="not valid JSON"):
        loads("{nope")
    with pytest.raises(XAPIValidationError, match="NaN"):
        loads('{"a": NaN}')


# --- 2.4.1 id -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        12345,
        {"key": "x"},
        "AA97B177-9383-4934-8543-0F91A7A028368",
        "MA97B177-9383-4934-8543-0F91A7A02836",
        "",
    ],
)
def test_id_must_be_uuid(bad):
    rejects(statement(id=bad), "statement.id: must be a UUID")


# --- 2.4.2 actor ------------------------------------------------------------------------------


def test_agent_needs_exactly_one_ifi():
    two = {"mbox": "mailto:a@unmic.example", "openid": "http://openid.example/a"}
    rejects(statement(actor=two), "exactly one inverse functional identifier")
    rejects(statement(actor={"name": "No id"}), "exactly one inverse functional identifier")


@pytest.mark.parametrize(
    ("actor", "message"),
    [
        ({"mbox": "a@unmic.example"}, "statement.actor.mbox: must be a mailto IRI"),
        ({"mbox_sha1sum": "xyz"}, "statement.actor.mbox_sha1sum"),
        ({"openid": "not a uri"}, "statement.actor.openid: must be a URI"),
        ({"account": {"homePage": "unmic"}}, "statement.actor.account.name: is required"),
        (
            {"account": {"homePage": "https://x.example", "name": {"k": 1}}},
            "account.name: must be a string",
        ),
        ({"account": {"homePage": "nohost", "name": "n"}}, "account.homePage: must be an IRL"),
        ({"objectType": "agent", "mbox": "mailto:a@unmic.example"}, 'must be "Agent"'),
    ],
)
def test_agent_ifi_formats(actor, message):
    rejects(statement(actor=actor), message)


def test_groups():
    anonymous = {"objectType": "Group", "member": [mbox_agent()]}
    validate_statement(statement(actor=anonymous))
    rejects(statement(actor={"objectType": "Group"}), "anonymous Group must list its members")
    nested = {"objectType": "Group", "member": [{"objectType": "Group", "member": []}]}
    rejects(statement(actor=nested), "members must be Agents")
    identified = {"objectType": "Group", "mbox": "mailto:platoon@unmic.example"}
    validate_statement(statement(actor=identified))
    both = dict(identified, openid="http://openid.example/p")
    rejects(statement(actor=both), "more than one inverse functional identifier")


# --- 2.4.3 verb ---------------------------------------------------------------------------------


def test_verb_rules():
    rejects(statement(verb={"display": {"en-US": "did"}}), "statement.verb.id: is required")
    rejects(statement(verb={"id": "completed"}), "statement.verb.id: must be an IRI")
    rejects(
        statement(verb={"id": iris.COMPLETED, "display": {"de-419-DE": "x"}}),
        "RFC 5646 language tag",
    )
    rejects(statement(verb={"id": iris.COMPLETED, "display": "completed"}), "language map")


@pytest.mark.parametrize(
    ("tag", "valid"),
    [
        ("fr-CA", True),
        ("zh-Hant-TW", True),
        ("sl-rozaj-biske", True),
        ("en-a-bbb-x-a-ccc", True),
        ("i-klingon", True),
        # RFC 5646 2.2.5 / 2.2.6: a variant or an extension singleton appears at most once.
        ("ar-a-aaa-b-bbb-a-ccc", False),
        ("zh-z-aaa-z-bbb-c-ccc", False),
        ("de-DE-1901-1901", False),
        ("sl-Rozaj-rozaj", False),
    ],
)
def test_language_tags(tag, valid):
    stmt = statement(verb={"id": iris.COMPLETED, "display": {tag: "completed"}})
    if valid:
        validate_statement(stmt)
    else:
        rejects(stmt, "RFC 5646 language tag")


# --- 2.4.4 object --------------------------------------------------------------------------------


def test_activity_rules():
    rejects(statement(object={"objectType": "Activity"}), "statement.object.id: is required")
    rejects(statement(object={"id": "lesson-1"}), "statement.object.id: must be an IRI")
    rejects(statement(object={"id": "https://x.example/a\x00b"}), "must be an IRI")
    rejects(statement(object=activity(moreInfo=None)), "moreInfo: must not be null")
    rejects(statement(object={"objectType": "activity", "id": "http://x.example/a"}), "must be")


@pytest.mark.parametrize("typo", ["true-faLse", "choiCe", "Other", {"test": "value"}, ["choice"]])
def test_interaction_type_is_case_sensitive(typo):
    rejects(statement(object=activity(interactionType=typo)), "interactionType: must be one of")


def test_interaction_components_match_their_type():
    choices = [{"id": "a", "description": {"en-US": "Report"}}, {"id": "b"}]
    validate_statement(statement(object=activity(interactionType="choice", choices=choices)))
    rejects(statement(object=activity(choices=choices)), "choices: requires an interactionType")
    rejects(
        statement(object=activity(interactionType="likert", choices=choices)),
        'not an interaction component of the "likert"',
    )
    dup = [{"id": "a"}, {"id": "a"}]
    rejects(statement(object=activity(interactionType="choice", choices=dup)), "distinct")
    rejects(
        statement(object=activity(interactionType="choice", correctResponsesPattern="a")),
        "array of strings",
    )


def test_agent_and_group_objects_need_object_type():
    validate_statement(statement(object=mbox_agent()))
    rejects(
        statement(object={"mbox": "mailto:a@unmic.example"}),
        "statement.object.mbox: is not a property",
    )
    bad = {"objectType": "Agent", "mbox": "mailto:a@unmic.example", "member": []}
    rejects(statement(object=bad), "statement.object.member: is not a property allowed here")


def test_statement_ref_and_voiding():
    ref = {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}
    validate_statement(statement(object=ref))
    rejects(
        statement(object={"objectType": "StatementRef", "id": "x"}), "object.id: must be a UUID"
    )
    voiding = statement(verb={"id": iris.VOIDED}, object=activity())
    rejects(voiding, "voiding statement's object must be a StatementRef")
    validate_statement(statement(verb={"id": iris.VOIDED}, object=ref))


def test_substatement_rules():
    sub = {
        "objectType": "SubStatement",
        "actor": agent(),
        "verb": {"id": iris.ATTEMPTED},
        "object": activity(),
        "timestamp": "2026-03-02T08:15:30Z",
    }
    validate_statement(statement(object=sub))
    for key, value in (
        ("id", "8f87ccde-bb56-4c2e-ab83-44982ef22df0"),
        ("stored", "x"),
        ("version", "1.0.0"),
    ):
        rejects(statement(object=dict(sub, **{key: value})), "must not be used in a SubStatement")
    nested = dict(sub, object=dict(sub))
    rejects(statement(object=nested), "must not contain a SubStatement")
    rejects(statement(object=dict(sub, timestamp="should fail")), "object.timestamp")


# --- 2.4.5 result -------------------------------------------------------------------------------


def test_score_rules():
    validate_statement(statement(result={"score": {"scaled": 0.8, "raw": 8, "min": 0, "max": 10}}))
    rejects(statement(result={"score": {"scaled": 1.5}}), "between -1 and 1")
    rejects(statement(result={"score": {"raw": 11, "max": 10}}), "greater than max")
    rejects(statement(result={"score": {"raw": -1, "min": 0}}), "less than min")
    rejects(statement(result={"score": {"min": 10, "max": 10}}), "greater than min")


@pytest.mark.parametrize(
    "good", ["PT1H0M0.1S", "PT4H35M59.14S", "PT16559.14S", "P3Y1M29DT4H35M59.14S", "P3Y", "P4W"]
)
def test_valid_durations(good):
    validate_statement(statement(result={"duration": good}))


@pytest.mark.parametrize("bad", ["PA1H0M0S", "should fail", 12345, "P", "PT", "P1DT"])
def test_invalid_durations(bad):
    rejects(statement(result={"duration": bad}), "result.duration")


# --- 2.4.6 context --------------------------------------------------------------------------------


def test_context_rules():
    parent = {"parent": activity("https://training.unmic.example/xapi/activities/course/cptm")}
    validate_statement(statement(context={"contextActivities": parent, "language": "fr-CA"}))
    many = {"category": [activity(iris.CMI5_CATEGORY)], "other": []}
    validate_statement(statement(context={"contextActivities": many}))
    rejects(statement(context={"registration": "x"}), "context.registration: must be a UUID")
    rejects(statement(context={"team": mbox_agent()}), "context.team: must be a Group")
    rejects(statement(context={"contextActivities": {"child": []}}), "contextActivities.child")
    rejects(statement(context={"contextActivities": {}}), "context.contextActivities: must name")
    rejects(statement(context={"language": "not a tag!"}), "context.language")
    agent_object = statement(object=mbox_agent(), context={"revision": "2"})
    rejects(
        agent_object,
        "context.revision: must only be used when the statement's object is an Activity",
    )
    rejects(statement(object=mbox_agent(), context={"platform": "x"}), "context.platform")
    rejects(statement(context={"contextAgents": []}), "is not a property allowed here")


def test_context_agents_in_2_0():
    ctx = {
        "contextAgents": [
            {
                "objectType": "contextAgent",
                "agent": agent("trainer-3"),
                "relevantTypes": [iris.LESSON],
            }
        ],
        "contextGroups": [
            {"objectType": "contextGroup", "group": {"objectType": "Group", "member": [agent()]}}
        ],
    }
    validate_statement(statement(context=ctx), "2.0.0")
    bad = {"contextAgents": [{"objectType": "Agent", "agent": agent()}]}
    rejects(statement(context=bad), 'must be "contextAgent"', "2.0.0")
    bad = {"contextAgents": [{"objectType": "contextAgent", "agent": agent(), "relevantTypes": []}]}
    rejects(statement(context=bad), "relevantTypes", "2.0.0")


# --- 2.4.7 timestamps (and 4.5) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "should fail",
        "01/011/2015",
        "2008-09-15T15:53:00.601-00",
        "2008-09-15T15:53:00.601-0000",
        "2008-09-15T15:53:00.601-00:00",
        "2008-13-15T15:53:00Z",
        "2008-09-15",
    ],
)
def test_invalid_timestamps(bad):
    rejects(statement(timestamp=bad), "statement.timestamp: must be an ISO 8601 date-time")


@pytest.mark.parametrize(
    ("bad", "hint"),
    [
        ("2008-09-15T15:53:00.601-00:00", 'the offsets "-00", "-0000" and "-00:00"'),
        ("2008-09-15 15:53:00.601+00:00", 'a capital "T" separates the date and the time'),
    ],
)
def test_timestamp_errors_say_what_is_wrong(bad, hint):
    rejects(statement(timestamp=bad), hint)
    plain = rejects(statement(timestamp="should fail"), "must be an ISO 8601 date-time")
    assert "offsets" not in plain and '"T"' not in plain


def test_timestamp_offset_required_in_2_0():
    validate_statement(statement(timestamp="2026-03-02T08:15:30"))
    rejects(statement(timestamp="2026-03-02T08:15:30"), "time zone offset", "2.0.0")
    validate_statement(statement(timestamp="2026-03-02T08:15:30+03:00"), "2.0.0")


def test_timestamp_parsing():
    parsed = formats.parse_timestamp("2026-03-02T10:15:30.123456+02:00")
    assert parsed == dt.datetime(2026, 3, 2, 8, 15, 30, 123456, tzinfo=dt.UTC)
    assert formats.parse_timestamp("20260302T101530Z") is not None
    assert formats.format_timestamp(parsed) == "2026-03-02T08:15:30.123Z"


# --- 2.4.9 authority, 2.4.10 version, 2.4.11 attachments ------------------------------------------


def test_authority_group_must_have_two_members():
    pair = {"objectType": "Group", "member": [mbox_agent("a@unmic.example"), agent()]}
    validate_statement(statement(authority=pair))
    rejects(statement(authority=dict(pair, member=[agent()])), "exactly two Agents")
    # Identified Groups cannot be an authority, whichever identifier they carry.
    for ifi in ({"mbox": "mailto:cell@unmic.example"}, {"mbox_sha1sum": "a" * 40}):
        rejects(statement(authority=dict(pair, **ifi)), "exactly two Agents")


@pytest.mark.parametrize("good", ["1.0", "1.0.0", "1.0.3", "1.0.9"])
def test_valid_versions(good):
    validate_statement(statement(version=good))


@pytest.mark.parametrize("bad", ["should fail", "0.9.9", "1.1.0", "2.0.0", 1.0])
def test_invalid_versions(bad):
    rejects(statement(version=bad), "statement.version")


def test_version_2_allowed_for_2_0_requests():
    validate_statement(statement(version="2.0.0"), "2.0.0")


ATTACHMENT = {
    "usageType": "http://example.com/attachment-usage/test",
    "display": {"en-US": "After-action review notes"},
    "contentType": "text/plain; charset=ascii",
    "length": 27,
    "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
}


def test_attachment_rules():
    validate_statement(statement(attachments=[ATTACHMENT]))
    for key in ("usageType", "display", "contentType", "length", "sha2"):
        missing = {k: v for k, v in ATTACHMENT.items() if k != key}
        rejects(statement(attachments=[missing]), f"attachments[0].{key}: is required")
    rejects(statement(attachments=[dict(ATTACHMENT, length="27")]), "non-negative integer")
    rejects(statement(attachments=[dict(ATTACHMENT, sha2="abc")]), "sha2")
    rejects(statement(attachments=[dict(ATTACHMENT, fileUrl="no scheme")]), "fileUrl")
    signature = dict(ATTACHMENT, usageType=iris.SIGNATURE_USAGE_TYPE)
    rejects(statement(attachments=[signature]), "application/octet-stream")


def test_extension_keys_must_be_iris():
    rejects(statement(result={"extensions": {"score": 1}}), "extension keys must be IRIs")


# --- lists, LRS-assigned properties -----------------------------------------------------------------


def test_batch_rules():
    one = statement()
    assert validate_statements(one) == [one]
    with pytest.raises(XAPIValidationError, match="must not be empty"):
        validate_statements([])
    with pytest.raises(XAPIValidationError, match=r"statements\[1\]\.actor"):
        validate_statements([statement(), statement(actor=None)])
    with pytest.raises(XAPIValidationError, match="same id is used twice"):
        validate_statements([one, dict(one)])


def test_prepare_statement_assigns_lrs_properties():
    stmt = statement(id=None, timestamp=None, stored="2000-01-01T00:00:00Z")
    now = dt.datetime(2026, 3, 2, 9, 0, 0, 123000, tzinfo=dt.UTC)
    prepared = prepare_statement(stmt, AUTHORITY, "1.0.3", now=now)
    assert formats.is_uuid(prepared["id"])
    assert prepared["stored"] == "2026-03-02T09:00:00.123Z"
    assert prepared["timestamp"] == prepared["stored"]
    assert prepared["authority"] == AUTHORITY
    assert prepared["version"] == "1.0.0"
    kept = prepare_statement(statement(version="1.0.3"), AUTHORITY, "2.0.0", now=now)
    assert kept["version"] == "1.0.3"
    assert prepare_statement(statement(), AUTHORITY, "2.0.0", now=now)["version"] == "2.0.0"


def test_prepare_statement_validates_first():
    with pytest.raises(XAPIValidationError):
        prepare_statement(statement(actor=None), AUTHORITY, "1.0.3")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("1.0.3", "1.0.3"),
        ("1.0", "1.0.3"),
        ("1.0.1", "1.0.3"),
        ("2.0.0", "2.0.0"),
        ("0.95", None),
        ("1.1", None),
        ("", None),
    ],
)
def test_version_header(header, expected):
    assert parse_version_header(header) == expected


def test_platform_activity_ids():
    assert iris.activity_id("lesson", "poc-101") == (
        "https://training.unmic.example/xapi/activities/lesson/poc-101"
    )
    assert iris.activity_id("scenario", "s1", base="https://kit.local/") == (
        "https://kit.local/xapi/activities/scenario/s1"
    )
    with pytest.raises(ValueError, match="unknown activity kind"):
        iris.activity_id("banana", "1")
    assert iris.verb(iris.PASSED) == {"id": iris.PASSED, "display": {"en-US": "passed"}}


def test_indexed_identifiers_have_a_length_limit():
    long_iri = "https://training.unmic.example/" + "a" * 900
    rejects(statement(object=activity(long_iri)), "statement.object.id: must be at most 800 bytes")
    rejects(statement(verb={"id": long_iri}), "statement.verb.id: must be at most 800 bytes")
    rejects(statement(actor={"openid": long_iri}), "statement.actor.openid: must be at most")
    # Multi-byte characters count in bytes: 300 Arabic letters are 600 bytes, accepted.
    validate_statement(statement(object=activity("https://training.unmic.example/" + "ب" * 300)))
