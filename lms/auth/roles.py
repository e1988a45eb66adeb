"""The roles a user account can hold."""

from flask_babel import lazy_gettext as _l

TRAINEE = "trainee"
TRAINER = "trainer"
CONTROLLER = "controller"
ADMIN = "admin"
ANALYST = "analyst"

ALL_ROLES = (TRAINEE, TRAINER, CONTROLLER, ADMIN, ANALYST)

# Roles whose view of people is limited to their assigned countries and contingents.
SCOPED_ROLES = frozenset({TRAINER, CONTROLLER})

ROLE_LABELS = {
    TRAINEE: _l("Trainee"),
    TRAINER: _l("Trainer"),
    CONTROLLER: _l("Exercise controller"),
    ADMIN: _l("Administrator"),
    ANALYST: _l("HQ analyst"),
}
