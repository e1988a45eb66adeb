"""URL rules: ``/sync/push`` and ``/sync/pull`` for kits (signed), ``/admin/kits`` for admins."""

from __future__ import annotations

import os
import tempfile

from flask import (
    Blueprint,
    Response,
    after_this_request,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField

from lms import navigation
from lms.audit.services import record
from lms.auth.decorators import roles_required
from lms.auth.roles import ADMIN
from lms.extensions import db

from . import services
from .bundle import BundleError
from .models import Conflict
from .services import SyncError

api = Blueprint("sync", __name__, url_prefix="/sync")
admin = Blueprint("kits", __name__, url_prefix="/admin/kits")
navigation.register_admin_link(_l("Field kits and sync"), "kits.index")

MAX_PUSH_BYTES = 64 * 1024 * 1024


def _refuse(status: int, message: str):
    db.session.rollback()
    return jsonify({"error": message}), status


def _temp_file(suffix: str) -> str:
    handle, name = tempfile.mkstemp(suffix=suffix)
    os.close(handle)

    @after_this_request
    def _remove(response):
        response.call_on_close(lambda: os.path.exists(name) and os.unlink(name))
        return response

    return name


@api.post("/push")
def push():
    if (request.content_length or 0) > MAX_PUSH_BYTES:
        return _refuse(413, "chunk too large")
    body = request.get_data(cache=False)
    try:
        peer = services.authenticate(db.session, request.headers, "POST", request.path, body)
        reply = services.receive_push(db.session, peer, body)
    except SyncError as exc:
        return _refuse(403, str(exc))
    except BundleError as exc:
        return _refuse(400, str(exc))
    db.session.commit()
    return jsonify(reply)


@api.get("/pull")
def pull():
    path = request.full_path.rstrip("?")
    try:
        peer = services.authenticate(db.session, request.headers, "GET", path, b"")
        ack = {
            "statements": request.args.get("statements", 0, type=int),
            "changes": request.args.get("changes", 0, type=int),
        }
        services.take_ack(peer, ack)
        # HQ -> kit carries records only (no statements): small enough to answer from memory.
        handle, name = tempfile.mkstemp(suffix=".kitbundle")
        os.close(handle)
        try:
            services.export_bundle(db.session, name, str(peer.id))
            with open(name, "rb") as fh:
                data = fh.read()
        finally:
            os.unlink(name)
    except SyncError as exc:
        return _refuse(403, str(exc))
    db.session.commit()
    return Response(data, mimetype="application/zip")


# --- administration -------------------------------------------------------------------------------


class RegisterForm(FlaskForm):
    contingents = StringField(_l("Contingent codes served (comma-separated, HQ only)"))


class ActionForm(FlaskForm):
    pass


@admin.before_request
@roles_required(ADMIN)
def require_admin():
    return None


@admin.get("")
def index():
    mine, rows = services.status(db.session)
    conflicts = db.session.scalars(select(Conflict).order_by(Conflict.id.desc()).limit(20)).all()
    return render_template(
        "sync/kits.html",
        mine=mine,
        rows=rows,
        conflicts=conflicts,
        register_form=RegisterForm(),
        action_form=ActionForm(),
        when=services.naive_utc,
    )


@admin.post("/register")
def register():
    import json

    form = RegisterForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None:
        flash(_("Choose a registration file."), "error")
        return redirect(url_for(".index"))
    codes = [c.strip() for c in (form.contingents.data or "").split(",") if c.strip()]
    try:
        document = json.loads(upload.read(64 * 1024).decode("utf-8"))
        peer = services.register_peer(db.session, document, current_user.username, codes or None)
    except (SyncError, ValueError) as exc:
        db.session.rollback()
        flash(_("Not registered: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for(".index"))
    record(current_user, "kit.register", str(peer.id), role=peer.role, name=peer.name)
    db.session.commit()
    flash(_("%(name)s registered.", name=peer.name), "success")
    return redirect(url_for(".index"))


@admin.get("/identity")
def identity_file():
    mine = services.identity(db.session)
    if mine is None:
        flash(_("This instance has no field kit identity yet."), "error")
        return redirect(url_for(".index"))
    response = jsonify(services.identity_document(mine))
    response.headers["Content-Disposition"] = f'attachment; filename="{mine.role}-{mine.id}.json"'
    return response


@admin.post("/export")
def export():
    form = ActionForm()
    peer_id = request.form.get("peer") or None
    if not form.validate_on_submit():
        return redirect(url_for(".index"))
    name = _temp_file(".kitbundle")
    try:
        manifest = services.export_bundle(db.session, name, peer_id)
    except SyncError as exc:
        db.session.rollback()
        flash(_("No bundle made: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for(".index"))
    record(current_user, "kit.export-bundle", manifest.recipient, marks=manifest.marks)
    db.session.commit()
    filename = f"{manifest.sender[:8]}-to-{manifest.recipient[:8]}.kitbundle"
    return send_file(name, mimetype="application/zip", as_attachment=True, download_name=filename)


@admin.post("/import")
def import_():
    form = ActionForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None:
        flash(_("Choose a bundle file."), "error")
        return redirect(url_for(".index"))
    name = _temp_file(".kitbundle")
    upload.save(name)
    try:
        result = services.import_bundle(db.session, name)
    except (SyncError, BundleError) as exc:
        db.session.rollback()
        flash(_("Bundle refused: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for(".index"))
    record(current_user, "kit.import-bundle", result.peer, **result.as_dict())
    db.session.commit()
    flash(
        _(
            "Bundle imported: %(stored)d new statements, %(known)d already here, "
            "%(records)d records applied, %(conflicts)d conflicts kept.",
            stored=result.statements_stored,
            known=result.statements_known,
            records=result.records.applied,
            conflicts=result.records.conflicts + result.statements_conflicting,
        ),
        "success",
    )
    return redirect(url_for(".index"))
