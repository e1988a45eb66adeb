"""``flask lrs ...``: LRS clients and statement forwarding from the command line."""

from __future__ import annotations

import json
import time

import click
from flask import current_app
from flask.cli import AppGroup

from lms.extensions import db

from . import auth, forward

lrs = AppGroup("lrs", help="The Learning Record Store: clients and forwarding.")


@lrs.command("create-client")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(auth.SCOPES),
    help="A scope (repeat for several). Default: read and write.",
)
@click.option("--json", "as_json", is_flag=True, help='Print {"key": ..., "secret": ...}.')
def create_client(name: str, scopes: tuple[str, ...], as_json: bool) -> None:
    """Create an LRS client and print its key and secret (the secret is shown only once)."""
    try:
        client, secret = auth.create_client(db.session, name, list(scopes) or None, "command line")
    except auth.ScopeError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"key": client.key, "secret": secret}))
        return
    click.echo(f"Client:  {client.name}")
    click.echo(f"Scopes:  {client.scopes}")
    click.echo(f"Key:     {client.key}")
    click.echo(f"Secret:  {secret}")
    click.echo("Keep the secret now: it cannot be shown again.")


@lrs.command("list-clients")
def list_clients() -> None:
    """List LRS clients with their scopes and whether they are revoked."""
    clients = auth.list_clients(db.session)
    if not clients:
        click.echo("No LRS clients.")
        return
    for client in clients:
        state = f"revoked {client.revoked_at:%Y-%m-%d %H:%M}" if client.revoked_at else "active"
        click.echo(f"{client.key}  {client.name}  [{client.scopes}]  {state}")


@lrs.command("revoke-client")
@click.argument("key")
def revoke_client(key: str) -> None:
    """Revoke an LRS client: its credentials stop working at once."""
    client = auth.revoke_client(db.session, key)
    if client is None:
        raise click.ClickException(f"no LRS client with key {key}")
    db.session.commit()
    click.echo(f"Revoked {client.key} ({client.name}).")


def _target() -> forward.ForwardTarget:
    config = current_app.config
    url = config.get("LRS_FORWARD_URL")
    if not url:
        raise click.ClickException("forwarding is not configured: set LMS_LRS_FORWARD_URL")
    return forward.ForwardTarget(
        url=url, key=config.get("LRS_FORWARD_KEY"), secret=config.get("LRS_FORWARD_SECRET")
    )


@lrs.command("forward")
@click.option("--loop", is_flag=True, help="Keep running, draining the outbox every interval.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between rounds.")
@click.option("--batch", default=100, show_default=True, help="Statements per request.")
@click.option("--enqueue-existing", is_flag=True, help="First queue statements never queued.")
def forward_command(loop: bool, interval: float, batch: int, enqueue_existing: bool) -> None:
    """Send the statements waiting in the outbox to the external LRS."""
    target = _target()
    if enqueue_existing:
        queued = forward.enqueue_all(db.session)
        db.session.commit()
        click.echo(f"Queued {queued} earlier statements.")
    while True:
        result = forward.drain(db.session, target, batch=batch)
        state = forward.outbox_state(db.session)
        click.echo(
            f"Sent {result.sent}, failed {result.failed}; waiting {state.pending}"
            + (f" (last error: {state.last_error})" if state.last_error else "")
        )
        db.session.remove()
        if not loop:
            break
        time.sleep(interval)


def init_app(app) -> None:
    app.cli.add_command(lrs)
