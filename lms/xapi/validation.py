"""Validation of xAPI statements (xAPI 1.0.3 and IEEE 9274.1.1 / xAPI 2.0).

One module that every statement passes through, whether it comes over HTTP or is produced by the
platform itself (courses, scenarios). Pure Python: no Flask, no SQLAlchemy. Each check raises
:class:`XAPIValidationError` with a message that names the property path and the rule, e.g.
``statement.actor.mbox: must be a mailto IRI``.

Section references are to the xAPI 1.0.3 specification, part two (Data), unless noted.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping

from . import formats, iris

VERSION_1 = "1.0.3"
VERSION_2 = "2.0.0"
SUPPORTED_VERSIONS = ("1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0")

INTERACTION_TYPES = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
# Identifiers the LRS indexes (verb and activity ids, agent identifiers, document ids) are limited
# to this many UTF-8 bytes, so that every index entry fits a database index page.
MAX_KEY_BYTES = 800
CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")


class XAPIValidationError(ValueError):
    """A statement (or a value in a request) breaks a rule of the specification."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_v2(version: str | None) -> bool:
    return bool(version) and str(version).startswith("2.")


def parse_version_header(value: str | None) -> str | None:
    """Return the normalised version for an X-Experience-API-Version header value, or None."""
    if not value:
        return None
    value = value.strip()
    if value in ("1.0", "1.0.0", "1.0.1", "1.0.2", "1.0.3") or (
        value.startswith("1.0.") and value[4:].isdigit()
    ):
        return VERSION_1
    if value in ("2.0", "2.0.0") or (value.startswith("2.0.") and value[4:].isdigit()):
        return VERSION_2
    return None


# --- JSON ------------------------------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise XAPIValidationError(f"{key}: a property appears more than once (Data 2.2)")
            seen.add(key)
    return result


def _no_constants(name: str) -> float:
    raise XAPIValidationError(f"{name} is not a valid JSON number")


def loads(text: str | bytes, *, nul_ok: bool = False) -> object:
    """Parse JSON strictly: duplicate keys, NaN and Infinity are errors, and so (unless
    ``nul_ok``) is a NUL character in a string: PostgreSQL cannot keep one in a text column."""
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except XAPIValidationError:
        raise
    except (ValueError, RecursionError) as exc:
        raise XAPIValidationError(f"the body is not valid JSON: {exc}") from None
    if not nul_ok and ("\\u0000" if isinstance(text, str) else b"\\u0000") in text:
        path = _nul_path(value, "body")
        if path is not None:
            raise XAPIValidationError(
                f"{path}: contains the NUL character (\\u0000), which is not allowed"
            )
    return value


