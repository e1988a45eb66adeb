"""Index keys for agents and the walk over the agents and activities a statement mentions.

Pure Python (no Flask, no SQLAlchemy), shared by store.py, query.py and documents.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable


def agent_key(agent: dict) -> str | None:
    """The index key of an Agent or identified Group: its inverse functional identifier."""
    if "mbox" in agent:
        return "mbox:" + agent["mbox"]
    if "mbox_sha1sum" in agent:
        return "sha1:" + agent["mbox_sha1sum"].lower()
    if "openid" in agent:
        return "openid:" + agent["openid"]
    if "account" in agent:
        account = agent["account"]
        return f"account:{account['homePage']}|{account['name']}"
    if agent.get("objectType") == "Group" and isinstance(agent.get("member"), list):
        members = sorted(filter(None, (agent_key(m) for m in agent["member"])))
        digest = hashlib.sha1(json.dumps(members).encode(), usedforsecurity=False).hexdigest()
        return "group:" + digest
    return None


def _actor_keys(actor: object) -> list[str]:
    """The actor's own key plus, for a Group, its members' keys (they match too)."""
    if not isinstance(actor, dict):
        return []
    keys = []
    own = agent_key(actor)
    if own:
        keys.append(own)
    if actor.get("objectType") == "Group":
        for member in actor.get("member") or []:
            member_key = agent_key(member) if isinstance(member, dict) else None
            if member_key:
                keys.append(member_key)
    return keys


def statement_agents(statement: dict) -> dict[str, bool]:
    """Agent keys a statement mentions -> True when the agent is its actor or object."""
    found: dict[str, bool] = {}

    def add(actor: object, direct: bool) -> None:
        for key in _actor_keys(actor):
            found[key] = found.get(key, False) or direct

    def walk(stmt: dict, top: bool) -> None:
        add(stmt.get("actor"), top)
        obj = stmt.get("object") or {}
        if obj.get("objectType") in ("Agent", "Group"):
            add(obj, top)
        context = stmt.get("context") or {}
        add(context.get("instructor"), False)
        add(context.get("team"), False)
        for item in context.get("contextAgents") or []:
            add(item.get("agent"), False)
        for item in context.get("contextGroups") or []:
            add(item.get("group"), False)
        if obj.get("objectType") == "SubStatement":
            walk(obj, False)

    walk(statement, True)
    add(statement.get("authority"), False)
    return found


def statement_activities(statement: dict) -> dict[str, bool]:
    """Activity ids a statement mentions -> True when the activity is its object."""
    found: dict[str, bool] = {}

    def add(activity_id: str, direct: bool) -> None:
        found[activity_id] = found.get(activity_id, False) or direct

    def walk(stmt: dict, top: bool) -> None:
        obj = stmt.get("object") or {}
        if obj.get("objectType", "Activity") == "Activity" and "id" in obj:
            add(obj["id"], top)
        context_activities = (stmt.get("context") or {}).get("contextActivities") or {}
        for entry in context_activities.values():
            for activity in entry if isinstance(entry, list) else [entry]:
                add(activity["id"], False)
        if obj.get("objectType") == "SubStatement":
            walk(obj, False)

    walk(statement, True)
    return found


def merged_definitions(statements: Iterable[dict]) -> dict[str, dict]:
    """Activity id -> definition, for every activity the statements carry a definition of;
    where one id comes several times, the later definitions are merged into the earlier."""
    found: dict[str, dict] = {}

    def visit(activity: dict) -> None:
        definition = activity.get("definition")
        if definition:
            previous = found.get(activity["id"])
            found[activity["id"]] = (
                merge_definition(previous, definition) if previous else definition
            )

    def walk(stmt: dict) -> None:
        obj = stmt.get("object") or {}
        if obj.get("objectType", "Activity") == "Activity" and "id" in obj:
            visit(obj)
        context_activities = (stmt.get("context") or {}).get("contextActivities") or {}
        for entry in context_activities.values():
            for activity in entry if isinstance(entry, list) else [entry]:
                visit(activity)
        if obj.get("objectType") == "SubStatement":
            walk(obj)

    for statement in statements:
        walk(statement)
    return found


def merge_definition(old: dict, new: dict) -> dict:
    """Merge a newer activity definition into the stored one (language maps key by key)."""
    merged = dict(old)
    for key, value in new.items():
        if (
            key in ("name", "description")
            and isinstance(merged.get(key), dict)
            or key == "extensions"
            and isinstance(merged.get(key), dict)
        ):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged
