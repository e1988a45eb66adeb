"""Command-line tools: clear messages and non-zero exits on bad input."""

from sqlalchemy import select

from lms.auth.models import User
from lms.extensions import db


def test_create_admin(app, runner):
    result = runner.invoke(args=["create-admin", "chief", "--password", "a long enough passphrase"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "chief")).has_role("admin")
    again = runner.invoke(args=["create-admin", "chief", "--password", "a long enough passphrase"])
    assert again.exit_code != 0 and "username-taken" in again.output


def test_create_admin_refuses_short_password(runner):
    result = runner.invoke(args=["create-admin", "chief", "--password", "short"])
    assert result.exit_code != 0
    assert "password refused" in result.output


def test_demo_load_prints_logins_and_is_idempotent(app, runner):
    result = runner.invoke(args=["demo", "load", "--people", "60"])
    assert result.exit_code == 0, result.output
    assert "trainer.npl" in result.output and "carana-trainer-2026" in result.output
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and "already loaded" in again.output


def test_demo_load_rejects_bad_option(runner):
    result = runner.invoke(args=["demo", "load", "--people", "-5"])
    assert result.exit_code != 0
    assert "Invalid value" in result.output
