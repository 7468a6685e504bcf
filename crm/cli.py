"""``flask --app app <command>``: seed, users, and the other commands of SPEC §6."""

from __future__ import annotations

import os
import secrets

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_security import hash_password
from sqlalchemy import func, select

from crm import audit
from crm.extensions import db
from crm.models import Role, User
from crm.models._types import utcnow
from crm.models.users import ROLES
from crm.operations import retention
from crm.seed import seed_all

users_cli = AppGroup("users", help="Manage staff, viewer and admin accounts.")


@click.command("seed")
def seed_command() -> None:
    """Load countries, programs, roles and the seeded availability (safe to run again)."""
    report = seed_all()
    db.session.commit()
    inserted = ", ".join(f"{n} {table}" for table, n in sorted(report.inserted.items()))
    click.echo(f"Seed: inserted {inserted or 'nothing (already seeded)'}.")


def create_user(email: str, role: str, password: str, name: str | None = None) -> User:
    """Create an active account with an argon2 hash of ``password`` and the given SPEC §1 role.

    Raises ``ValueError`` if the email is taken, the role unknown, or the password too short
    or too common (``crm.passwords``).
    """
    email = email.strip().lower()
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        raise ValueError(f"an account for {email} already exists")
    security = current_app.extensions["security"]
    errors, password = security.password_util.validate(password, True, email=email, name=name)
    if errors:
        raise ValueError("; ".join(str(e) for e in errors))
    datastore = security.datastore
    role_row = db.session.scalar(select(Role).where(Role.name == role))
    if role_row is None:
        raise ValueError("roles are missing: run `flask --app app seed` first")
    user = datastore.create_user(
        email=email, password=hash_password(password), name=name, roles=[role_row]
    )
    db.session.flush()
    audit.record("user.create", "user", user.id, {"email": [None, email], "role": [None, role]})
    return user


@users_cli.command("create")
@click.option("--email", required=True, help="Login email of the new account.")
@click.option("--role", type=click.Choice(ROLES), required=True, help="SPEC §1 role.")
@click.option("--name", default=None, help="Display name.")
def users_create(email: str, role: str, name: str | None) -> None:
    """Create an account; the password is read from CRM_PASSWORD or asked for."""
    password = os.environ.get("CRM_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        user = create_user(email, role, password, name)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {role} account {user.email}.")


@click.command("demo-admin")
@click.option("--if-embedded", is_flag=True, help="Do nothing (no error) outside the default.")
def demo_admin_command(if_embedded: bool) -> None:
    """On the embedded default only: create the demo admin once and print its login once."""
    if not current_app.config["CRM_EMBEDDED"]:
        if if_embedded:
            return
        raise click.ClickException("the demo admin exists only on the embedded SQLite default")
    email = current_app.config["CRM_DEMO_ADMIN_EMAIL"]
    if db.session.scalar(select(User).where(User.email == email)):
        return
    password = secrets.token_urlsafe(12)
    create_user(email, "admin", password, name="Demo admin")
    db.session.commit()
    click.echo(f"Demo admin created. Log in at /staff/login as {email} with password {password}")
    click.echo("(shown once; create your own accounts with `flask --app app users create`)")


@click.command("purge")
@click.option("--apply", "apply_", is_flag=True, help="Delete; without it, only report.")
def purge_command(apply_: bool) -> None:
    """Delete spam, duplicate and unlinked responses past RAW_ANSWER_RETENTION_DAYS.

    A dry run by default: it prints what it would delete.
    """
    days = current_app.config["RAW_ANSWER_RETENTION_DAYS"]
    now = utcnow()
    counts = retention.purge(now, days) if apply_ else retention.purgeable(now, days)
    verb = "Deleted" if apply_ else "Would delete"
    listed = ", ".join(f"{n} {category}" for category, n in counts.items())
    click.echo(
        f"{verb} responses submitted before {retention.cutoff(now, days):%Y-%m-%d} "
        f"({days} days): {listed}."
    )
    if apply_:
        db.session.commit()
    elif sum(counts.values()):
        click.echo("Run again with --apply to delete them.")


def init_app(app: Flask) -> None:
    """Register the commands on ``app.cli``."""
    from crm import worker

    worker.init_app(app)
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_admin_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(purge_command)
