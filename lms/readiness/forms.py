"""Forms for requirements, waivers and the sign-off of a readiness report."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from lms.admin.forms import MultiCheckboxField, UUIDSelectField
from lms.org.models import PERSON_ROLES
from lms.readiness.models import REQUIREMENT_KINDS, REQUIREMENT_RULES, WAIVER_REASONS


class RequirementForm(FlaskForm):
    mission_id = UUIDSelectField(_l("Mission"), validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=list(REQUIREMENT_KINDS.items()))
    ref = StringField(
        _l("Course or scenario id"),
        validators=[
            DataRequired(),
            Length(max=120),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Lower-case letters, digits and hyphens.")),
        ],
    )
    rule = SelectField(_l("What counts"), choices=list(REQUIREMENT_RULES.items()))
    roles = MultiCheckboxField(
        _l("Roles (none ticked: everybody)"), choices=list(PERSON_ROLES.items())
    )
    validity_months = IntegerField(
        _l("Valid for (months)"), validators=[InputRequired(), NumberRange(1, 120)]
    )
    due_days_before = IntegerField(
        _l("Due (days before deployment)"), validators=[Optional(), NumberRange(0, 730)]
    )
    active = BooleanField(_l("Active"), default=True)


class WaiverForm(FlaskForm):
    requirement_id = UUIDSelectField(_l("Requirement"), validators=[InputRequired()])
    reason = SelectField(_l("Reason"), choices=list(WAIVER_REASONS.items()))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])


class SignOffForm(FlaskForm):
    note = TextAreaField(_l("Remarks for the report"), validators=[Optional(), Length(max=2000)])
    confirm = BooleanField(
        _l("I have checked these figures and sign this report."), validators=[DataRequired()]
    )
