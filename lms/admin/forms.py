"""Administration forms. Choices that come from the database are filled per request."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from lms.auth.roles import ALL_ROLES, ROLE_LABELS
from lms.config import LANGUAGES
from lms.org.models import CONTINGENT_KINDS, PERSON_ROLES, ROTATION_STATUSES, SUBUNIT_KINDS


def _uuid_or_none(value):
    if value in (None, "", "None"):
        return None
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


class UUIDSelectField(SelectField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", _uuid_or_none)
        super().__init__(*args, **kwargs)

    def pre_validate(self, form):
        if self.data is None and any(v is None for v, _ in self.choices):
            return
        super().pre_validate(form)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CountryForm(FlaskForm):
    iso_code = StringField(
        _l("ISO code"),
        validators=[
            DataRequired(),
            Regexp(r"^[A-Za-z]{3}$", message=_l("Three letters (ISO 3166-1 alpha-3), e.g. NPL.")),
        ],
        filters=[lambda v: v.strip().upper() if v else v],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    default_language = SelectField(_l("Default language"), choices=list(LANGUAGES.items()))


class MissionForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    host_country = StringField(_l("Host country"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])


class ContingentForm(FlaskForm):
    country_id = UUIDSelectField(_l("Country"), validators=[InputRequired()])
    mission_id = UUIDSelectField(_l("Mission"), validators=[InputRequired()])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[(k, v) for k, v in CONTINGENT_KINDS.items()])


class SubUnitForm(FlaskForm):
    contingent_id = UUIDSelectField(_l("Contingent"), validators=[InputRequired()])
    parent_id = UUIDSelectField(_l("Part of"), validators=[Optional()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=[(k, v) for k, v in SUBUNIT_KINDS.items()])


class RotationForm(FlaskForm):
    contingent_id = UUIDSelectField(_l("Contingent"), validators=[InputRequired()])
    number = IntegerField(_l("Rotation number"), validators=[InputRequired(), NumberRange(1, 999)])
    planned_deployment = DateField(_l("Planned deployment date"), validators=[InputRequired()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=[(k, v) for k, v in ROTATION_STATUSES.items()])
    target_ready_share = FloatField(
        _l("Readiness target (0 to 1)"), validators=[InputRequired(), NumberRange(0, 1)]
    )

    def validate_end_date(self, field):
        if (
            field.data
            and self.planned_deployment.data
            and field.data <= self.planned_deployment.data
        ):
            raise ValidationError(_l("The end date must come after the deployment date."))


class CohortForm(FlaskForm):
    rotation_id = UUIDSelectField(_l("Rotation"), validators=[InputRequired()])
    subunit_id = UUIDSelectField(_l("Sub-unit"), validators=[Optional()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    fill = BooleanField(_l("Add the rotation's members (of the sub-unit, if one is chosen)"))


class PersonForm(FlaskForm):
    country_id = UUIDSelectField(_l("Country"), validators=[InputRequired()])
    service_number = StringField(
        _l("Service number"),
        validators=[
            DataRequired(),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9/\-]{1,39}$", message=_l("Letters, digits, / and - only.")
            ),
        ],
    )
    given_name = StringField(_l("Given name"), validators=[DataRequired(), Length(max=120)])
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=120)])
    rank = StringField(_l("Rank"), validators=[Optional(), Length(max=60)])
    role = SelectField(_l("Role or specialty"), choices=[(k, v) for k, v in PERSON_ROLES.items()])
    preferred_language = SelectField(_l("Preferred language"), choices=list(LANGUAGES.items()))
    email = StringField(
        _l("E-mail"), validators=[Optional(), Email(check_deliverability=False), Length(max=200)]
    )


class UserForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(
                r"^[A-Za-z0-9._-]+$", message=_l("Letters, digits, dot, dash and underscore only.")
            ),
        ],
    )
    display_name = StringField(_l("Name shown"), validators=[DataRequired(), Length(max=200)])
    email = StringField(
        _l("E-mail"), validators=[Optional(), Email(check_deliverability=False), Length(max=200)]
    )
    locale = SelectField(_l("Language"), choices=list(LANGUAGES.items()))
    roles = MultiCheckboxField(
        _l("Roles"), choices=[(r, ROLE_LABELS[r]) for r in ALL_ROLES], validators=[DataRequired()]
    )
    countries = MultiCheckboxField(
        _l("Countries (trainers and controllers see these)"), coerce=_uuid_or_none
    )
    contingents = MultiCheckboxField(
        _l("Contingents (trainers and controllers see these)"), coerce=_uuid_or_none
    )
    active = BooleanField(_l("Account active"), default=True)


class ConfirmForm(FlaskForm):
    """An empty form: a CSRF-protected button."""
