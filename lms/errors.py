"""Error pages in the user's language, and JSON errors for API clients."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.extensions import db

log = logging.getLogger(__name__)


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Check what you entered and try again."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist, or you do not have access to it."),
        405: _("This action is not allowed here."),
        413: _("The file or request is too large."),
        429: _("Too many attempts. Wait a few minutes and try again."),
        500: _("Something went wrong on our side. The error has been logged."),
    }


def _wants_json() -> bool:
    if request.path.startswith(("/xapi/", "/api/", "/sync/")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def render_error(code: int, message: str | None = None):
    text = message or _messages().get(code, _messages()[400])
    if _wants_json():
        return jsonify({"error": text, "status": code}), code
    return render_template("error.html", code=code, message=text), code


def _has_nul() -> bool:
    if "\x00" in request.path:
        return True
    if request.path.startswith("/xapi/"):
        return False  # the LRS checks its own parameters, with its own messages and limits
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            return True
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return False
    return any("\x00" in k or "\x00" in v for k, v in request.form.items(multi=True))


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        # No page takes a NUL character, and PostgreSQL cannot compare or keep one in text.
        if _has_nul():
            return render_error(400)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(
            400,
            _(
                "The form has expired or was not sent from this site. Reload the page and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        if code >= 500:
            return render_error(code)
        description = getattr(exc, "lms_message", None)
        return render_error(code, description)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(InternalServerError.code)
