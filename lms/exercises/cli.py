"""``flask exercises ...``: exercise runs from the command line (the same operations as the pages)."""

from __future__ import annotations

import uuid

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.exercises import scenarios, services
from lms.exercises.models import ExerciseRun
from lms.extensions import db

exercises = AppGroup("exercises", help="Scenario exercise runs: list, new join code, close.")


def _run(run_id: str) -> ExerciseRun:
    try:
        run = db.session.get(ExerciseRun, uuid.UUID(run_id))
    except ValueError:
        run = None
    if run is None:
        raise click.ClickException(f"no exercise run {run_id}")
    return run


@exercises.command("list")
@click.option("--all", "show_all", is_flag=True, help="Closed runs too.")
def list_runs(show_all: bool) -> None:
    """List exercise runs (open ones by default) with their join codes."""
    query = select(ExerciseRun).order_by(ExerciseRun.created_at.desc())
    if not show_all:
        query = query.where(ExerciseRun.status == "open")
    runs = db.session.scalars(query).all()
    if not runs:
        click.echo("No exercise runs.")
        return
    now = services.utcnow()
    for run in runs:
        code = run.join_code or "-"
        if run.join_expires_at is not None and run.join_expires_at < now:
            code += " (expired)"
        title = scenarios.title(run.scenario_id, "en")
        click.echo(
            f"{run.id}  {run.status:<6}  {code:<16}  {title} — {run.rotation.label}"
            f" ({len(run.members)} people)"
        )


@exercises.command("new-code")
@click.argument("run_id")
def new_code(run_id: str) -> None:
    """Give an open run a new join code, valid for twelve hours."""
    run = _run(run_id)
    if not run.is_open:
        raise click.ClickException("this run is closed")
    code = services.assign_join_code(run)
    db.session.commit()
    click.echo(code)


@exercises.command("close")
@click.argument("run_id")
def close(run_id: str) -> None:
    """Close a run: record each player's result, stop its launch links, revoke its credentials."""
    run = _run(run_id)
    if not run.is_open:
        raise click.ClickException("this run is already closed")
    recorded = services.close_run(run)
    db.session.commit()
    click.echo(f"Closed; {recorded} result statements recorded.")


def init_app(app) -> None:
    app.cli.add_command(exercises)