def _nul_path(value: object, path: str) -> str | None:
    """The path of the first string (or key) holding a NUL character, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                return f"{path}.{key!r}"
            found = _nul_path(item, f"{path}.{key}")
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


# --- checks ----------------------------------------------------------------------------------


class _Checker:
    def __init__(self, version: str):
        self.version = version
        self.v2 = is_v2(version)

    # -- generic -----------------------------------------------------------------------------

    def fail(self, path: str, rule: str) -> None:
        raise XAPIValidationError(f"{path}: {rule}")

    def object(self, value: object, path: str, allowed: tuple[str, ...], required=()) -> dict:
        if not isinstance(value, dict):
            self.fail(path, "must be a JSON object")
        for key in value:
            if key not in allowed:
                self.fail(f"{path}.{key}", "is not a property allowed here (Data 2.2)")
            if value[key] is None:
                self.fail(f"{path}.{key}", "must not be null (Data 2.2)")
        for key in required:
            if key not in value:
                self.fail(f"{path}.{key}", "is required")
        return value

    def string(self, value: object, path: str) -> None:
        if not isinstance(value, str):
            self.fail(path, "must be a string")

    def key_length(self, value: str, path: str) -> None:
        if len(value) > MAX_KEY_BYTES // 4 and len(value.encode("utf-8")) > MAX_KEY_BYTES:
            self.fail(path, f"must be at most {MAX_KEY_BYTES} bytes long (a limit of this LRS)")

    def iri(self, value: object, path: str) -> None:
        if not formats.is_iri(value):
            self.fail(path, "must be an IRI with a scheme (Data 4.1)")

    def uuid(self, value: object, path: str) -> None:
        if not formats.is_uuid(value):
            self.fail(path, "must be a UUID (Data 2.4.1)")

    def boolean(self, value: object, path: str) -> None:
        if not isinstance(value, bool):
            self.fail(path, "must be a boolean")

    def number(self, value: object, path: str) -> None:
        if not formats.is_number(value):
            self.fail(path, "must be a number")

    def language_map(self, value: object, path: str) -> None:
        if not isinstance(value, dict):
            self.fail(path, "must be a language map (Data 4.2)")
        for tag, text in value.items():
            if not formats.is_language_tag(tag):
                self.fail(f"{path}.{tag}", "the key must be an RFC 5646 language tag (Data 4.2)")
            if not isinstance(text, str):
                self.fail(f"{path}.{tag}", "must be a string (Data 4.2)")

    def extensions(self, value: object, path: str) -> None:
        if not isinstance(value, dict):
            self.fail(path, "must be an object whose keys are IRIs (Data 4.1)")
        for key in value:
            if not formats.is_iri(key):
                self.fail(f"{path}.{key}", "extension keys must be IRIs (Data 4.1)")

    def timestamp(self, value: object, path: str) -> None:
        if formats.parse_timestamp(value, require_offset=self.v2) is None:
            rule = "must be an ISO 8601 date-time"
            if self.v2:
                rule = "must be an RFC 3339 date-time with a time zone offset (IEEE 9274.1.1)"
            if isinstance(value, str) and value.endswith(("-00", "-0000", "-00:00")):
                rule += '; the offsets "-00", "-0000" and "-00:00" are not allowed'
            elif isinstance(value, str) and len(value) > 10 and value[10] in " t":
                rule += '; a capital "T" separates the date and the time'
            self.fail(path, rule)

    # -- actors (Data 2.4.2) -----------------------------------------------------------------

    def ifis(self, value: dict, path: str) -> int:
        count = 0
        if "mbox" in value:
            count += 1
            if not formats.is_mailto(value["mbox"]):
                self.fail(f"{path}.mbox", 'must be a mailto IRI ("mailto:name@example.org")')
        if "mbox_sha1sum" in value:
            count += 1
            if not formats.is_sha1(value["mbox_sha1sum"]):
                self.fail(f"{path}.mbox_sha1sum", "must be the hex SHA1 of a mailto IRI")
        if "openid" in value:
            count += 1
            if not formats.is_iri(value["openid"]):
                self.fail(f"{path}.openid", "must be a URI")
        if "account" in value:
            count += 1
            account = self.object(
                value["account"], f"{path}.account", ("homePage", "name"), ("homePage", "name")
            )
            if not formats.is_iri(account["homePage"]):
                self.fail(f"{path}.account.homePage", "must be an IRL")
            self.string(account["name"], f"{path}.account.name")
            self.key_length(account["homePage"] + account["name"], f"{path}.account")
        for ifi in ("mbox", "mbox_sha1sum", "openid"):
            if ifi in value:
                self.key_length(value[ifi], f"{path}.{ifi}")
        return count

    def agent(self, value: object, path: str, object_type_required: bool = False) -> None:
        agent = self.object(
            value, path, ("objectType", "name", "mbox", "mbox_sha1sum", "openid", "account")
        )
        if "objectType" in agent and agent["objectType"] != "Agent":
            self.fail(f"{path}.objectType", 'must be "Agent"')
        if object_type_required and "objectType" not in agent:
            self.fail(f"{path}.objectType", 'is required ("Agent") here')
        if "name" in agent:
            self.string(agent["name"], f"{path}.name")
        if self.ifis(agent, path) != 1:
            self.fail(
                path,
                "an Agent must have exactly one inverse functional identifier "
                "(mbox, mbox_sha1sum, openid or account) (Data 2.4.2.1)",
            )

    def group(self, value: object, path: str) -> None:
        group = self.object(
            value,
            path,
            ("objectType", "name", "member", "mbox", "mbox_sha1sum", "openid", "account"),
        )
        if group.get("objectType") != "Group":
            self.fail(f"{path}.objectType", 'must be "Group"')
        if "name" in group:
            self.string(group["name"], f"{path}.name")
        count = self.ifis(group, path)
        if count > 1:
            self.fail(path, "a Group must not have more than one inverse functional identifier")
        if count == 0 and "member" not in group:
            self.fail(f"{path}.member", "an anonymous Group must list its members (Data 2.4.2.2)")
        if "member" in group:
            members = group["member"]
            if not isinstance(members, list):
                self.fail(f"{path}.member", "must be an array of Agents")
            for index, member in enumerate(members):
                member_path = f"{path}.member[{index}]"
                if isinstance(member, dict) and member.get("objectType") == "Group":
                    self.fail(member_path, "a Group's members must be Agents, not Groups")
                self.agent(member, member_path)

    def actor(self, value: object, path: str, object_type_required: bool = False) -> None:
        if isinstance(value, dict) and value.get("objectType") == "Group":
            self.group(value, path)
        else:
            self.agent(value, path, object_type_required)

    # -- verb (Data 2.4.3) -------------------------------------------------------------------

    def verb(self, value: object, path: str) -> None:
        verb = self.object(value, path, ("id", "display"), ("id",))
        self.iri(verb["id"], f"{path}.id")
        self.key_length(verb["id"], f"{path}.id")
        if "display" in verb:
            self.language_map(verb["display"], f"{path}.display")

    # -- objects (Data 2.4.4) ----------------------------------------------------------------

    def activity(self, value: object, path: str) -> None:
        activity = self.object(value, path, ("objectType", "id", "definition"), ("id",))
        if "objectType" in activity and activity["objectType"] != "Activity":
            self.fail(f"{path}.objectType", 'must be "Activity"')
        self.iri(activity["id"], f"{path}.id")
        self.key_length(activity["id"], f"{path}.id")
        if "definition" in activity:
            self.definition(activity["definition"], f"{path}.definition")

    def definition(self, value: object, path: str) -> None:
        allowed = (
            "name",
            "description",
            "type",
            "moreInfo",
            "extensions",
            "interactionType",
            "correctResponsesPattern",
            *COMPONENT_LISTS,
        )
        definition = self.object(value, path, allowed)
        for key in ("name", "description"):
            if key in definition:
                self.language_map(definition[key], f"{path}.{key}")
        for key in ("type", "moreInfo"):
            if key in definition:
                self.iri(definition[key], f"{path}.{key}")
        if "extensions" in definition:
            self.extensions(definition["extensions"], f"{path}.extensions")
        interaction_type = definition.get("interactionType")
        if interaction_type is not None and (
            not isinstance(interaction_type, str) or interaction_type not in INTERACTION_TYPES
        ):
            self.fail(
                f"{path}.interactionType",
                "must be one of " + ", ".join(INTERACTION_TYPES) + " (Data 2.4.4.1)",
            )
        if "correctResponsesPattern" in definition:
            if interaction_type is None:
                self.fail(
                    f"{path}.correctResponsesPattern", "requires an interactionType (Data 2.4.4.1)"
                )
            pattern = definition["correctResponsesPattern"]
            if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
                self.fail(f"{path}.correctResponsesPattern", "must be an array of strings")
        for key in COMPONENT_LISTS:
            if key not in definition:
                continue
            if interaction_type is None:
                self.fail(f"{path}.{key}", "requires an interactionType (Data 2.4.4.1)")
            if key not in INTERACTION_TYPES[interaction_type]:
                self.fail(
                    f"{path}.{key}",
                    f'is not an interaction component of the "{interaction_type}" '
                    "interaction type (Data 2.4.4.1)",
                )
            self.components(definition[key], f"{path}.{key}")

    def components(self, value: object, path: str) -> None:
        if not isinstance(value, list):
            self.fail(path, "must be an array of interaction components")
        seen = set()
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            component = self.object(item, item_path, ("id", "description"), ("id",))
            if not isinstance(component["id"], str) or not component["id"]:
                self.fail(f"{item_path}.id", "must be a non-empty string")
            if component["id"] in seen:
                self.fail(f"{item_path}.id", "interaction component ids must be distinct")
            seen.add(component["id"])
            if "description" in component:
                self.language_map(component["description"], f"{item_path}.description")

    def statement_ref(self, value: object, path: str) -> None:
        ref = self.object(value, path, ("objectType", "id"), ("objectType", "id"))
        if ref["objectType"] != "StatementRef":
            self.fail(f"{path}.objectType", 'must be "StatementRef"')
        self.uuid(ref["id"], f"{path}.id")

    def statement_object(self, value: object, path: str, in_substatement: bool = False) -> None:
        if not isinstance(value, dict):
            self.fail(path, "must be a JSON object")
        object_type = value.get("objectType", "Activity")
        if object_type == "Activity":
            self.activity(value, path)
        elif object_type in ("Agent", "Group"):
            self.actor(value, path, object_type_required=True)
        elif object_type == "StatementRef":
            self.statement_ref(value, path)
        elif object_type == "SubStatement":
            if in_substatement:
                self.fail(f"{path}.objectType", "a SubStatement must not contain a SubStatement")
            self.substatement(value, path)
        else:
            self.fail(
                f"{path}.objectType",
                "must be Activity, Agent, Group, StatementRef or SubStatement",
            )

    def substatement(self, value: dict, path: str) -> None:
        allowed = (
            "objectType",
            "actor",
            "verb",
            "object",
            "result",
            "context",
            "timestamp",
            "attachments",
        )
        for key in ("id", "stored", "version", "authority"):
            if key in value:
                self.fail(f"{path}.{key}", "must not be used in a SubStatement (Data 2.4.4.3)")
        self.object(value, path, allowed, ("actor", "verb", "object"))
        self.body(value, path, in_substatement=True)

    # -- result, context (Data 2.4.5, 2.4.6) --------------------------------------------------

    def result(self, value: object, path: str) -> None:
        allowed = ("score", "success", "completion", "response", "duration", "extensions")
        result = self.object(value, path, allowed)
        if "score" in result:
            self.score(result["score"], f"{path}.score")
        for key in ("success", "completion"):
            if key in result:
                self.boolean(result[key], f"{path}.{key}")
        if "response" in result:
            self.string(result["response"], f"{path}.response")
        if "duration" in result and not formats.is_duration(result["duration"]):
            self.fail(f"{path}.duration", "must be an ISO 8601 duration (Data 4.6)")
        if "extensions" in result:
            self.extensions(result["extensions"], f"{path}.extensions")

    def score(self, value: object, path: str) -> None:
        score = self.object(value, path, ("scaled", "raw", "min", "max"))
        for key in score:
            self.number(score[key], f"{path}.{key}")
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            self.fail(f"{path}.scaled", "must be between -1 and 1 (Data 2.4.5.1)")
        low, high = score.get("min"), score.get("max")
        if low is not None and high is not None and not low < high:
            self.fail(f"{path}.max", "must be greater than min (Data 2.4.5.1)")
        if "raw" in score:
            if low is not None and score["raw"] < low:
                self.fail(f"{path}.raw", "must not be less than min (Data 2.4.5.1)")
            if high is not None and score["raw"] > high:
                self.fail(f"{path}.raw", "must not be greater than max (Data 2.4.5.1)")

    def context(self, value: object, path: str, object_is_activity: bool) -> None:
        allowed = [
            "registration",
            "instructor",
            "team",
            "contextActivities",
            "revision",
            "platform",
            "language",
            "statement",
            "extensions",
        ]
        if self.v2:
            allowed += ["contextAgents", "contextGroups"]
        context = self.object(value, path, tuple(allowed))
        if "registration" in context:
            self.uuid(context["registration"], f"{path}.registration")
        if "instructor" in context:
            self.actor(context["instructor"], f"{path}.instructor")
        if "team" in context:
            team = context["team"]
            if not isinstance(team, dict) or team.get("objectType") != "Group":
                self.fail(f"{path}.team", 'must be a Group (objectType "Group") (Data 2.4.6)')
            self.group(team, f"{path}.team")
        if "contextActivities" in context:
            self.context_activities(context["contextActivities"], f"{path}.contextActivities")
        for key in ("revision", "platform"):
            if key in context:
                self.string(context[key], f"{path}.{key}")
                if not object_is_activity:
                    self.fail(
                        f"{path}.{key}",
                        "must only be used when the statement's object is an Activity (Data 2.4.6)",
                    )
        if "language" in context and not formats.is_language_tag(context["language"]):
            self.fail(f"{path}.language", "must be an RFC 5646 language tag")
        if "statement" in context:
            self.statement_ref(context["statement"], f"{path}.statement")
        if "extensions" in context:
            self.extensions(context["extensions"], f"{path}.extensions")
        if "contextAgents" in context:
            self.context_members(context["contextAgents"], f"{path}.contextAgents", "Agent")
        if "contextGroups" in context:
            self.context_members(context["contextGroups"], f"{path}.contextGroups", "Group")

    def context_activities(self, value: object, path: str) -> None:
        activities = self.object(value, path, CONTEXT_ACTIVITY_KEYS)
        if not activities:
            self.fail(path, "must name at least one of parent, grouping, category or other")
        for key, entry in activities.items():
            entries = entry if isinstance(entry, list) else [entry]
            for index, activity in enumerate(entries):
                item_path = f"{path}.{key}[{index}]" if isinstance(entry, list) else f"{path}.{key}"
                self.activity(activity, item_path)

    def context_members(self, value: object, path: str, kind: str) -> None:
        """contextAgents / contextGroups (IEEE 9274.1.1, 2.4.6)."""
        if not isinstance(value, list) or not value:
            self.fail(path, "must be a non-empty array")
        object_type = "contextAgent" if kind == "Agent" else "contextGroup"
        key = kind.lower()
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            member = self.object(
                item, item_path, ("objectType", key, "relevantTypes"), ("objectType", key)
            )
            if member["objectType"] != object_type:
                self.fail(f"{item_path}.objectType", f'must be "{object_type}"')
            if kind == "Agent":
                self.agent(member[key], f"{item_path}.{key}")
            else:
                self.group(member[key], f"{item_path}.{key}")
            if "relevantTypes" in member:
                types = member["relevantTypes"]
                if not isinstance(types, list) or not types:
                    self.fail(f"{item_path}.relevantTypes", "must be a non-empty array of IRIs")
                for type_index, type_iri in enumerate(types):
                    self.iri(type_iri, f"{item_path}.relevantTypes[{type_index}]")

    # -- attachments (Data 2.4.11) -----------------------------------------------------------

    def attachments(self, value: object, path: str) -> None:
        if not isinstance(value, list):
            self.fail(path, "must be an array of attachment objects")
        allowed = (
            "usageType",
            "display",
            "description",
            "contentType",
            "length",
            "sha2",
            "fileUrl",
        )
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            attachment = self.object(
                item, item_path, allowed, ("usageType", "display", "contentType", "length", "sha2")
            )
            self.iri(attachment["usageType"], f"{item_path}.usageType")
            self.language_map(attachment["display"], f"{item_path}.display")
            if "description" in attachment:
                self.language_map(attachment["description"], f"{item_path}.description")
            if not formats.is_media_type(attachment["contentType"]):
                self.fail(f"{item_path}.contentType", "must be an Internet media type")
            length = attachment["length"]
            if not isinstance(length, int) or isinstance(length, bool) or length < 0:
                self.fail(f"{item_path}.length", "must be a non-negative integer")
            if not formats.is_sha2(attachment["sha2"]):
                self.fail(f"{item_path}.sha2", "must be the hex SHA-2 hash of the attachment")
            if "fileUrl" in attachment:
                self.iri(attachment["fileUrl"], f"{item_path}.fileUrl")
            if attachment["usageType"] == iris.SIGNATURE_USAGE_TYPE and (
                attachment["contentType"].split(";")[0].strip() != "application/octet-stream"
            ):
                self.fail(
                    f"{item_path}.contentType",
                    'a signature attachment must be "application/octet-stream" (Data 2.6)',
                )

    # -- statements (Data 2.4) ---------------------------------------------------------------

    def body(self, statement: dict, path: str, in_substatement: bool = False) -> None:
        self.actor(statement["actor"], f"{path}.actor")
        self.verb(statement["verb"], f"{path}.verb")
        self.statement_object(statement["object"], f"{path}.object", in_substatement)
        if "result" in statement:
            self.result(statement["result"], f"{path}.result")
        if "context" in statement:
            is_activity = statement["object"].get("objectType", "Activity") == "Activity"
            self.context(statement["context"], f"{path}.context", is_activity)
        if "timestamp" in statement:
            self.timestamp(statement["timestamp"], f"{path}.timestamp")
        if "attachments" in statement:
            self.attachments(statement["attachments"], f"{path}.attachments")
        if statement["verb"]["id"] == iris.VOIDED and (
            statement["object"].get("objectType") != "StatementRef"
        ):
            self.fail(
                f"{path}.object",
                "a voiding statement's object must be a StatementRef (Data 2.3.2)",
            )

    def statement(self, value: object, path: str = "statement") -> None:
        allowed = (
            "id",
            "actor",
            "verb",
            "object",
            "result",
            "context",
            "timestamp",
            "stored",
            "authority",
            "version",
            "attachments",
        )
        statement = self.object(value, path, allowed, ("actor", "verb", "object"))
        if "id" in statement:
            self.uuid(statement["id"], f"{path}.id")
        self.body(statement, path)
        if "stored" in statement:
            self.timestamp(statement["stored"], f"{path}.stored")
        if "authority" in statement:
            self.authority(statement["authority"], f"{path}.authority")
        if "version" in statement:
            self.statement_version(statement["version"], f"{path}.version")

    def authority(self, value: object, path: str) -> None:
        self.actor(value, path)
        if value.get("objectType") == "Group":
            members = value.get("member", [])
            if len(members) != 2 or any(
                ifi in value for ifi in ("mbox", "mbox_sha1sum", "account", "openid")
            ):
                self.fail(
                    path,
                    "a Group authority must be an anonymous Group of exactly two Agents "
                    "(OAuth consumer and user) (Data 2.4.9)",
                )

    def statement_version(self, value: object, path: str) -> None:
        if not isinstance(value, str):
            self.fail(path, "must be a string")
        prefixes = ("1.0",) + (("2.0",) if self.v2 else ())
        for prefix in prefixes:
            rest = value[len(prefix) :]
            if value.startswith(prefix) and (
                rest == "" or (rest[:1] == "." and rest[1:].isdigit())
            ):
                return
        allowed = '"1.0" or "1.0.x"' + (' or "2.0.x"' if self.v2 else "")
        self.fail(path, f"must be {allowed} (Data 2.4.10)")


def validate_statement(obj: object, version: str = VERSION_1) -> None:
    """Check one statement against the specification; raise XAPIValidationError if it breaks a rule."""
    _Checker(version).statement(obj)


def validate_statements(objs: object, version: str = VERSION_1) -> list[dict]:
    """Check a statement or a list of statements (as POSTed); return them as a list."""
    if isinstance(objs, dict):
        validate_statement(objs, version)
        return [objs]
    if not isinstance(objs, list):
        raise XAPIValidationError("statements: must be a statement object or an array of them")
    if not objs:
        raise XAPIValidationError("statements: the array must not be empty")
    checker = _Checker(version)
    seen: set[str] = set()
    for index, obj in enumerate(objs):
        checker.statement(obj, f"statements[{index}]")
        statement_id = obj.get("id")
        if statement_id is not None:
            key = statement_id.lower()
            if key in seen:
                raise XAPIValidationError(
                    f"statements[{index}].id: the same id is used twice in one request"
                )
            seen.add(key)
    return objs


def validate_agent(obj: object, path: str = "agent", version: str = VERSION_1) -> None:
    """Check an Agent or Group given as a query parameter (same rules as in statements)."""
    _Checker(version).actor(obj, path)


def validate_agent_only(obj: object, path: str = "agent", version: str = VERSION_1) -> None:
    """Check an Agent (not a Group), as the document resources require."""
    if isinstance(obj, dict) and obj.get("objectType") == "Group":
        raise XAPIValidationError(f"{path}: must be an Agent, not a Group")
    _Checker(version).agent(obj, path)


def validate_activity_id(value: object, path: str = "activityId") -> None:
    checker = _Checker(VERSION_1)
    checker.iri(value, path)
    checker.key_length(value, path)


def validate_document_id(value: object, path: str) -> None:
    """stateId / profileId: a string of at most MAX_KEY_BYTES bytes."""
    checker = _Checker(VERSION_1)
    checker.string(value, path)
    checker.key_length(value, path)


def validate_uuid(value: object, path: str) -> None:
    _Checker(VERSION_1).uuid(value, path)


def validate_language_map(value: object, path: str) -> None:
    _Checker(VERSION_1).language_map(value, path)


# --- LRS-assigned properties (Data 2.4.1, 2.4.7, 2.4.8, 2.4.9, 2.4.10) ---------------------------


def assign_id(statement: dict) -> str:
    """Data 2.4.1: the LRS assigns a UUID when the statement has no id."""
    if "id" not in statement:
        statement["id"] = str(uuid.uuid4())
    return statement["id"]


def assign_stored(statement: dict, now: dt.datetime) -> None:
    """Data 2.4.8: the LRS sets stored, overwriting any value the client sent."""
    statement["stored"] = formats.format_timestamp(now)


def assign_timestamp(statement: dict, version: str = VERSION_1) -> None:
    """Data 2.4.7: without a timestamp, the LRS sets it to the stored time. IEEE 9274.1.1
    (4.2.7): timestamps with another offset are converted to UTC, in a SubStatement too."""
    if "timestamp" not in statement:
        statement["timestamp"] = statement["stored"]
    if is_v2(version):
        for stmt in (statement, statement.get("object")):
            if isinstance(stmt, dict) and isinstance(stmt.get("timestamp"), str):
                stmt["timestamp"] = formats.utc_timestamp(stmt["timestamp"])


def assign_authority(statement: dict, authority: Mapping) -> None:
    """Data 2.4.9: the authority follows from the credentials of the request."""
    statement["authority"] = dict(authority)


def assign_version(statement: dict, version: str) -> None:
    """Data 2.4.10: without a version, the LRS sets 1.0.0 (2.0.0 for IEEE 9274.1.1 requests)."""
    if "version" not in statement:
        statement["version"] = VERSION_2 if is_v2(version) else "1.0.0"


def normalise_context_activities(statement: dict) -> None:
    """Data 2.4.6.2: single Activity objects in contextActivities are stored (and returned) as
    arrays of one, in the statement and in a SubStatement."""
    for stmt in (statement, statement.get("object") or {}):
        context_activities = (stmt.get("context") or {}).get("contextActivities")
        if isinstance(context_activities, dict):
            for key, value in context_activities.items():
                if isinstance(value, dict):
                    context_activities[key] = [value]


def prepare_statement(
    stmt: dict,
    authority: Mapping,
    version: str = VERSION_1,
    now: dt.datetime | None = None,
) -> dict:
    """Validate a statement and give it the properties the LRS assigns; return it (modified).

    Every statement the platform itself produces goes through here (via store.save_statements).
    """
    validate_statement(stmt, version)
    now = now or dt.datetime.now(dt.UTC)
    assign_id(stmt)
    assign_stored(stmt, now)
    assign_timestamp(stmt, version)
    assign_authority(stmt, authority)
    assign_version(stmt, version)
    normalise_context_activities(stmt)
    return stmt
