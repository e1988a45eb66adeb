"""The platform's Learning Record Store (xAPI 1.0.3 and IEEE 9274.1.1).

``validation`` (with ``formats``, ``keys``, ``iris``) is pure Python; the rest is the store and
its HTTP API. Imports stay inside :func:`init_app`, so importing the validation module does not
load the web layer.
"""


def init_app(app) -> None:
    """Register the /xapi/ blueprint (CSRF-exempt), the LRS admin pages and ``flask lrs``."""
    from lms.extensions import csrf

    from . import admin, api, cli, models  # noqa: F401 (models registers the tables)

    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    cli.init_app(app)
