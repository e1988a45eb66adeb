"""``flask courses check [PATH...]`` and ``flask courses import [PATH...]``.

Each problem is printed as ``file:line: message``; a course with any problem is not imported and
the command ends with a non-zero status.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.extensions import db

courses = AppGroup("courses", help="Check and import the courses of courses/.")


def _root() -> Path:
    return Path(current_app.config["COURSES_DIR"])


@courses.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check(paths: tuple[Path, ...]):
    """Check courses (default: every folder of courses/); import nothing."""
    from lms.catalog import services

    results = services.check_courses(list(paths) or None, _root())
    bad = 0
    for folder, course, problems in results:
        for problem in problems:
            click.echo(str(problem), err=True)
        if problems:
            bad += 1
        else:
            click.echo(
                f"{folder.name}: valid (version {course.version}, {len(course.lessons)} lessons, "
                f"{len(course.languages)} languages)"
            )
    if bad:
        raise click.ClickException(f"{bad} course(s) with problems")
    click.echo(f"{len(results)} course(s) valid.")


def import_all(paths: list[Path] | None = None, echo=click.echo) -> int:
    """Import courses and commit; return the number of courses with problems."""
    from lms.catalog import services

    results = services.import_courses(paths, _root())
    bad = 0
    for result in results:
        if result.action == "invalid":
            bad += 1
            for problem in result.problems or []:
                echo(str(problem), err=True)
            echo(f"{result.folder.name}: not imported", err=True)
        elif result.action == "refused":
            bad += 1
            echo(f"{result.folder.name}: not imported: {result.message}", err=True)
        else:
            echo(f"{result.slug}: {result.action} (version {result.version})")
    db.session.commit()
    return bad


@courses.command("import")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def import_command(paths: tuple[Path, ...]):
    """Import courses (default: every folder of courses/); broken courses are left out."""
    bad = import_all(list(paths) or None)
    if bad:
        raise click.ClickException(f"{bad} course(s) not imported")


def init_app(app) -> None:
    app.cli.add_command(courses)
