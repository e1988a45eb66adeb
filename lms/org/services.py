"""Rules about the organisation: listing with scope, and the roster import."""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from lms.config import LANGUAGES
from lms.extensions import db
from lms.org import scoping
from lms.org.models import (
    PERSON_ROLES,
    Contingent,
    Person,
    Rotation,
    RotationMember,
    SubUnit,
)

ROSTER_COLUMNS = (
    "service_number",
    "given_name",
    "family_name",
    "rank",
    "role",
    "preferred_language",
    "subunit",
    "position",
    "email",
)
REQUIRED_COLUMNS = ("service_number", "given_name", "family_name")
SERVICE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\-]{1,39}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ROSTER_ROWS = 5000


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(stmt, page: int, per_page: int) -> Page:
    page = max(1, page)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total or 0)


def like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def person_matches(search: str):
    """People whose name or service number contains ``search`` (case-insensitive)."""
    pattern = like(search)
    return or_(
        *(
            func.lower(column).like(pattern, escape="\\")
            for column in (Person.family_name, Person.given_name, Person.service_number)
        )
    )


def visible_contingents(user, search: str = ""):
    stmt = select(Contingent).where(scoping.contingent_clause(user)).order_by(Contingent.name)
    if search:
        stmt = stmt.where(func.lower(Contingent.name).like(like(search), escape="\\"))
    return stmt


def people_query(user, search: str = "", country_id: uuid.UUID | None = None):
    stmt = select(Person).where(scoping.person_clause(user), Person.erased_at.is_(None))
    if country_id:
        stmt = stmt.where(Person.country_id == country_id)
    if search:
        stmt = stmt.where(person_matches(search))
    return stmt.order_by(Person.family_name, Person.given_name)


def roster_query(rotation: Rotation, search: str = "", subunit_id: uuid.UUID | None = None):
    stmt = (
        select(RotationMember)
        .join(Person, Person.id == RotationMember.person_id)
        .where(RotationMember.rotation_id == rotation.id, Person.erased_at.is_(None))
    )
    if subunit_id:
        stmt = stmt.where(RotationMember.subunit_id == subunit_id)
    if search:
        stmt = stmt.where(person_matches(search))
    return stmt.order_by(Person.family_name, Person.given_name)


# --- Roster import -----------------------------------------------------------------------

ROW_ERRORS = {
    "missing": _l("“%(column)s” is empty"),
    "service_number": _l("service number “%(value)s” is not valid (letters, digits, / and -)"),
    "role": _l("role “%(value)s” is unknown"),
    "language": _l("language “%(value)s” is not one of the platform's languages"),
    "subunit": _l("sub-unit “%(value)s” does not exist in this contingent"),
    "email": _l("e-mail address “%(value)s” is not valid"),
    "duplicate": _l("service number “%(value)s” appears again (first on line %(line)s)"),
    "too_long": _l("“%(column)s” is longer than %(max)s characters"),
}

FILE_ERRORS = {
    "encoding": _l("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."),
    "empty": _l("The file is empty."),
    "columns": _l("Missing columns: %(columns)s. The first line must name the columns."),
    "unknown_columns": _l("Unknown columns: %(columns)s."),
    "too_many": _l("The file has more than %(max)s rows. Split it into smaller files."),
}


@dataclass
class RowProblem:
    line: int
    code: str
    params: dict

    def message(self) -> str:
        return str(ROW_ERRORS[self.code] % self.params)


@dataclass
class ImportReport:
    file_error: tuple[str, dict] | None = None
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    added: int = 0
    already: int = 0

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.problems

    def file_message(self) -> str | None:
        if self.file_error is None:
            return None
        code, params = self.file_error
        return str(FILE_ERRORS[code] % params)


_LIMITS = {
    "service_number": 40,
    "given_name": 120,
    "family_name": 120,
    "rank": 60,
    "position": 120,
    "email": 200,
}


