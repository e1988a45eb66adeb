"""Forms of the catalog: enrolment (self, or a rotation by a trainer)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import DataRequired, Optional


class PostForm(FlaskForm):
    """A button that posts: only the CSRF token."""


class EnrolRotationForm(FlaskForm):
    course = SelectField(_l("Course"), validators=[DataRequired()])
    cohort = SelectField(_l("Who"), validators=[Optional()])
    due_on = DateField(_l("Due date (optional)"), validators=[Optional()])
