"""The training portal: ``create_app`` builds the Flask application."""

from __future__ import annotations

import os

from flask import Flask

from lms import extensions as ext
from lms.config import Config


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(Config().as_dict())
    if config:
        app.config.from_mapping(config)
    os.makedirs(app.instance_path, exist_ok=True)
    _check_config(app)

    from lms import i18n

    ext.db.init_app(app)
    ext.migrate.init_app(
        app,
        ext.db,
        directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    ext.login_manager.init_app(app)
    ext.csrf.init_app(app)
    ext.babel.init_app(app, locale_selector=i18n.select_locale)
    ext.cache.init_app(app)
    i18n.init_app(app)

    _register_models()
    _register_blueprints(app)

    from lms import cli, errors, navigation, security

    navigation.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def _check_config(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        from lms.config import default_database_url

        app.config["SQLALCHEMY_DATABASE_URI"] = default_database_url(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        if app.config.get("ENV_NAME") == "production" and not app.config.get("TESTING"):
            raise RuntimeError(
                "LMS_SECRET_KEY is not set. Set it to a long random value "
                '(python -c "import secrets; print(secrets.token_hex(32))") before starting.'
            )
        app.config["SECRET_KEY"] = _instance_secret(app)


def _instance_secret(app: Flask) -> str:
    """A development or field-kit secret kept in the instance folder, made once."""
    import secrets

    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        with open(path, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32))
        os.chmod(path, 0o600)
    with open(path, encoding="ascii") as fh:
        return fh.read().strip()


def _register_models() -> None:
    # Importing the model modules registers every table on the shared metadata.
    from lms.audit import models as _audit  # noqa: F401
    from lms.auth import models as _auth  # noqa: F401
    from lms.catalog import models as _catalog  # noqa: F401
    from lms.exercises import models as _exercises  # noqa: F401
    from lms.learning import models as _learning  # noqa: F401
    from lms.org import models as _org  # noqa: F401
    from lms.privacy import models as _privacy  # noqa: F401
    from lms.readiness import models as _readiness  # noqa: F401
    from lms.sync import models as _sync  # noqa: F401
    from lms.xapi import models as _xapi  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from lms import sync, xapi
    from lms.admin.routes import bp as admin_bp
    from lms.auth.routes import bp as auth_bp
    from lms.catalog import cli as catalog_cli
    from lms.catalog.routes import bp as catalog_bp
    from lms.exercises import cli as exercises_cli
    from lms.exercises import guard as exercises_guard
    from lms.exercises.routes import bp as exercises_bp
    from lms.learning.routes import bp as learning_bp
    from lms.main.routes import bp as main_bp
    from lms.org.routes import bp as org_bp
    from lms.privacy.routes import bp as privacy_bp
    from lms.readiness.routes import bp as readiness_bp

    for blueprint in (
        main_bp,
        auth_bp,
        org_bp,
        admin_bp,
        catalog_bp,
        learning_bp,
        readiness_bp,
        privacy_bp,
        exercises_bp,
    ):
        app.register_blueprint(blueprint)
    xapi.init_app(app)
    sync.init_app(app)
    catalog_cli.init_app(app)
    exercises_guard.init_app(app)
    exercises_cli.init_app(app)
