"""``flask --app app <command>``: seed, users, tokens, readiness, purge, alerts and the demo
admin, the commands docs/architecture.md#interfaces lists; the worker's own commands are
registered by ``crm.worker`` (docs/architecture.md#worker)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import click
from babel.lists import format_list
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from crm.accounts import operations as accounts
from crm.accounts.models import ROLES, ApiToken, User
from crm.api import tokens
from crm.core import backups
from crm.core.columns import utcnow
from crm.core.extensions import db
from crm.core.i18n import LOCALES, country_name, sort_by_country
from crm.core.presentation import localized_date
from crm.countries.seed import seed_all
from crm.privacy import retention
from crm.readiness import rules as readiness
from crm.readiness import wording

users_cli = AppGroup("users", help="Manage staff, viewer and admin accounts.")
tokens_cli = AppGroup("tokens", help="Create and revoke API bearer tokens.")
practices_cli = AppGroup("practices", help="Practices: the scan for duplicates.")


@click.command("seed")
def seed_command() -> None:
    """Load countries, programs, roles and the seeded availability (safe to run again:
    docs/architecture.md#interfaces)."""
    report = seed_all()
    db.session.commit()
    inserted = ", ".join(f"{n} {table}" for table, n in sorted(report.inserted.items()))
    click.echo(f"Seed: inserted {inserted or 'nothing (already seeded)'}.")


def create_user(email: str, role: str, password: str, name: str | None = None) -> User:
    """Create an active account (see ``crm.accounts.operations.create_user``; roles:
    docs/domain.md#roles).

    Raises ``ValueError`` if the email is taken, the role unknown, or the password too short
    or too common (``crm.accounts.passwords``).
    """
    return accounts.create_user(email, role, password, name=name)


@users_cli.command("create")
@click.option("--email", required=True, help="Login email of the new account.")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    required=True,
    help="What the account may do (docs/domain.md#roles).",
)
@click.option(
    "--name",
    prompt="Name",
    help="The person's name, shown as owner, assignee and in the audit trail "
    "(docs/domain.md#people); asked for when not given.",
)
def users_create(email: str, role: str, name: str) -> None:
    """Create an account for a named person; the name is asked for unless ``--name`` gives it,
    the password is read from CRM_PASSWORD or asked for (docs/architecture.md#interfaces)."""
    name = name.strip()
    if not name:
        raise click.ClickException("a name is needed: the person's name, as colleagues read it")
    password = os.environ.get("CRM_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        user = create_user(email, role, password, name)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {role} account {user.email}.")


#: Why ``make run``'s demo admin and demo data were not made (``on_embedded_database``).
NOT_EMBEDDED = (
    "the database is not the embedded default (SQLite under instance/, no DATABASE_URL set)"
)


def on_embedded_database() -> bool:
    """True on the embedded default: not production, and the database is the SQLite file under
    ``instance/`` that no ``DATABASE_URL`` replaced. Any other SQLite file counts as configured,
    like PostgreSQL."""
    config = current_app.config
    return bool(config["CRM_EMBEDDED"]) and (
        config["SQLALCHEMY_DATABASE_URI"] == config["CRM_EMBEDDED_DATABASE_URI"]
    )


@click.command("demo-admin")
@click.option(
    "--if-embedded", is_flag=True, help="Only say why (no error) outside the embedded default."
)
def demo_admin_command(if_embedded: bool) -> None:
    """On the embedded default only: create the demo admin once and print its login once
    (``make run``, docs/architecture.md#interfaces)."""
    if not on_embedded_database():
        if if_embedded:
            click.echo(f"No demo admin created: {NOT_EMBEDDED}.")
            return
        raise click.ClickException(
            f"the demo admin exists only on the embedded default: {NOT_EMBEDDED}"
        )
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
    """Delete spam, duplicate and unlinked responses past RAW_ANSWER_RETENTION_DAYS, and survey
    drafts past SURVEY_DRAFT_DAYS (``crm.privacy.retention``).

    A dry run by default: it prints what it would delete.
    """
    days = current_app.config["RAW_ANSWER_RETENTION_DAYS"]
    now = utcnow()
    counts = retention.purge(now, days) if apply_ else retention.purgeable(now, days)
    verb = "Deleted" if apply_ else "Would delete"
    listed = ", ".join(f"{counts[category]} {category}" for category in retention.CATEGORIES)
    click.echo(
        f"{verb} responses submitted before {retention.cutoff(now, days):%Y-%m-%d} "
        f"({days} days): {listed}; {counts['contacts']} contacts left without a response; "
        f"and {counts['emails']} emails sent or queued to their addresses. Survey drafts past "
        f"their day: {counts['drafts']}."
    )
    if apply_:
        db.session.commit()
    elif sum(counts.values()):
        click.echo("Run again with --apply to delete them.")


