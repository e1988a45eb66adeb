"""Command-line tools: ``flask create-admin``, ``flask demo``, ``flask roster``, ``flask translations``.

Errors are one clear line on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import getpass
import subprocess  # noqa: S404 (runs pybabel, a fixed program with fixed arguments)
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from lms.auth import services as accounts
from lms.auth.roles import ADMIN
from lms.config import LANGUAGES, ROOT
from lms.extensions import db

TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"


def fail(message: str) -> None:
    raise click.ClickException(message)


@click.command("create-admin")
@with_appcontext
@click.argument("username")
@click.option("--name", "display_name", default="", help="Name shown in the portal.")
@click.option("--password", default=None, help="Password (prompted for when left out).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_admin(username: str, display_name: str, password: str | None, password_stdin: bool):
    """Create an administrator account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif password is None:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            fail("the two passwords differ")
    problem = accounts.password_problem(password, username)
    if problem:
        fail(
            f"password refused ({problem}): use at least {accounts.MIN_PASSWORD_LENGTH} characters"
        )
    try:
        accounts.create_user(username, password, display_name or username, {ADMIN})
    except accounts.AccountError as exc:
        fail(f"cannot create {username!r}: {exc}")
    db.session.commit()
    click.echo(f"Administrator {username} created.")


demo = AppGroup("demo", help="Demonstration data: the fictional mission UNMIC in Carana.")


@demo.command("load")
@click.option("--people", default=320, show_default=True, type=click.IntRange(30, 20000))
@click.option("--seed", default=2026, show_default=True, type=int)
def demo_load(people: int, seed: int):
    """Load the demo mission, countries, units, rotations, people and one login per role."""
    from lms import demo as demo_data

    if demo_data.is_loaded():
        click.echo("Demo data is already loaded.")
    else:
        summary = demo_data.load(people=people, seed=seed)
        db.session.commit()
        click.echo(
            f"Loaded {summary['countries']} countries, {summary['contingents']} contingents, "
            f"{summary['rotations']} rotations, {summary['people']} people."
        )
    from lms.catalog.cli import import_all

    import_all()  # the courses of courses/ (unchanged ones are left as they are)
    click.echo("Demo logins (username / password):")
    for username, password, role in demo_data.DEMO_LOGINS:
        click.echo(f"  {role:<22} {username:<18} {password}")


roster = AppGroup("roster", help="Rosters of rotations.")


@roster.command("import")
@click.argument("rotation")
@click.argument("csv_file", type=click.Path(dir_okay=False))
@click.option("--check", is_flag=True, help="Only check the file; import nothing.")
def roster_import(rotation: str, csv_file: str, check: bool):
    """Import the people of ROTATION (its id, or CONTINGENT-CODE:NUMBER) from CSV_FILE."""
    from lms.org import services
    from lms.org.models import Contingent, Rotation

    rot = None
    if ":" in rotation:
        code, _, number = rotation.rpartition(":")
        if number.isdigit():
            rot = db.session.scalar(
                select(Rotation)
                .join(Contingent)
                .where(Contingent.code == code, Rotation.number == int(number))
            )
    else:
        import uuid

        try:
            rot = db.session.get(Rotation, uuid.UUID(rotation))
        except ValueError:
            rot = None
    if rot is None:
        fail(f"no rotation {rotation!r}: give its id or CONTINGENT-CODE:NUMBER (e.g. NEPBATT:3)")
    path = Path(csv_file)
    if not path.exists():
        fail(f"{csv_file}: no such file")
    report = services.import_roster(rot, path.read_bytes(), None, apply=not check)
    if report.file_message():
        fail(f"{csv_file}: {report.file_message()}")
    if report.problems:
        for p in report.problems:
            click.echo(f"{csv_file}:{p.line}: {p.message()}", err=True)
        db.session.rollback()
        fail(f"{len(report.problems)} problem(s); nothing was imported")
    if check:
        click.echo(f"{report.rows} rows are valid; nothing imported (--check).")
        return
    db.session.commit()
    click.echo(
        f"Imported {report.rows} rows: {report.created} new people, {report.updated} updated, "
        f"{report.added} added to the rotation, {report.already} already in it."
    )


translations = AppGroup("translations", help="Extract, update and compile the UI catalogs.")


def _pybabel(*args: str) -> None:
    cmd = [sys.executable, "-m", "babel.messages.frontend", *args]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        fail(f"pybabel {args[0]} failed: {result.stderr.strip()}")


@translations.command("extract")
def translations_extract():
    """Collect every UI string into translations/messages.pot."""
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "--project",
        "peacekeeping-lms",
        "-o",
        str(POT),
        ".",
    )
    click.echo(f"Wrote {POT.relative_to(ROOT)}")


@translations.command("update")
def translations_update():
    """Merge new strings from messages.pot into every language's catalog."""
    for lang in LANGUAGES:
        if lang == "en":
            continue
        po = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _pybabel(
                "update",
                "-i",
                str(POT),
                "-d",
                str(TRANSLATIONS),
                "-l",
                lang,
                "--no-wrap",
                "--ignore-obsolete",
            )
        else:
            _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", lang, "--no-wrap")
    click.echo("Catalogs updated.")


@translations.command("compile")
def translations_compile():
    """Compile the catalogs (.po) into the files the portal reads (.mo)."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--use-fuzzy")
    click.echo("Catalogs compiled.")


@translations.command("check")
def translations_check():
    """Fail when a catalog misses a translation of any UI string."""
    from lms.i18n import missing_translations

    missing = missing_translations()
    for lang, ids in missing.items():
        for msgid in ids[:10]:
            click.echo(f"{lang}: missing {msgid!r}", err=True)
    if missing:
        fail(f"{sum(len(v) for v in missing.values())} missing translation(s)")
    click.echo("Every catalog is complete.")


def init_app(app: Flask) -> None:
    for command in (create_admin, demo, roster, translations):
        app.cli.add_command(command)
