"""The xAPI resources under /xapi/ (xAPI 1.0.3 Communication; IEEE 9274.1.1 by version header).

URL rules and thin handlers. Every request is first normalised into an :class:`XRequest`
(method, parameters, headers, body), which is also how the alternate request syntax (a form
POST with ``?method=``) is handled; then the version header and the credentials are checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask import Blueprint, Response, current_app, g, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import http_date

from lms.extensions import cache, db
from lms.security import add_missing

from . import documents, formats, keys, multipart, query, store
from .auth import Credentials, authenticate_basic
from .errors import BadRequest, Forbidden, LRSError, NotFound
from .models import Activity, Attachment
from .validation import (
    VERSION_1,
    VERSION_2,
    XAPIValidationError,
    loads,
    parse_version_header,
    validate_activity_id,
    validate_document_id,
)

log = logging.getLogger(__name__)

bp = Blueprint("xapi", __name__, url_prefix="/xapi")

ALTERNATE_HEADERS = (
    "authorization",
    "x-experience-api-version",
    "content-type",
    "content-length",
    "if-match",
    "if-none-match",
)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, PUT, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, "
        "X-Experience-API-Hash"
    ),
    "Access-Control-Expose-Headers": (
        "ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through, "
        "Content-Type"
    ),
    "Access-Control-Max-Age": "86400",
}
# A statement's stored time is set just before its transaction commits; readers see every
# statement stored more than this long ago.
CONSISTENCY_MARGIN = dt.timedelta(seconds=1)


@dataclass
class XRequest:
    method: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes
    alternate: bool = False
    extra: dict = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def json_body(self, what: str = "body") -> object:
        if not self.body:
            raise BadRequest(f"{what}: the request has no content")
        try:
            return loads(self.body)
        except XAPIValidationError as exc:
            raise BadRequest(f"{what}: {exc.message}") from None


# --- request normalisation ---------------------------------------------------------------------


def _single_valued(pairs: list[tuple[str, str]], where: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in pairs:
        if key in result:
            raise BadRequest(f"{key}: the {where} parameter is given more than once")
        if "\x00" in key or "\x00" in value:
            raise BadRequest(f"{key!r}: the {where} parameter contains a NUL character")
        result[key] = value
    return result


def _max_body() -> int:
    return int(current_app.config.get("LRS_MAX_BODY_BYTES", 10 * 1024 * 1024))


def _read_body() -> bytes:
    length = request.content_length
    if length is not None and length > _max_body():
        raise LRSError(413, f"the request body is larger than {_max_body()} bytes")
    body = request.get_data(cache=True)
    if len(body) > _max_body():
        raise LRSError(413, f"the request body is larger than {_max_body()} bytes")
    return body


def build_xrequest() -> XRequest:
    headers = {k.lower(): v for k, v in request.headers.items()}
    args = list(request.args.items(multi=True))
    if "method" in request.args:
        if request.method != "POST":
            raise BadRequest("method: the alternate request syntax must be sent as a POST")
        if len(args) != 1:
            raise BadRequest(
                "the alternate request syntax allows only the method parameter in the query string "
                "(Communication 1.3)"
            )
        if request.mimetype != "application/x-www-form-urlencoded":
            raise BadRequest(
                "Content-Type: the alternate request syntax must be sent as "
                "application/x-www-form-urlencoded"
            )
        method = request.args["method"].upper()
        if method not in ("GET", "HEAD", "PUT", "POST", "DELETE"):
            raise BadRequest("method: must be GET, HEAD, PUT, POST or DELETE")
        length = request.content_length
        if length is not None and length > _max_body():
            raise LRSError(413, f"the request body is larger than {_max_body()} bytes")
        # Werkzeug's form parser (the request may already have been parsed by another hook).
        request.max_form_memory_size = _max_body()
        pairs = [(k, v) for k, values in request.form.lists() for v in values]
        form = _single_valued(pairs, "form")
        merged = dict(headers)
        merged.pop("content-type", None)
        merged.pop("content-length", None)
        for name in list(form):
            if name.lower() in ALTERNATE_HEADERS:
                # A form field stands for the header (Communication 1.3), and wins over a real
                # header of the same name.
                merged[name.lower()] = form.pop(name)
        body = form.pop("content", "").encode("utf-8")
        if method in ("PUT", "POST") and "content-type" not in merged:
            merged["content-type"] = "application/json"
        return XRequest(method=method, params=form, headers=merged, body=body, alternate=True)
    method = "GET" if request.method == "HEAD" else request.method
    params = _single_valued(args, "query")
    body = _read_body() if method in ("PUT", "POST") else b""
    return XRequest(method=method, params=params, headers=headers, body=body)


def check_version(xr: XRequest) -> str:
    value = xr.header("x-experience-api-version")
    if value is None:
        raise BadRequest("X-Experience-API-Version: the header is required (Communication 3.3)")
    version = parse_version_header(value)
    if version is None:
        raise BadRequest(
            f"X-Experience-API-Version: {value!r} is not a supported version (1.0.x or 2.0.0)"
        )
    return version


def session_credentials() -> Credentials | None:
    if not current_user or not current_user.is_authenticated:
        return None
    from lms.auth.roles import ADMIN, ANALYST

    agent = current_user.xapi_agent()
    reads_all = current_user.has_role(ADMIN, ANALYST)
    return Credentials(
        authority=agent,
        can_read_all=reads_all,
        can_write=True,
        can_void=current_user.has_role(ADMIN),
        own_agent_key=None if reads_all else keys.agent_key(agent),
    )


# The version each set of Basic credentials last spoke (keyed on a digest of the header), so that
# a request from the same client that forgets the version header is answered in that version.
# Kept in the worker and, when it changes, in the shared cache (Redis at HQ) for the other workers.
_spoken_versions: dict[str, str] = {}
SPOKEN_VERSION_TTL = 7 * 24 * 3600


def _credentials_digest(header: str) -> str:
    return hashlib.blake2b(header.encode("utf-8", "replace"), digest_size=16).hexdigest()


def _remember_version(header: str, version: str) -> None:
    digest = _credentials_digest(header)
    if _spoken_versions.get(digest) == version:
        return
    if len(_spoken_versions) > 10_000:
        _spoken_versions.clear()
    _spoken_versions[digest] = version
    try:
        cache.set(f"lrs:version:{digest}", version, SPOKEN_VERSION_TTL)
    except Exception:  # the shared cache is a convenience here, never a reason to fail
        log.warning("could not share the client's xAPI version", exc_info=True)


def _spoken_version(header: str) -> str | None:
    digest = _credentials_digest(header)
    version = _spoken_versions.get(digest)
    if version is None:
        try:
            version = cache.get(f"lrs:version:{digest}")
        except Exception:
            return None
    return version if isinstance(version, str) else None


def authenticate(xr: XRequest) -> Credentials:
    header = xr.header("authorization")
    if header:
        creds = authenticate_basic(
            db.session,
            header,
            current_app.config["SECRET_KEY"],
            cache,
            current_app.config.get("ACTIVITY_BASE", "https://training.unmic.example"),
        )
        if creds is None:
            raise LRSError(401, "Authorization: the credentials are wrong or revoked")
        _remember_version(header, g.xapi_version)
        return creds
    if not xr.alternate:
        creds = session_credentials()
        if creds is not None:
            return creds
    raise LRSError(401, "Authorization: HTTP Basic credentials of an LRS client are required")


# --- responses ------------------------------------------------------------------------------------


def json_response(value: object, status: int = 200) -> Response:
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json")


def error_response(status: int, message: str) -> Response:
    response = json_response({"error": message, "status": status}, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="xAPI"'
    return response


def consistent_through() -> str:
    return formats.format_timestamp(dt.datetime.now(dt.UTC) - CONSISTENCY_MARGIN)


@bp.after_app_request
def xapi_headers(response: Response) -> Response:
    if request.path == "/xapi" or request.path.startswith("/xapi/"):
        version = getattr(g, "xapi_version", None)
        if version is None:
            # Refused before the version was checked: answer in the version the request asked
            # for if it is one we speak, else in the one its credentials last spoke, else in
            # the newest one.
            version = parse_version_header(request.headers.get("X-Experience-API-Version"))
            credentials = request.headers.get("Authorization")
            if version is None and credentials:
                version = _spoken_version(credentials)
            version = version or VERSION_2
        response.headers["X-Experience-API-Version"] = version
        if request.path.startswith("/xapi/statements"):
            # Communication 2.1.3: on every response of the Statement resource, errors included.
            response.headers.setdefault("X-Experience-API-Consistent-Through", consistent_through())
        add_missing(response.headers, CORS_HEADERS.items())
    return response


@bp.errorhandler(LRSError)
def lrs_error(exc: LRSError):
    db.session.rollback()
    return error_response(exc.status, exc.message)


@bp.errorhandler(XAPIValidationError)
def validation_error(exc: XAPIValidationError):
    db.session.rollback()
    return error_response(400, exc.message)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    return error_response(413, "the request body is too large")


def _dispatch(resource: str) -> Response:
    if request.method == "OPTIONS":
        return Response(status=200)
    xr = build_xrequest()
    if resource == "about":
        if xr.method != "GET":
            raise LRSError(405, "the About resource only answers GET")
        g.xapi_version = parse_version_header(xr.header("x-experience-api-version")) or VERSION_1
        return about()
    g.xapi_version = check_version(xr)
    handler = HANDLERS.get((resource, xr.method))
    if handler is None:
        raise LRSError(405, f"{xr.method} is not allowed on this resource")
    creds = authenticate(xr)
    return handler(xr, creds)


# --- statements -----------------------------------------------------------------------------------


def _split_body(xr: XRequest) -> tuple[object, dict[str, tuple[str, bytes]], bool]:
    """The statement JSON of a PUT/POST and its attachment parts."""
    ctype = xr.content_type
    if ctype == "multipart/mixed":
        parts = multipart.parse_multipart(xr.body, xr.header("content-type") or "")
        if parts[0].content_type != "application/json":
            raise BadRequest("multipart body: the first part must be application/json statements")
        try:
            statements = loads(parts[0].body)
        except XAPIValidationError as exc:
            raise BadRequest(f"multipart body, first part: {exc.message}") from None
        return statements, multipart.attachment_parts(parts, g.xapi_version), True
    if ctype != "application/json":
        raise BadRequest(
            "Content-Type: statements must be sent as application/json or multipart/mixed"
        )
    return xr.json_body("statements"), {}, False


def _check_write_permissions(creds: Credentials, statements: list[dict]) -> None:
    if not creds.can_write:
        raise Forbidden("these credentials may not store statements")
    from .iris import VOIDED

    if not creds.can_void and any(
        isinstance(s, dict) and isinstance(s.get("verb"), dict) and s["verb"].get("id") == VOIDED
        for s in statements
    ):
        raise Forbidden("these credentials may not void statements")
    if creds.own_agent_key is not None:
        for index, statement in enumerate(statements):
            actor = statement.get("actor") if isinstance(statement, dict) else None
            if not isinstance(actor, dict) or keys.agent_key(actor) != creds.own_agent_key:
                raise Forbidden(
                    f"statements[{index}].actor: portal users may only record their own statements"
                )


def _save(xr: XRequest, creds: Credentials, payload: object, parts, multipart_body) -> list[str]:
    statements = payload if isinstance(payload, list) else [payload]
    if not isinstance(payload, (list, dict)):
        raise BadRequest("statements: must be a statement object or an array of statements")
    from .validation import validate_statements

    validate_statements(statements, g.xapi_version)
    _check_write_permissions(creds, statements)
    multipart.check_attachments(statements, parts)
    multipart.check_signatures(statements, parts)
    for attempt in range(3):
        try:
            ids = store.save_statements(
                db.session, statements, creds.authority, g.xapi_version, prevalidated=True
            )
            store.save_attachments(db.session, parts)
            db.session.commit()
            break
        except OperationalError as exc:
            # A deadlock or serialization failure on PostgreSQL (or a busy SQLite database):
            # nothing was stored, so the request is tried again.
            db.session.rollback()
            if attempt == 2 or not _retryable(exc):
                raise
    try:
        store.refresh_activity_definitions(db.session, statements)
    except Exception:  # the statements are stored; definitions are refreshed by the next writer
        db.session.rollback()
        log.exception("merging activity definitions failed")
    return ids


def _retryable(exc: OperationalError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in ("40P01", "40001") or "database is locked" in str(exc.orig)


def put_statement(xr: XRequest, creds: Credentials) -> Response:
    statement_id = xr.params.get("statementId")
    extra = sorted(set(xr.params) - {"statementId"})
    if extra:
        raise BadRequest(f"{extra[0]}: is not a parameter of PUT /statements")
    if statement_id is None:
        raise BadRequest("statementId: the parameter is required for PUT /statements")
    if not formats.is_uuid(statement_id):
        raise BadRequest("statementId: must be a UUID")
    payload, parts, is_multipart = _split_body(xr)
    if not isinstance(payload, dict):
        raise BadRequest("statement: PUT takes one statement object")
    if "id" in payload and str(payload["id"]).lower() != statement_id.lower():
        raise BadRequest("statement.id: does not match the statementId parameter")
    payload.setdefault("id", statement_id)
    _save(xr, creds, payload, parts, is_multipart)
    return Response(status=204)


def post_statements(xr: XRequest, creds: Credentials) -> Response:
    if xr.params:
        raise BadRequest(f"{sorted(xr.params)[0]}: is not a parameter of POST /statements")
    payload, parts, is_multipart = _split_body(xr)
    ids = _save(xr, creds, payload, parts, is_multipart)
    return json_response(ids)


def _max_limit() -> int:
    return int(current_app.config.get("LRS_MAX_PAGE", 500))


def _accept_languages(xr: XRequest) -> list[str]:
    return query.parse_accept_language(xr.header("accept-language"))


def _definitions_for(raws: list[str]) -> dict[str, dict]:
    ids: set[str] = set()
    for raw in raws:
        ids.update(keys.statement_activities(json.loads(raw)))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Activity.activity_id, Activity.definition).where(Activity.activity_id.in_(ids))
    ).all()
    return {a: json.loads(d) for a, d in rows if d and d != "{}"}


def _render(raws: list[str], fmt: str, xr: XRequest) -> Iterator[str]:
    """The statements in the asked format. Reads the database before the first item is taken,
    so a streamed response can iterate it after the request context has gone."""
    if fmt == "exact":
        return iter(raws)
    accept = _accept_languages(xr)
    definitions = _definitions_for(raws) if fmt == "canonical" else {}
    return _rendered(raws, fmt, accept, definitions)


def _rendered(
    raws: list[str], fmt: str, accept: list[str], definitions: dict[str, dict]
) -> Iterator[str]:
    for raw in raws:
        statement = json.loads(raw)
        if fmt == "ids":
            statement = query.to_ids(statement)
        else:
            statement = query.to_canonical(statement, accept, definitions)
        yield store.dumps(statement)


def _with_attachments(first: bytes, raws: list[str]) -> Response:
    hashes = query.iter_attachment_hashes(iter(raws))
    rows = []
    if hashes:
        rows = db.session.execute(
            select(Attachment.sha2, Attachment.content_type, Attachment.content).where(
                Attachment.sha2.in_(hashes)
            )
        ).all()
    boundary = secrets.token_hex(16)
    body = multipart.build_multipart(first, [tuple(r) for r in rows], boundary)
    return Response(body, status=200, mimetype=f"multipart/mixed; boundary={boundary}")


def get_statements(xr: XRequest, creds: Credentials) -> Response:
    if "statementId" in xr.params or "voidedStatementId" in xr.params:
        return _get_single(xr, creds)
    token = xr.extra.get("more")
    if token:
        if xr.params:
            raise BadRequest("a more link takes no other parameters")
        q = query.decode_cursor(token, _max_limit())
    else:
        q = query.parse_query(xr.params, _max_limit())
        q.cutoff = dt.datetime.now(dt.UTC)
    own_authority = None
    if creds.own_agent_key is not None:
        if q.agent_key not in (None, creds.own_agent_key):
            raise Forbidden("agent: portal users may only read their own statements")
        q.agent_key = creds.own_agent_key
        q.params["agent"] = q.params.get("agent") or json.dumps(current_user.xapi_agent())
    elif not creds.can_read_all:
        own_authority = creds.authority_key
    page = query.run_query(db.session, q, own_authority)
    raws = [row[2] for row in page.rows]
    more = ""
    if page.more:
        more = f"{request.script_root}/xapi/statements/more/{page.more}"
    last_modified = max((row[1] for row in page.rows), default=None)

    rendered = _render(raws, q.format, xr)

    def generate() -> Iterator[str]:
        yield '{"statements":['
        for index, text in enumerate(rendered):
            yield ("," if index else "") + text
        yield '],"more":' + json.dumps(more) + "}"

    if q.attachments:
        response = _with_attachments("".join(generate()).encode(), raws)
    else:
        response = Response(generate(), status=200, mimetype="application/json")
    response.headers["X-Experience-API-Consistent-Through"] = consistent_through()
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
    return response


def _get_single(xr: XRequest, creds: Credentials) -> Response:
    if "statementId" in xr.params and "voidedStatementId" in xr.params:
        raise BadRequest("statementId and voidedStatementId cannot be used together")
    extra = sorted(set(xr.params) - query.SINGLE_PARAMS)
    if extra:
        raise BadRequest(f"{extra[0]}: cannot be combined with statementId or voidedStatementId")
    voided = "voidedStatementId" in xr.params
    name = "voidedStatementId" if voided else "statementId"
    statement_id = xr.params[name]
    if not formats.is_uuid(statement_id):
        raise BadRequest(f"{name}: must be a UUID")
    fmt = query.parse_format(xr.params)
    with_attachments = query.parse_bool(xr.params, "attachments")
    found = query.find_statement(db.session, statement_id, voided)
    if found is None:
        raise NotFound(f"{name}: no such statement" + (" (voided)" if voided else ""))
    raw, stored, authority_key = found
    if creds.own_agent_key is not None:
        if creds.own_agent_key not in keys.statement_agents(json.loads(raw)):
            raise NotFound(f"{name}: no such statement")
    elif not creds.can_read_all and authority_key != creds.authority_key:
        raise NotFound(f"{name}: no such statement")
    text = next(_render([raw], fmt, xr))
    if with_attachments:
        response = _with_attachments(text.encode(), [raw])
    else:
        response = Response(text, status=200, mimetype="application/json")
    response.headers["Last-Modified"] = http_date(stored)
    response.headers["X-Experience-API-Consistent-Through"] = consistent_through()
    return response


# --- documents ------------------------------------------------------------------------------------


def _allowed(xr: XRequest, allowed: set[str]) -> None:
    extra = sorted(set(xr.params) - allowed)
    if extra:
        raise BadRequest(f"{extra[0]}: is not a parameter of this resource")


def _required(xr: XRequest, name: str) -> str:
    value = xr.params.get(name)
    if value is None:
        raise BadRequest(f"{name}: the parameter is required")
    return value


def _doc_id(xr: XRequest, name: str) -> str | None:
    value = xr.params.get(name)
    if value is not None:
        try:
            validate_document_id(value, name)
        except XAPIValidationError as exc:
            raise BadRequest(exc.message) from None
    return value


def _activity_param(xr: XRequest) -> str:
    value = _required(xr, "activityId")
    try:
        validate_activity_id(value)
    except XAPIValidationError as exc:
        raise BadRequest(exc.message) from None
    return value


def _agent_param(xr: XRequest) -> tuple[dict, str]:
    agent = query.parse_agent_param(_required(xr, "agent"))
    return agent, keys.agent_key(agent) or ""


def _doc_key(xr: XRequest, kind: str, for_list: bool = False) -> documents.DocKey:
    if kind == documents.STATE:
        registration = xr.params.get("registration")
        if registration is not None and not formats.is_uuid(registration):
            raise BadRequest("registration: must be a UUID")
        _, agent_key = _agent_param(xr)
        reg = str(uuid.UUID(registration)) if registration else ("" if not for_list else None)
        return documents.DocKey(kind, _activity_param(xr), agent_key, reg)
    if kind == documents.ACTIVITY_PROFILE:
        return documents.DocKey(kind, activity_id=_activity_param(xr))
    _, agent_key = _agent_param(xr)
    return documents.DocKey(kind, agent_key=agent_key)


_DOC_PARAMS = {
    documents.STATE: ({"activityId", "agent", "registration", "stateId", "since"}, "stateId"),
    documents.ACTIVITY_PROFILE: ({"activityId", "profileId", "since"}, "profileId"),
    documents.AGENT_PROFILE: ({"agent", "profileId", "since"}, "profileId"),
}


def _document_response(doc) -> Response:
    response = Response(doc.content, status=200, content_type=doc.content_type)
    response.headers["ETag"] = f'"{doc.etag}"'
    response.headers["Last-Modified"] = http_date(doc.updated)
    return response


def _needs_read(creds: Credentials) -> None:
    # Clients with only the write scope cannot read documents back.
    if not (creds.can_read_all or creds.own_agent_key or creds.client_key):
        raise Forbidden("these credentials may not read documents")


def _needs_write(creds: Credentials) -> None:
    if not creds.can_write:
        raise Forbidden("these credentials may not change documents")


def document_handler(kind: str):
    allowed, id_name = _DOC_PARAMS[kind]

    def get(xr: XRequest, creds: Credentials) -> Response:
        _allowed(xr, allowed)
        doc_id = _doc_id(xr, id_name)
        since = query.parse_time(xr.params, "since")
        if doc_id is not None:
            # "since" only narrows the list of ids; with an id it is checked and then ignored.
            key = _doc_key(xr, kind)
            doc = documents.get_document(db.session, key, doc_id)
            if doc is None:
                raise NotFound(f"{id_name}: no such document")
            return _document_response(doc)
        key = _doc_key(xr, kind, for_list=True)
        return json_response(documents.list_ids(db.session, key, since))

    def put(xr: XRequest, creds: Credentials, merge: bool = False) -> Response:
        _needs_write(creds)
        _allowed(xr, allowed - {"since"})
        _required(xr, id_name)
        doc_id = _doc_id(xr, id_name)
        key = _doc_key(xr, kind)
        content_type = xr.header("content-type") or "application/octet-stream"
        operation = documents.post_document if merge else documents.put_document
        options = {"if_match": xr.header("if-match"), "if_none_match": xr.header("if-none-match")}
        if not merge and kind != documents.STATE:
            options["require_precondition"] = True
        elif not merge and g.xapi_version == VERSION_2:
            # IEEE 9274.1.1 extends the 409 rule to the State resource (4.1.4).
            options["conflict_without_precondition"] = True
        operation(db.session, key, doc_id, xr.body, content_type, **options)
        db.session.commit()
        return Response(status=204)

    def post(xr: XRequest, creds: Credentials) -> Response:
        return put(xr, creds, merge=True)

    def delete(xr: XRequest, creds: Credentials) -> Response:
        _needs_write(creds)
        _allowed(xr, allowed - {"since"})
        doc_id = _doc_id(xr, id_name)
        if doc_id is None:
            if kind != documents.STATE:
                raise BadRequest(f"{id_name}: the parameter is required")
            documents.delete_all(db.session, _doc_key(xr, kind, for_list=True))
        else:
            documents.delete_document(
                db.session,
                _doc_key(xr, kind),
                doc_id,
                if_match=xr.header("if-match"),
                if_none_match=xr.header("if-none-match"),
            )
        db.session.commit()
        return Response(status=204)

    return {"GET": get, "PUT": put, "POST": post, "DELETE": delete}


# --- activities, agents, about --------------------------------------------------------------------


def get_activity(xr: XRequest, creds: Credentials) -> Response:
    _allowed(xr, {"activityId"})
    activity_id = _activity_param(xr)
    row = db.session.get(Activity, activity_id)
    result: dict = {"objectType": "Activity", "id": activity_id}
    if row is not None and row.definition and row.definition != "{}":
        result["definition"] = json.loads(row.definition)
    return json_response(result)


def get_agents(xr: XRequest, creds: Credentials) -> Response:
    _allowed(xr, {"agent"})
    agent, _ = _agent_param(xr)
    person: dict = {"objectType": "Person"}
    if "name" in agent:
        person["name"] = [agent["name"]]
    for ifi in ("mbox", "mbox_sha1sum", "openid", "account"):
        if ifi in agent:
            person[ifi] = [agent[ifi]]
    return json_response(person)


def about() -> Response:
    # 1.0.x clients are told the 1.0.x versions (a 1.0.3 About lists only 0.9 to 1.0.x); clients
    # that ask with the IEEE 9274.1.1 header also learn that 2.0.0 is supported.
    versions = ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]
    if g.xapi_version == VERSION_2:
        versions.insert(0, VERSION_2)
    return json_response(
        {
            "version": versions,
            "extensions": {
                f"{current_app.config.get('ACTIVITY_BASE', '')}/xapi/extensions/lrs": {
                    "name": current_app.config.get("INSTANCE_NAME", "LRS"),
                    "maxPage": _max_limit(),
                }
            },
        }
    )


HANDLERS = {
    ("statements", "GET"): get_statements,
    ("statements", "PUT"): put_statement,
    ("statements", "POST"): post_statements,
    ("activities", "GET"): get_activity,
    ("agents", "GET"): get_agents,
}
for _kind, _resource in (
    (documents.STATE, "activities/state"),
    (documents.ACTIVITY_PROFILE, "activities/profile"),
    (documents.AGENT_PROFILE, "agents/profile"),
):
    for _method, _handler in document_handler(_kind).items():
        HANDLERS[(_resource, _method)] = _handler


# --- URL rules ------------------------------------------------------------------------------------

_ALL = ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"]


@bp.route("/statements", methods=["GET", "HEAD", "PUT", "POST", "OPTIONS"])
def statements():
    return _dispatch("statements")


@bp.route("/statements/more/<token>", methods=["GET", "HEAD", "POST", "OPTIONS"])
def statements_more(token: str):
    if request.method == "OPTIONS":
        return Response(status=200)
    xr = build_xrequest()
    if xr.method != "GET":
        raise LRSError(405, "a more link only answers GET")
    g.xapi_version = check_version(xr)
    creds = authenticate(xr)
    xr.extra["more"] = token
    return get_statements(xr, creds)


@bp.route("/activities", methods=["GET", "HEAD", "POST", "OPTIONS"])
def activities():
    return _dispatch("activities")


@bp.route("/activities/state", methods=_ALL)
def activities_state():
    return _dispatch("activities/state")


@bp.route("/activities/profile", methods=_ALL)
def activities_profile():
    return _dispatch("activities/profile")


@bp.route("/agents", methods=["GET", "HEAD", "POST", "OPTIONS"])
def agents():
    return _dispatch("agents")


@bp.route("/agents/profile", methods=_ALL)
def agents_profile():
    return _dispatch("agents/profile")


@bp.route("/about", methods=["GET", "HEAD", "POST", "OPTIONS"])
def about_resource():
    return _dispatch("about")
