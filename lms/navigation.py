"""The main menu. Each area registers its entries; the menu shows those the user's roles allow."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavEntry:
    label: object  # a lazy string
    endpoint: str
    roles: tuple[str, ...]
    order: int = 50


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str


_ENTRIES: list[NavEntry] = []


def register(label, endpoint: str, roles: tuple[str, ...], order: int = 50) -> None:
    if all(e.endpoint != endpoint for e in _ENTRIES):
        _ENTRIES.append(NavEntry(label, endpoint, roles, order))
        _ENTRIES.sort(key=lambda e: e.order)


def nav_items() -> list[NavLink]:
    if not current_user.is_authenticated:
        return []
    return [
        NavLink(str(e.label), url_for(e.endpoint))
        for e in _ENTRIES
        if current_user.has_role(*e.roles)
    ]


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        nav_items=nav_items,
        admin_links=admin_links,
        home_sections=home_sections,
        rotation_links=rotation_links,
        person_links=person_links,
        label=label,
        page_url=page_url,
        role_label=lambda role: label("account_role", role),
        can_see_contingent=_can_see_contingent,
    )


# Other areas add to the home page and to the rotation and person pages through these hooks:
# each hook is a function that returns HTML (home) or a list of NavLink (rotation, person).
_HOME_SECTIONS: list = []
_ROTATION_LINKS: list = []
_PERSON_LINKS: list = []


def register_home_section(func) -> None:
    if func not in _HOME_SECTIONS:
        _HOME_SECTIONS.append(func)


def register_rotation_links(func) -> None:
    if func not in _ROTATION_LINKS:
        _ROTATION_LINKS.append(func)


def register_person_links(func) -> None:
    if func not in _PERSON_LINKS:
        _PERSON_LINKS.append(func)


def home_sections() -> list:
    return [html for html in (f() for f in _HOME_SECTIONS) if html]


def rotation_links(rotation) -> list[NavLink]:
    return [link for f in _ROTATION_LINKS for link in f(rotation)]


def person_links(person) -> list[NavLink]:
    return [link for f in _PERSON_LINKS for link in f(person)]


def label(kind: str, key: str) -> str:
    """The translated label of a code value (role, kind, status...)."""
    from lms.auth.roles import ROLE_LABELS
    from lms.org import models

    tables = {
        "role": models.PERSON_ROLES,
        "kind": models.CONTINGENT_KINDS,
        "subunit": models.SUBUNIT_KINDS,
        "status": models.ROTATION_STATUSES,
        "account_role": ROLE_LABELS,
    }
    value = tables.get(kind, {}).get(key)
    return str(value) if value is not None else key


def page_url(number: int) -> str:
    """The current page's URL with its query kept and another page number."""
    args = request.args.to_dict()
    args["page"] = number
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _can_see_contingent(contingent) -> bool:
    from lms.org.scoping import can_see_contingent

    return current_user.is_authenticated and can_see_contingent(current_user, contingent)


_ADMIN_LINKS: list[NavEntry] = []


def register_admin_link(label, endpoint: str) -> None:
    """A card on the administration page (e.g. LRS clients, statements, field kits)."""
    if all(e.endpoint != endpoint for e in _ADMIN_LINKS):
        _ADMIN_LINKS.append(NavEntry(label, endpoint, ("admin",)))


def admin_links() -> list[NavLink]:
    return [NavLink(str(e.label), url_for(e.endpoint)) for e in _ADMIN_LINKS]
