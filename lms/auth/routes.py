"""Login, logout, password change, profile and the language switcher."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from lms.auth import services
from lms.auth.forms import ChangePasswordForm, LanguageForm, LoginForm, ProfileForm
from lms.extensions import db, login_manager

bp = Blueprint("auth", __name__)

ACCOUNT_ERRORS = {
    "wrong-password": _l("The current password is wrong."),
    "too-short": _l(
        "The new password must have at least 10 characters. A short sentence is easy to remember."
    ),
    "contains-username": _l("The new password must not contain your username."),
    "too-simple": _l("The new password is too simple. Use several different words."),
    "same-password": _l("The new password must differ from the current one."),
    "username-taken": _l("This username is already taken."),
    "username-required": _l("A username is required."),
    "unknown-role": _l("Unknown role."),
}

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str):
    import uuid

    from lms.auth.models import User

    try:
        return db.session.get(User, uuid.UUID(user_id))
    except ValueError:
        return None


def safe_next(target: str | None) -> str:
    """Only redirect to a path on this site."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for("main.index")


@bp.before_app_request
def force_password_change():
    if (request.endpoint or "").startswith("xapi."):
        # LRS requests (HTTP Basic clients included) never load the session's user here.
        return None
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint
        not in {
            "auth.change_password",
            "auth.logout",
            "auth.set_language",
            "static",
            "main.healthz",
        }
    ):
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        cfg = current_app.config
        remote = request.remote_addr or "unknown"
        if services.login_blocked(form.username.data, remote, cfg["LOGIN_MAX_FAILURES"]):
            flash(_("Too many failed attempts. Wait 15 minutes and try again."), "error")
            status = 429
        else:
            user = services.authenticate(
                form.username.data,
                form.password.data,
                remote,
                cfg["LOGIN_MAX_FAILURES"],
                cfg["LOGIN_WINDOW_SECONDS"],
            )
            if user is None:
                flash(_("Wrong username or password."), "error")
                status = 401
            else:
                session.clear()
                login_user(user, remember=form.remember.data)
                db.session.commit()
                if user.must_change_password:
                    return redirect(url_for("auth.change_password"))
                return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except services.AccountError as exc:
            form.new.errors.append(str(ACCOUNT_ERRORS.get(str(exc), exc)))
            status = 400
        else:
            db.session.commit()
            flash(_("Your password has been changed."), "info")
            return redirect(url_for("main.index"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/change_password.html", form=form), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.locale.data = current_user.locale or "en"
    if form.validate_on_submit():
        current_user.display_name = form.display_name.data.strip()
        current_user.locale = form.locale.data
        db.session.commit()
        flash(_("Your profile has been saved."), "info")
        return redirect(url_for("auth.profile"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/profile.html", form=form), status


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        flash(_("Unknown language."), "error")
        return redirect(safe_next(request.form.get("next"))), 303
    session["lang"] = form.lang.data
    if current_user.is_authenticated:
        current_user.locale = form.lang.data
        db.session.commit()
    return redirect(safe_next(request.form.get("next")), 303)
