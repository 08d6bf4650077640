"""`flask survey ...`: validate content, write JSON Schemas, create the database."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

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


def register_cli(app: Flask) -> None:
    """The `survey` group is also an entry-point plugin, so validate runs without an app."""
    if "survey" not in app.cli.commands:
        app.cli.add_command(survey)
