"""`flask survey ...`: validate content, write JSON Schemas, create the database."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from .auth import AccountError, create_user
from .extensions import db
from .questionnaire import ContentError, Questionnaire, load_registry
from .settings import Settings


@click.group()
def survey() -> None:
    """Questionnaire content and database commands."""


@survey.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check questionnaire files (default: the configured folder); exit 1 on any problem."""
    targets = list(paths) or [Settings().questionnaires_dir]
    try:
        registry = load_registry(targets)
    except ContentError as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(exc.errors)} problem(s) found.", err=True)
        raise SystemExit(1) from None
    click.echo(f"OK: {len(registry.questionnaires)} questionnaire(s) valid.")


def questionnaire_schema() -> str:
    """The JSON Schema of questionnaire files, as committed in questionnaires/schema.json."""
    schema = Questionnaire.model_json_schema(by_alias=True)
    schema["title"] = "survey_app questionnaire (schema_version 1)"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@survey.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None)
def schema(output: Path | None) -> None:
    """Write the JSON Schema editors use for questionnaire files."""
    target = output or Settings().questionnaires_dir / "schema.json"
    target.write_text(questionnaire_schema(), encoding="utf-8")
    click.echo(f"Wrote {target}")


@survey.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database tables that do not exist yet."""
    db.create_all()
    click.echo("Database ready.")


@click.group()
def users() -> None:
    """Staff accounts."""


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "staff"]), default="staff", show_default=True)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (for scripts)."
)
@with_appcontext
def create_user_command(email: str, role: str, password_stdin: bool) -> None:
    """Create a staff account; the password is prompted for (or read from stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(db.session(), email, password, role)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created {user.role} account {user.email}.")


def register_cli(app: Flask) -> None:
    """The `survey` group is also an entry-point plugin, so validate runs without an app."""
    for group in (survey, users):
        if group.name not in app.cli.commands:
            app.cli.add_command(group)
