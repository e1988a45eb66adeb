"""Administration pages of the LRS: browse statements, manage clients, watch forwarding."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import and_, func, or_, select
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from lms import navigation
from lms.audit.services import record
from lms.auth.decorators import roles_required
from lms.auth.roles import ADMIN
from lms.extensions import db

from . import auth, forward
from .models import Statement

bp = Blueprint("lrs_admin", __name__, url_prefix="/admin/lrs")
navigation.register_admin_link(_l("Learning records (xAPI statements)"), "lrs_admin.statements")
navigation.register_admin_link(_l("LRS clients"), "lrs_admin.clients")
navigation.register_admin_link(_l("Statement forwarding"), "lrs_admin.forwarding")

PAGE_SIZE = 50
SCOPE_LABELS = {
    "read": _l("Read all statements and documents"),
    "read-own": _l("Read only the statements this client stored"),
    "write": _l("Store statements and documents"),
    "no-void": _l("May not void statements"),
}


@bp.before_request
@roles_required(ADMIN)
def require_admin():
    return None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClientForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    scopes = MultiCheckboxField(
        _l("Scopes"), choices=[(k, v) for k, v in SCOPE_LABELS.items()], default=["read", "write"]
    )


class ActionForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change something."""


# --- statements -----------------------------------------------------------------------------------


@dataclass
class Row:
    seq: int
    stored: dt.datetime
    voided: bool
    who: str
    did: str
    what: str
    result: str
    pretty: str


def _display(language_map: dict | None, fallback: str) -> str:
    if not language_map:
        return fallback
    for key in ("en-US", "en", "en-GB"):
        if key in language_map:
            return language_map[key]
    return next(iter(language_map.values()))


def _actor_label(actor: dict) -> str:
    if actor.get("name"):
        return actor["name"]
    for ifi in ("mbox", "openid", "mbox_sha1sum"):
        if ifi in actor:
            return actor[ifi].removeprefix("mailto:")
    if "account" in actor:
        return actor["account"]["name"]
    return _("Group") if actor.get("objectType") == "Group" else "?"


def _object_label(obj: dict) -> str:
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        return _display((obj.get("definition") or {}).get("name"), obj["id"])
    if kind in ("Agent", "Group"):
        return _actor_label(obj)
    if kind == "StatementRef":
        return _("statement %(id)s", id=obj["id"])
    return _("a sub-statement")


def _result_label(result: dict | None) -> str:
    if not result:
        return ""
    parts = []
    score = result.get("score") or {}
    if "scaled" in score:
        parts.append(f"{score['scaled'] * 100:.0f} %")
    elif "raw" in score:
        parts.append(str(score["raw"]) + (f" / {score['max']}" if "max" in score else ""))
    if result.get("success") is True:
        parts.append(_("success"))
    elif result.get("success") is False:
        parts.append(_("failure"))
    if result.get("completion"):
        parts.append(_("complete"))
    return ", ".join(parts)


def _row(seq, stored, voided, raw) -> Row:
    statement = json.loads(raw)
    return Row(
        seq=seq,
        stored=stored,
        voided=voided,
        who=_actor_label(statement["actor"]),
        did=_display(statement["verb"].get("display"), statement["verb"]["id"].rsplit("/", 1)[-1]),
        what=_object_label(statement["object"]),
        result=_result_label(statement.get("result")),
        pretty=json.dumps(statement, indent=2, ensure_ascii=False),
    )


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _date_arg(name: str) -> dt.datetime | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    except ValueError:
        flash(_("The date %(value)s is not valid (use YYYY-MM-DD).", value=value), "error")
        return None