def _parse_roster(data: bytes) -> tuple[list[tuple[int, dict]], ImportReport]:
    report = ImportReport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.file_error = ("encoding", {})
        return [], report
    if not text.strip():
        report.file_error = ("empty", {})
        return [], report
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = headers
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        report.file_error = ("columns", {"columns": ", ".join(missing)})
        return [], report
    unknown = [h for h in headers if h and h not in ROSTER_COLUMNS]
    if unknown:
        report.file_error = ("unknown_columns", {"columns": ", ".join(unknown)})
        return [], report
    rows = []
    for row in reader:
        if reader.line_num - 1 > MAX_ROSTER_ROWS:
            report.file_error = ("too_many", {"max": MAX_ROSTER_ROWS})
            return [], report
        clean = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(clean.values()):
            continue
        rows.append((reader.line_num, clean))
    return rows, report


def import_roster(rotation: Rotation, data: bytes, actor, *, apply: bool = True) -> ImportReport:
    """Check every row of a roster CSV; import all of them, or nothing when any row is bad.

    People are matched on (country, service number): a known person is updated and added to
    the rotation, an unknown one is created. Nothing is written when the report has a problem.
    """
    rows, report = _parse_roster(data)
    if report.file_error:
        return report
    contingent = rotation.contingent
    country_id = contingent.country_id
    subunits = {s.name.strip().lower(): s for s in contingent.subunits}
    role_keys = {k.lower(): k for k in PERSON_ROLES}
    seen: dict[str, int] = {}
    prepared = []
    for line, row in rows:
        report.rows += 1
        problems_before = len(report.problems)

        def problem(code: str, _line=line, **params) -> None:
            report.problems.append(RowProblem(_line, code, params))

        for column in REQUIRED_COLUMNS:
            if not row.get(column):
                problem("missing", column=column)
        for column, limit in _LIMITS.items():
            if len(row.get(column, "")) > limit:
                problem("too_long", column=column, max=limit)
        number = row.get("service_number", "")
        if number and not SERVICE_NUMBER.match(number):
            problem("service_number", value=number)
        elif number:
            key = number.upper()
            if key in seen:
                problem("duplicate", value=number, line=seen[key])
            else:
                seen[key] = line
        role = row.get("role", "").lower() or "infantry"
        if role not in role_keys:
            problem("role", value=row.get("role"))
        lang = row.get("preferred_language", "").lower() or "en"
        if lang not in LANGUAGES:
            problem("language", value=row.get("preferred_language"))
        subunit_name = row.get("subunit", "")
        subunit = subunits.get(subunit_name.lower()) if subunit_name else None
        if subunit_name and subunit is None:
            problem("subunit", value=subunit_name)
        email = row.get("email", "")
        if email and not EMAIL.match(email):
            problem("email", value=email)
        if len(report.problems) == problems_before:
            prepared.append((row, role_keys.get(role, "infantry"), lang, subunit))
    if not report.ok or not apply:
        return report

    numbers = [row["service_number"] for row, *_ in prepared]
    existing = {
        p.service_number.upper(): p
        for p in db.session.scalars(
            select(Person).where(
                Person.country_id == country_id,
                func.upper(Person.service_number).in_([n.upper() for n in numbers]),
            )
        )
    }
    members = {m.person_id: m for m in rotation.members}
    for row, role, lang, subunit in prepared:
        person = existing.get(row["service_number"].upper())
        if person is None:
            person = Person(country_id=country_id, service_number=row["service_number"])
            db.session.add(person)
            report.created += 1
        else:
            report.updated += 1
        person.given_name = row["given_name"]
        person.family_name = row["family_name"]
        person.rank = row.get("rank", "") or person.rank or ""
        person.role = role
        person.preferred_language = lang
        person.email = row.get("email") or person.email
        db.session.flush()
        member = members.get(person.id)
        if member is None:
            member = RotationMember(rotation=rotation, person=person)
            db.session.add(member)
            members[person.id] = member
            report.added += 1
        else:
            report.already += 1
        member.subunit = subunit
        member.position = row.get("position", "") or member.position or ""
    db.session.flush()
    from lms.audit.services import record

    record(
        actor,
        "roster.import",
        f"rotation:{rotation.id}",
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        added=report.added,
    )
    return report


def subunit_choices(contingent: Contingent) -> list[SubUnit]:
    return list(contingent.subunits)