@click.command("readiness")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    help="text: one line per country and program; json: a list of objects "
    "(docs/architecture.md#interfaces).",
)
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice([str(s) for s in readiness.State]),
    help="Only these readiness states (repeatable).",
)
@click.option(
    "--lang",
    type=click.Choice(LOCALES),
    default="en",
    show_default=True,
    help="Language of the text output: country names and their order, sentences, dates.",
)
def readiness_command(output_format: str, states: tuple[str, ...], lang: str) -> None:
    """Print the readiness board: QOPI and QCP in every country, with each criterion
    (docs/domain.md#readiness; the JSON's shape: docs/architecture.md#interfaces).

    The text is for people: countries in the alphabetical order of their names in ``--lang``,
    each line starting with the ISO code. The JSON is for programs: ISO code order, ISO dates.
    """
    from crm.readiness.queries import readiness_board

    board = [r for r in readiness_board() if not states or str(r.state) in states]
    if output_format == "json":
        click.echo(json.dumps([wording.as_dict(r) for r in board], ensure_ascii=False, indent=2))
        return
    with force_locale(lang):
        for r in sort_by_country(board, lambda r: r.country, lang):
            summary = wording.summarize(
                r, gettext, join=lambda items: format_list(items, locale=lang)
            )
            name = country_name(r.country, lang)
            click.echo(f"{r.country}  {r.program:<4}  {r.availability:<19}  {name}: {summary}")
            for criterion in r.criteria:
                mark = "+" if criterion.met else "-"
                click.echo(
                    f"      {mark} {wording.explain(criterion, gettext, day=localized_date)}"
                )


@tokens_cli.command("create")
@click.option("--email", required=True, help="Account the token acts as.")
@click.option("--label", default=None, help="What the token is for, shown in lists.")
def tokens_create(email: str, label: str | None) -> None:
    """Print a new API token for the account, once (only its hash is stored:
    docs/architecture.md#interfaces, docs/decisions.md#sessions)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        raise click.ClickException(f"no active account for {email}")
    _row, plain = tokens.create_token(user, label)
    db.session.commit()
    click.echo(plain)


@tokens_cli.command("revoke")
@click.option("--prefix", required=True, help="The token's first 12 characters.")
def tokens_revoke(prefix: str) -> None:
    """Revoke the token with this prefix (docs/decisions.md#sessions)."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if row is None:
        raise click.ClickException(f"no token starts with {prefix}")
    tokens.revoke_token(row)
    db.session.commit()
    click.echo(f"Revoked {prefix}.")


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent snapshot of the database into the new folder PATH while the app
    serves, with a manifest of the schema revision, row counts and time (docs/deploy.md#backups).
    """
    try:
        manifest = backups.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Backup of revision {manifest.revision} as of {manifest.taken_at}: "
        f"{sum(manifest.tables.values())} rows in {len(manifest.tables)} tables, in {path}."
    )


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path, exists=True, file_okay=False))
def restore_command(path: Path) -> None:
    """Load the backup in PATH into the empty database DATABASE_URL names, then check every
    table's rows against its manifest (docs/deploy.md#backups)."""
    try:
        manifest = backups.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Restored revision {manifest.revision} as of {manifest.taken_at}: every table has the "
        f"rows of the backup ({sum(manifest.tables.values())} rows in {len(manifest.tables)} "
        "tables)."
    )


alerts_cli = AppGroup("alerts", help="Alerts for staff and viewers.")


@alerts_cli.command("run")
def alerts_run() -> None:
    """Find new alerts and queue the email digests (idempotent: a second run adds nothing;
    the worker runs the same job daily, docs/architecture.md#worker)."""
    from crm.outreach.operations import run_alerts

    result = run_alerts()
    db.session.commit()
    click.echo(f"Alerts: {result.created} new, {result.digests} digests queued.")


@practices_cli.command("duplicates")
@click.option("--country", "countries", multiple=True, help="ISO code; repeat for several.")
@click.option("--limit", default=50, show_default=True, help="Pairs printed at most.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def practices_duplicates(countries: tuple[str, ...], limit: int, output_format: str) -> None:
    """Pairs of practices of one country likely the same, best first, each with its score and
    reasons (docs/domain.md#merges); pairs marked "not the same" are left out."""
    from crm.responses.duplicates import scan
    from crm.responses.reasons import sentence

    pairs = scan([c.upper() for c in countries] or None)[:limit]
    if output_format == "json":
        click.echo(json.dumps([{
            "country": p.first.country_code, "first": p.first.id, "second": p.second.id,
            "score": round(p.alike.score), "reasons": [
                {"code": r.code, "params": r.params, "text": sentence(r)} for r in p.alike.reasons
            ],
        } for p in pairs], ensure_ascii=False, indent=1))  # fmt: skip
        return
    for p in pairs:
        why = " ".join(sentence(r) for r in p.alike.reasons)
        click.echo(f"{p.first.country_code}  {p.alike.score:3.0f}  #{p.first.id} {p.first.name}"
                   f"  ~  #{p.second.id} {p.second.name}  |  {why}")  # fmt: skip


def init_app(app: Flask) -> None:
    """Register the commands on ``app.cli``, the worker's with them
    (docs/architecture.md#interfaces)."""
    from crm import worker

    worker.init_app(app)
    app.cli.add_command(alerts_cli)
    app.cli.add_command(seed_command)
    app.cli.add_command(demo_admin_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(purge_command)
    app.cli.add_command(readiness_command)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(practices_cli)
