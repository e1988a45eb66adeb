"""The field kit: this instance's identity, its peers, the change log and signed bundles.

A field kit is the same software on one laptop (SQLite). It and HQ exchange what the other side
has not yet acknowledged, by a signed bundle file or online over HTTP in the same format.
"""


def init_app(app) -> None:
    """Register /sync/ (CSRF-exempt, signed requests), /admin/kits, ``flask kit``, the change log."""
    from lms.extensions import csrf

    from . import cli, models, records, routes  # noqa: F401 (models registers the tables)

    records.init_change_log()
    csrf.exempt(routes.api)
    app.register_blueprint(routes.api)
    app.register_blueprint(routes.admin)
    app.cli.add_command(cli.kit)
