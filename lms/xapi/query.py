"""Statement queries (Communication 2.1.3): parameters, SQL, paging cursors, output formats.

A query reads at most ``limit + 1`` rows through an index in ``stored`` order; a page is returned
as rows of raw JSON text, so the "exact" format never parses a statement. The ``more`` link
carries the query and the position of the last row (an opaque token), so paging is stable while
new statements arrive and uses constant memory.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime as dt
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from . import formats, keys
from .errors import BadRequest
from .models import Statement, StatementActivity, StatementAgent, StatementTerm
from .validation import XAPIValidationError, loads, validate_agent

QUERY_PARAMS = {
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
}
SINGLE_PARAMS = {"statementId", "voidedStatementId", "format", "attachments"}
FORMATS = ("exact", "ids", "canonical")


@dataclass
class StatementQuery:
    agent_key: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: uuid.UUID | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = 0
    ascending: bool = False
    format: str = "exact"
    attachments: bool = False
    # Paging position: (stored, seq) of the last row returned, and the snapshot time.
    cursor: tuple[dt.datetime, int] | None = None
    cutoff: dt.datetime | None = None
    params: dict[str, str] = field(default_factory=dict)


def parse_bool(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name)
    if value is None:
        return False
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadRequest(f'{name}: must be "true" or "false"')


def parse_agent_param(value: str, name: str = "agent") -> dict:
    try:
        agent = loads(value)
        validate_agent(agent, name)
    except XAPIValidationError as exc:
        raise BadRequest(f"{name}: must be an Agent or Group as JSON ({exc.message})") from None
    return agent


def parse_time(params: Mapping[str, str], name: str) -> dt.datetime | None:
    value = params.get(name)
    if value is None:
        return None
    parsed = formats.parse_timestamp(value)
    if parsed is None:
        raise BadRequest(f"{name}: must be an ISO 8601 timestamp")
    return parsed


def parse_format(params: Mapping[str, str]) -> str:
    value = params.get("format", "exact")
    if value not in FORMATS:
        raise BadRequest('format: must be "ids", "exact" or "canonical"')
    return value


def parse_query(params: Mapping[str, str], max_limit: int) -> StatementQuery:
    unknown = sorted(set(params) - QUERY_PARAMS)
    if unknown:
        raise BadRequest(f"{unknown[0]}: is not a parameter of the Statement resource")
    query = StatementQuery(params=dict(params))
    if "agent" in params:
        query.agent_key = keys.agent_key(parse_agent_param(params["agent"]))
    if "verb" in params:
        if not formats.is_iri(params["verb"]):
            raise BadRequest("verb: must be an IRI")
        query.verb = params["verb"]
    if "activity" in params:
        if not formats.is_iri(params["activity"]):
            raise BadRequest("activity: must be an IRI")
        query.activity = params["activity"]
    if "registration" in params:
        if not formats.is_uuid(params["registration"]):
            raise BadRequest("registration: must be a UUID")
        query.registration = uuid.UUID(params["registration"])
    query.related_activities = parse_bool(params, "related_activities")
    query.related_agents = parse_bool(params, "related_agents")
    query.since = parse_time(params, "since")
    query.until = parse_time(params, "until")
    query.ascending = parse_bool(params, "ascending")
    query.attachments = parse_bool(params, "attachments")
    query.format = parse_format(params)
    if "limit" in params:
        raw_limit = params["limit"]
        if not raw_limit.isdigit():
            raise BadRequest("limit: must be a non-negative integer")
        query.limit = int(raw_limit)
    if query.limit == 0 or query.limit > max_limit:
        query.limit = max_limit
    return query


# --- the more link ------------------------------------------------------------------------------


def encode_cursor(query: StatementQuery, last: tuple[dt.datetime, int]) -> str:
    data = {
        "p": query.params,
        "s": last[0].astimezone(dt.UTC).isoformat(),
        "q": last[1],
        "c": query.cutoff.astimezone(dt.UTC).isoformat() if query.cutoff else None,
    }
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, max_limit: int) -> StatementQuery:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        params = data["p"]
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            raise ValueError("bad parameters")
        query = parse_query(params, max_limit)
        query.cursor = (dt.datetime.fromisoformat(data["s"]), int(data["q"]))
        query.cutoff = dt.datetime.fromisoformat(data["c"]) if data.get("c") else None
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError):
        raise BadRequest("more: the paging link is not valid") from None
    return query


# --- SQL ------------------------------------------------------------------------------------------


def build_select(query: StatementQuery, own_authority: str | None = None):
    """SELECT seq, stored, raw of the matching, not voided statements; one page + 1 row.

    The most selective filter among agent, activity, verb and registration drives the query as
    an index range scan in ``stored`` order; the others are point lookups on the same
    (key, stored, seq) primary keys.
    """
    s = Statement.__table__
    agents, activities, terms = (
        StatementAgent.__table__,
        StatementActivity.__table__,
        StatementTerm.__table__,
    )
    filters = []  # (table, key column name, key, only direct matches)
    if query.registration is not None:
        filters.append((terms, "term", f"reg:{query.registration}", False))
    if query.agent_key is not None:
        filters.append((agents, "agent_key", query.agent_key, not query.related_agents))
    if query.activity is not None:
        filters.append((activities, "activity_id", query.activity, not query.related_activities))
    verb_on_row = query.verb is not None and bool(filters)
    if query.verb is not None and not verb_on_row:
        filters.append((terms, "term", f"verb:{query.verb}", False))

    conditions = [s.c.voided.is_(False)]
    if verb_on_row:
        # Another filter drives the scan; the verb is checked on each statement it reaches: its
        # own verb, or for a statement that refers to another, the verbs it inherits as terms
        # (Communication 2.1.3). No scan of every statement with the verb.
        inherited = terms.alias("fv")
        conditions.append(
            or_(
                s.c.verb_id == query.verb,
                and_(
                    s.c.ref_id.is_not(None),
                    exists().where(
                        inherited.c.seq == s.c.seq,
                        inherited.c.stored == s.c.stored,
                        inherited.c.term == f"verb:{query.verb}",
                    ),
                ),
            )
        )
    base = s
    for index, (table, column, key, direct_only) in enumerate(filters):
        if index == 0:
            base = table
            conditions.append(base.c[column] == key)
            if direct_only:
                conditions.append(base.c.direct.is_(True))
            continue
        other = table.alias(f"f{index}")
        match = [other.c.seq == base.c.seq, other.c.stored == base.c.stored, other.c[column] == key]
        if direct_only:
            match.append(other.c.direct.is_(True))
        conditions.append(exists().where(*match))
    if own_authority is not None:
        conditions.append(s.c.authority_key == own_authority)
    stored, seq = base.c.stored, base.c.seq
    if query.since is not None:
        conditions.append(stored > query.since)
    if query.until is not None:
        conditions.append(stored <= query.until)
    if query.cutoff is not None:
        conditions.append(stored <= query.cutoff)
    if query.cursor is not None:
        # A row-value comparison, which both SQLite and PostgreSQL answer with an index range.
        at, last_seq = query.cursor
        position = tuple_(stored, seq)
        after = position > tuple_(literal(at, stored.type), literal(last_seq, seq.type))
        before = position < tuple_(literal(at, stored.type), literal(last_seq, seq.type))
        conditions.append(after if query.ascending else before)
    statement = select(s.c.seq, s.c.stored, s.c.raw)
    if base is not s:
        statement = statement.select_from(base.join(s, s.c.seq == base.c.seq))
    order = (stored.asc(), seq.asc()) if query.ascending else (stored.desc(), seq.desc())
    return statement.where(*conditions).order_by(*order).limit(query.limit + 1)


@dataclass
class Page:
    rows: list[tuple[int, dt.datetime, str]]
    more: str | None


def run_query(session: Session, query: StatementQuery, own_authority: str | None = None) -> Page:
    rows = [tuple(r) for r in session.execute(build_select(query, own_authority)).all()]
    more = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        last = rows[-1]
        more = encode_cursor(query, (last[1], last[0]))
    return Page(rows=rows, more=more)


def find_statement(session: Session, statement_id: str, voided: bool) -> tuple | None:
    """(raw, stored, authority_key) of a statement by id; voided ones only when asked for."""
    s = Statement.__table__
    row = session.execute(
        select(s.c.raw, s.c.stored, s.c.authority_key, s.c.voided).where(
            s.c.statement_id == uuid.UUID(statement_id)
        )
    ).first()
    if row is None or bool(row.voided) != voided:
        return None
    return row.raw, row.stored, row.authority_key


# --- formats --------------------------------------------------------------------------------------


def _ids_actor(actor: dict) -> dict:
    result: dict = {}
    if "objectType" in actor:
        result["objectType"] = actor["objectType"]
    for ifi in ("mbox", "mbox_sha1sum", "openid", "account"):
        if ifi in actor:
            result[ifi] = actor[ifi]
            return result
    if "member" in actor:
        result["member"] = [_ids_actor(m) for m in actor["member"]]
    return result


def _ids_activity(activity: dict) -> dict:
    # Only the id: objectType defaults to Activity wherever an activity may stand.
    return {"id": activity["id"]}


def _map_statement(statement: dict, actor_fn, activity_fn, verb_fn) -> dict:
    result = dict(statement)
    for key in ("actor", "authority"):
        if key in result:
            result[key] = actor_fn(result[key])
    result["verb"] = verb_fn(result["verb"])
    obj = result["object"]
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        result["object"] = activity_fn(obj)
    elif object_type in ("Agent", "Group"):
        result["object"] = actor_fn(obj)
    elif object_type == "SubStatement":
        result["object"] = _map_statement(obj, actor_fn, activity_fn, verb_fn)
    if "context" in result:
        context = dict(result["context"])
        for key in ("instructor", "team"):
            if key in context:
                context[key] = actor_fn(context[key])
        if "contextActivities" in context:
            context["contextActivities"] = {
                k: [activity_fn(a) for a in v] if isinstance(v, list) else [activity_fn(v)]
                for k, v in context["contextActivities"].items()
            }
        result["context"] = context
    return result


def to_ids(statement: dict) -> dict:
    """format=ids: only what identifies agents, groups, activities and verbs."""
    return _map_statement(statement, _ids_actor, _ids_activity, lambda v: {"id": v["id"]})


def pick_language(language_map: dict, accept: list[str]) -> dict:
    """Keep the one entry of a language map that best fits the Accept-Language list."""
    if not language_map:
        return language_map
    lowered = {k.lower(): k for k in language_map}
    for wanted in accept:
        wanted = wanted.lower()
        if wanted in lowered:
            key = lowered[wanted]
            return {key: language_map[key]}
        for tag_lower, key in lowered.items():
            if tag_lower.split("-")[0] == wanted.split("-")[0]:
                return {key: language_map[key]}
    for fallback in ("en-us", "en"):
        if fallback in lowered:
            key = lowered[fallback]
            return {key: language_map[key]}
    key = next(iter(language_map))
    return {key: language_map[key]}


def to_canonical(statement: dict, accept: list[str], definitions: Mapping[str, dict]) -> dict:
    """format=canonical: activity definitions as the LRS knows them, one language per map."""

    def activity_fn(activity: dict) -> dict:
        result = copy.deepcopy(activity)
        definition = definitions.get(activity["id"]) or result.get("definition")
        if definition:
            definition = copy.deepcopy(definition)
            for key in ("name", "description"):
                if key in definition:
                    definition[key] = pick_language(definition[key], accept)
            for key in ("choices", "scale", "source", "target", "steps"):
                for component in definition.get(key, []):
                    if "description" in component:
                        component["description"] = pick_language(component["description"], accept)
            result["definition"] = definition
        return result

    def verb_fn(verb: dict) -> dict:
        result = dict(verb)
        if "display" in result:
            result["display"] = pick_language(result["display"], accept)
        return result

    return _map_statement(statement, lambda a: a, activity_fn, verb_fn)


def parse_accept_language(header: str | None) -> list[str]:
    if not header:
        return []
    weighted = []
    for index, part in enumerate(header.split(",")):
        piece = part.strip().split(";")
        tag = piece[0].strip()
        weight = 1.0
        for param in piece[1:]:
            if param.strip().startswith("q="):
                try:
                    weight = float(param.strip()[2:])
                except ValueError:
                    weight = 0.0
        if tag and tag != "*":
            weighted.append((-weight, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def iter_attachment_hashes(raws: Iterator[str]) -> list[str]:
    """SHA-2 hashes of the attachments of the given statements (in order, unique)."""
    seen: dict[str, None] = {}
    for raw in raws:
        for attachment in json.loads(raw).get("attachments") or []:
            seen.setdefault(attachment["sha2"].lower(), None)
    return list(seen)