@bp.route("/statements")
def statements():
    s = Statement.__table__
    who = request.args.get("who", "").strip()
    verb = request.args.get("verb", "").strip()
    activity = request.args.get("activity", "").strip()
    registration = request.args.get("registration", "").strip()
    include_voided = request.args.get("voided") == "1"
    since, until = _date_arg("since"), _date_arg("until")
    conditions = []
    if not include_voided:
        conditions.append(s.c.voided.is_(False))
    if who:
        conditions.append(s.c.actor_key.like(_like(who), escape="\\"))
    if verb:
        conditions.append(s.c.verb_id.like(_like(verb), escape="\\"))
    if activity:
        conditions.append(s.c.activity_id.like(_like(activity), escape="\\"))
    if registration:
        try:
            conditions.append(s.c.registration == uuid.UUID(registration))
        except ValueError:
            flash(_("The registration must be a UUID."), "error")
    if since:
        conditions.append(s.c.stored >= since)
    if until:
        conditions.append(s.c.stored < until + dt.timedelta(days=1))
    before = request.args.get("before", type=int)
    after_stored = request.args.get("at", "")
    if before and after_stored:
        try:
            at = dt.datetime.fromisoformat(after_stored)
            conditions.append(or_(s.c.stored < at, and_(s.c.stored == at, s.c.seq < before)))
        except ValueError:
            abort(400)
    query = (
        select(s.c.seq, s.c.stored, s.c.voided, s.c.raw)
        .where(*conditions)
        .order_by(s.c.stored.desc(), s.c.seq.desc())
        .limit(PAGE_SIZE + 1)
    )
    rows = [_row(*r) for r in db.session.execute(query).all()]
    next_url = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        args = request.args.to_dict()
        args.update(before=rows[-1].seq, at=rows[-1].stored.isoformat())
        next_url = url_for("lrs_admin.statements", **args)
    total = db.session.scalar(select(func.count()).select_from(Statement))
    # Statements are personal data: who looked at which records is kept in the audit log.
    record(
        current_user,
        "lrs.statements.view",
        "",
        **{
            k: v
            for k, v in request.args.items()
            if k in ("who", "verb", "activity", "registration", "since", "until")
        },
    )
    db.session.commit()
    return render_template(
        "xapi/statements.html",
        rows=rows,
        next_url=next_url,
        total=total or 0,
        filters={
            "who": who,
            "verb": verb,
            "activity": activity,
            "registration": registration,
            "since": request.args.get("since", ""),
            "until": request.args.get("until", ""),
            "voided": include_voided,
        },
        paged=bool(before),
    )


# --- clients --------------------------------------------------------------------------------------


@bp.route("/clients", methods=["GET", "POST"])
def clients():
    form = ClientForm()
    if form.validate_on_submit():
        try:
            client, secret = auth.create_client(
                db.session, form.name.data, form.scopes.data or None, current_user.username
            )
        except auth.ScopeError as exc:
            form.scopes.errors.append(str(exc))
        else:
            record(
                current_user,
                "lrs.client.create",
                client.key,
                name=client.name,
                scopes=client.scopes,
            )
            db.session.commit()
            return render_template(
                "xapi/client_created.html",
                client=client,
                secret=secret,
                endpoint=url_for("xapi.about_resource", _external=True).removesuffix("about"),
            )
    return render_template(
        "xapi/clients.html",
        form=form,
        action=ActionForm(),
        clients=auth.list_clients(db.session),
        scope_labels=SCOPE_LABELS,
    )


@bp.route("/clients/<key>/revoke", methods=["POST"])
def revoke(key: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    client = auth.revoke_client(db.session, key)
    if client is None:
        abort(404)
    record(current_user, "lrs.client.revoke", client.key, name=client.name)
    db.session.commit()
    flash(_("The client %(name)s is revoked; its credentials no longer work.", name=client.name))
    return redirect(url_for("lrs_admin.clients"))


# --- forwarding -----------------------------------------------------------------------------------


@bp.route("/forwarding")
def forwarding():
    return render_template(
        "xapi/forwarding.html",
        state=forward.outbox_state(db.session),
        target=current_app.config.get("LRS_FORWARD_URL"),
        action=ActionForm(),
    )


@bp.route("/forwarding/retry", methods=["POST"])
def retry():
    if not ActionForm().validate_on_submit():
        abort(400)
    count = forward.retry_now(db.session)
    record(current_user, "lrs.forward.retry", "", rows=count)
    db.session.commit()
    flash(_("%(num)s waiting statements will be sent in the next round.", num=count))
    return redirect(url_for("lrs_admin.forwarding"))
