"""``flask kit ...``: set up a field kit, register peers, move bundles, sync online, status.

Errors are one clear line on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.extensions import db

from . import client, services
from .bundle import BundleError
from .services import SyncError

kit = AppGroup("kit", help="Field kit: offline instance, bundles and sync with HQ.")


def _fail(exc: Exception):
    db.session.rollback()
    raise click.ClickException(str(exc)) from None


def _write_json(path: str, document: dict) -> None:
    Path(path).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


@kit.command("init")
@click.option("--name", default="", help="A name HQ will know this kit by (e.g. the position).")
def init(name: str) -> None:
    """Make this instance a field kit: a kit id and a signing key pair."""
    try:
        ident = services.init_identity(db.session, "kit", name or "Field kit")
    except SyncError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"Field kit {ident.name}: id {ident.id}")
    click.echo("Next: `flask kit export-registration kit.json` and take the file to HQ.")


@kit.command("export-registration")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--contingent", "contingents", multiple=True, help="Contingent code served.")
def export_registration(file: str, contingents: tuple[str, ...]) -> None:
    """Write this kit's registration file (id, name, public key) for HQ."""
    try:
        ident = services.require_identity(db.session)
        if ident.role != "kit":
            raise SyncError("this instance is HQ; use `flask kit hq-identity FILE`")
    except SyncError as exc:
        _fail(exc)
    _write_json(file, services.identity_document(ident, list(contingents)))
    click.echo(f"Registration of kit {ident.id} written to {file}.")


@kit.command("hq-identity")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--name", default="HQ", help="The name kits will know HQ by.")
def hq_identity(file: str, name: str) -> None:
    """At HQ: write HQ's identity file (public key) for the kits to register."""
    try:
        ident = services.init_identity(db.session, "hq", name)
    except SyncError as exc:
        _fail(exc)
    db.session.commit()
    _write_json(file, services.identity_document(ident))
    click.echo(f"HQ identity {ident.id} written to {file}.")


@kit.command("register")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--contingent",
    "contingents",
    multiple=True,
    help="At HQ: a contingent code the kit serves (repeat). Default: from the file.",
)
def register(file: str, contingents: tuple[str, ...]) -> None:
    """Register a peer from its file: a kit at HQ, or HQ's identity at a kit."""
    try:
        document = json.loads(Path(file).read_text(encoding="utf-8"))
        peer = services.register_peer(
            db.session, document, "command line", list(contingents) or None
        )
    except (SyncError, ValueError) as exc:
        _fail(exc)
    db.session.commit()
    served = ", ".join(peer.contingent_codes) or "all contingents"
    click.echo(f"Registered {peer.role} {peer.name} ({peer.id}); serves: {served}.")


@kit.command("export-bundle")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--to", "peer_id", default=None, help="At HQ: the kit id the bundle is for.")
@click.option("--full", is_flag=True, help="Send everything again, not only what is new.")
def export_bundle(file: str, peer_id: str | None, full: bool) -> None:
    """Write a signed bundle of what the other side has not yet acknowledged."""
    try:
        mine = services.require_identity(db.session)
        peer = services.the_peer(db.session, peer_id)
        owed = services.pending(db.session, mine, peer)
        with click.progressbar(
            length=max(owed.total, 1), label="Writing bundle", show_pos=True
        ) as bar:
            manifest = services.export_bundle(
                db.session, file, peer_id, full=full, progress=lambda c: bar.update(c.count)
            )
    except (SyncError, BundleError) as exc:
        _fail(exc)
    db.session.rollback()
    count = sum(c["count"] for c in manifest.chunks)
    click.echo(f"{count} items in {len(manifest.chunks)} chunks written to {file}.")


@kit.command("import-bundle")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_bundle(file: str) -> None:
    """Check a bundle (signature, every chunk), then apply it; importing twice changes nothing."""
    try:
        from .bundle import Reader

        with Reader(file) as reader:
            total = sum(c["count"] for c in reader.manifest.chunks)
        with click.progressbar(length=max(total, 1), label="Importing", show_pos=True) as bar:
            result = services.import_bundle(
                db.session, file, progress=lambda entry: bar.update(entry["count"])
            )
    except (SyncError, BundleError) as exc:
        _fail(exc)
    click.echo(json.dumps(result.as_dict()))


@kit.command("sync")
@click.argument("url")
def sync(url: str) -> None:
    """Online: push to HQ at URL (resumes after a broken link), then pull HQ's updates."""
    try:
        mine = services.require_identity(db.session)
        owed = services.pending(db.session, mine, services.the_peer(db.session))
        with click.progressbar(length=max(owed.total, 1), label="Sending", show_pos=True) as bar:
            result = client.sync(
                db.session, url, progress=lambda c: bar.update(c.count if c else 0)
            )
    except (SyncError, BundleError) as exc:
        _fail(exc)
    click.echo(
        f"Sent {result.statements_pushed} statements and {result.records_pushed} records "
        f"in {result.chunks_pushed} chunks; received {json.dumps(result.pulled)}"
    )


@kit.command("status")
def status() -> None:
    """This instance's identity, its peers, last syncs and what is still to send."""
    mine, rows = services.status(db.session)
    if mine is None:
        click.echo("Not a field kit or HQ yet (`flask kit init` or `flask kit hq-identity`).")
        return
    click.echo(f"This instance: {mine.role} {mine.name} ({mine.id})")
    if not rows:
        click.echo("No peer registered.")
    for row in rows:
        peer = row.peer
        click.echo(
            f"{peer.role} {peer.name} ({peer.id}): last sync "
            f"{services.naive_utc(peer.last_sync_at)} {peer.last_sync_how}; "
            f"to send: {row.pending.statements} statements, {row.pending.records} records; "
            f"conflicts kept: {row.conflicts}"
        )
