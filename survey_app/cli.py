"""`flask survey|users|trainings|report ...`: content, database, accounts, trainings, PDFs."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import sys
import time
from pathlib import Path
from typing import NoReturn

import click
import flask_migrate
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from .auth import AccountError, all_users, create_user
from .cli_content import publish_command, retire_command, versions_command
from .cli_export import export_command, output_option
from .content import registry
from .database import begin_read_only
from .demo import count_responses, demo_counts, generate_demo, remove_demo
from .extensions import db
from .group_minimums import GroupMinimumError, GroupMinimums, change_minimums
from .models import PHASES, ROLES, Training
from .progress import Progress, stage
from .questionnaire import ContentError, Questionnaire, load_registry
from .questionnaire.registry import content_files, is_report_file
from .report_builds import STAGES
from .reporting.pipeline import (
    ReportNotForTrainingError,
    UnknownTrainingError,
    build_report,
    pdf_filename,
    render_html,
    render_pdf,
    report_json,
)
from .reporting.schema import Report
from .settings import Settings
from .trainings import TrainingFields, active_link, create_training, record_audit, set_status
from .xlsform import (
    XLSFormError,
    convert_workbook,
    questionnaire_yaml,
    summary_lines,
    write_questionnaire,
    write_xlsform,
)
from .xlsform.corpus import corpus_figures

#: What the audit log shows as the address of changes made with these commands.
CLI_ADDRESS = "command line"


@click.group()
def survey() -> None:
    """Questionnaire content and database commands."""


@survey.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--strict-languages",
    is_flag=True,
    help="Treat texts missing in a declared language as errors, not warnings.",
)
def validate(paths: tuple[Path, ...], strict_languages: bool) -> None:
    """Check questionnaires and reports (default: both configured folders); exit 1 on any problem.

    A file whose top level has a `blocks:` key is a report. Reports are checked against the
    questionnaires among PATHS, or against the configured folder when PATHS name none.
    """
    settings = Settings()
    if paths:
        files = content_files(paths)
        reports = [path for path in files if is_report_file(path)]
        questionnaires = [path for path in files if path not in reports]
        if reports and not questionnaires:
            questionnaires = [settings.questionnaires_dir]
    else:
        questionnaires, reports = [settings.questionnaires_dir], [settings.reports_dir]
    try:
        registry = load_registry(
            questionnaires, reports, report_model=Report, strict_languages=strict_languages
        )
    except ContentError as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(exc.errors)} problem(s) found.", err=True)
        raise SystemExit(1) from None
    warnings = [w for loaded in registry.questionnaires.values() for w in loaded.warnings]
    for warning in warnings:
        click.echo(f"{warning} (warning)", err=True)
    checked = f"{len(registry.questionnaires)} questionnaire(s)"
    if reports:
        checked += f" and {len(registry.reports)} report(s)"
    click.echo(f"OK: {checked} valid.")


def questionnaire_schema() -> str:
    """The JSON Schema of questionnaire files, as committed in questionnaires/schema.json."""
    schema = Questionnaire.model_json_schema(by_alias=True)
    schema["title"] = "survey_app questionnaire (schema_version 1)"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def report_schema() -> str:
    """The JSON Schema of report files, as committed in reports/schema.json."""
    schema = Report.model_json_schema(by_alias=True)
    schema["title"] = "survey_app report (schema_version 1)"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@survey.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None)
@click.option("--reports-output", type=click.Path(path_type=Path), default=None)
def schema(output: Path | None, reports_output: Path | None) -> None:
    """Write the JSON Schemas editors use: questionnaires (-o) and reports (--reports-output).

    Without either option, both go into the configured folders as schema.json.
    """
    settings = Settings()
    if output is None and reports_output is None:
        output = settings.questionnaires_dir / "schema.json"
        reports_output = settings.reports_dir / "schema.json"
    for target, text in ((output, questionnaire_schema), (reports_output, report_schema)):
        if target is not None:
            target.write_text(text(), encoding="utf-8")
            click.echo(f"Wrote {target}")


def exit_with_problems(lines: list[str]) -> NoReturn:
    """Print problems to stderr, one per line, and exit 1 having written nothing."""
    for line in lines:
        click.echo(line, err=True)
    click.echo(f"{len(lines)} problem(s) found; nothing written.", err=True)
    raise SystemExit(1)


@survey.command("import-xlsform")
@click.argument("form", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_option(
    "The questionnaire file to write (default: <form id>.yaml in the questionnaires folder)."
)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def import_xlsform(form: Path, output: Path | None, force: bool) -> None:
    """Convert an XLSForm workbook (KoboToolbox, ODK) into a questionnaire file.

    Prints what was converted and every row or expression left out, with its sheet and row.
    Exits 1, writing nothing, when the workbook cannot be converted.
    """
    stage(1, 2, f"Reading and converting {form.name}")
    try:
        conversion = convert_workbook(form)
    except XLSFormError as exc:
        exit_with_problems([f"{form}: {problem}" for problem in exc.problems])
    target = output or Settings().questionnaires_dir / f"{conversion.id}.yaml"
    if target.exists() and not force:
        exit_with_problems([f"{target} already exists; pass --force to replace it"])
    stage(2, 2, f"Checking and writing {target.name}")
    try:
        write_questionnaire(questionnaire_yaml(conversion, form.name, dt.date.today()), target)
    except ContentError as exc:
        # The converter should only produce valid files: this is a bug, shown as such.
        exit_with_problems(
            [str(e) for e in exc.errors]
            + ["the converted questionnaire is not valid: a bug in the importer, please report it"]
        )
    except OSError as exc:
        exit_with_problems([f"cannot write {target}: {exc.strerror}"])
    for line in summary_lines(conversion, form.name):
        click.echo(line)
    click.echo(f"Wrote {target}")


@survey.command("export-xlsform")
@click.argument("questionnaire_id")
@output_option("The workbook to write (default: <questionnaire id>.xlsx here).")
@with_appcontext
def export_xlsform(questionnaire_id: str, output: Path | None) -> None:
    """Write a questionnaire as an XLSForm workbook (for ODK Collect or KoboCollect)."""
    loaded = registry().questionnaires.get(questionnaire_id)
    if loaded is None:
        known = ", ".join(sorted(registry().questionnaires)) or "none"
        exit_with_problems([f"there is no questionnaire '{questionnaire_id}' (known: {known})"])
    target = output or Path(f"{questionnaire_id}.xlsx")
    try:
        write_xlsform(loaded.model, target)
    except OSError as exc:
        exit_with_problems([f"cannot write {target}: {exc.strerror}"])
    click.echo(f"Wrote {target}")


@survey.command("xlsform-corpus")
@click.argument(
    "folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("tests/xlsform/corpus"),
)
def xlsform_corpus(folder: Path) -> None:
    """Import every XLSForm in FOLDER (nothing written) and print the share imported."""
    for line in corpus_figures(folder).lines():
        click.echo(line)


@survey.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema: the same as `flask db upgrade`."""
    flask_migrate.upgrade()
    click.echo("Database ready.")


@survey.command()
@click.option(
    "-n",
    "--responses",
    type=click.IntRange(min=0),
    default=200,
    show_default=True,
    help="Needs-assessment responses; the post-training evaluation gets 85% as many.",
)
@click.option("--seed", type=int, default=None, help="Same seed, same answers (default: random).")
@click.option(
    "--questionnaire",
    "questionnaire_id",
    default=None,
    help="Only this questionnaire, with exactly N responses.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing if the database has any responses.")
@click.option("--remove", is_flag=True, help="Delete every demo response and its answers instead.")
@with_appcontext
def demo(
    responses: int, seed: int | None, questionnaire_id: str | None, if_empty: bool, remove: bool
) -> None:
    """Fill the database with realistic synthetic responses to the sample questionnaires."""
    session: Session = db.session()
    if remove:
        removed = remove_demo(session)
        session.commit()
        click.echo(f"Deleted {removed} demo responses and their answers.")
        return
    existing = count_responses(session)
    if if_empty and existing:
        click.echo(f"The database already has {existing} responses; no demo data added.")
        return
    loaded = registry().questionnaires
    if questionnaire_id is None:
        counts = demo_counts(loaded, responses)
    elif questionnaire_id in loaded:
        counts = {questionnaire_id: responses}
    else:
        known = ", ".join(sorted(loaded)) or "none"
        raise click.BadParameter(
            f"there is no questionnaire '{questionnaire_id}' (known: {known})",
            param_hint="--questionnaire",
        )
    seed = secrets.randbelow(2**31) if seed is None else seed
    start = time.perf_counter()
    progress = Progress("Demo responses added", sum(counts.values()))
    # Not for security: a seeded generator is the point, so a run can be repeated.
    rng = random.Random(seed)  # noqa: S311
    added = generate_demo(session, loaded, counts, rng, added=progress.advance)
    session.commit()
    summary = ", ".join(f"{count} to {qid}" for qid, count in added.items())
    click.echo(f"Added {summary} in {time.perf_counter() - start:.1f} s (seed {seed}).")


@click.group()
def users() -> None:
    """Staff accounts."""


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="staff", show_default=True)
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
    detail = f"{user.email} ({user.role})"
    record_audit(db.session(), None, "user_created", detail, CLI_ADDRESS)
    db.session.commit()
    click.echo(f"Created {user.role} account {user.email}.")


@users.command("list")
@with_appcontext
def list_users_command() -> None:
    """Every staff account: email, role, whether it can log in, when it was made."""
    accounts = all_users(db.session())
    if not accounts:
        click.echo("No accounts yet. Create one with: flask users create EMAIL --role admin")
        return
    width = max(len(user.email) for user in accounts)
    for user in accounts:
        state = "active" if user.active else "deactivated"
        click.echo(
            f"{user.email:<{width}}  {user.role:<6}  {state:<11}  {user.created_at:%Y-%m-%d}"
        )


@click.group()
def trainings() -> None:
    """Trainings: create them, list them, open and close collection."""


def echo_participant_links(training: Training, base_url: str | None = None) -> None:
    """One line per phase with a working link; absolute when a public URL is known."""
    if base_url is None:
        base_url = current_app.config["SURVEY_SETTINGS"].public_url
    adapter = current_app.url_map.bind("localhost")
    width = max(len(training.questionnaire_for(phase) or "") for phase in PHASES)
    for phase in PHASES:
        link = active_link(training, phase)
        questionnaire_id = training.questionnaire_for(phase)
        if link is not None and questionnaire_id:
            path = adapter.build("survey.training_phase", {"token": link.token})
            url = f"{base_url.rstrip('/')}{path}"
            click.echo(f"  {phase:<8}  {questionnaire_id:<{width}}  {url}")
    if not base_url:
        click.echo("  (add the server's address in front; SURVEY_PUBLIC_URL prints full links)")


def known_questionnaire(option: str, questionnaire_id: str | None) -> str | None:
    """The id if the registry has it (None when not given); otherwise a usage error."""
    if not questionnaire_id:
        return None
    known = registry().questionnaires
    if questionnaire_id not in known:
        raise click.BadParameter(
            f"there is no questionnaire '{questionnaire_id}' (known: {', '.join(sorted(known))})",
            param_hint=option,
        )
    return questionnaire_id


def text_option(option: str, value: str) -> str:
    """Stripped, not blank, at most 200 characters, as the staff form asks."""
    value = value.strip()
    if not value or len(value) > 200:
        raise click.BadParameter("give between 1 and 200 characters", param_hint=option)
    return value


@trainings.command("create")
@click.option("--title", required=True, help="E.g. 'Regional workshop, Putrajaya'.")
@click.option("--place", required=True, help="City and country, or 'online'.")
@click.option("--starts", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day.")
@click.option("--ends", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day.")
@click.option("--organiser", required=True)
@click.option("--pre", "pre_id", help="Questionnaire id answered on the first morning.")
@click.option("--post", "post_id", help="Questionnaire id answered on the last afternoon.")
@click.option("--followup", "followup_id", help="Questionnaire id answered months later.")
@click.option("--base-url", help="Start of the printed links (default: SURVEY_PUBLIC_URL).")
@click.option("--k", "k", type=int, help="Smallest group a report shows (default: settings).")
@click.option("--k-text", "k_text", type=int, help="Fewest writers whose comments print.")
@with_appcontext
def create_training_command(
    title: str,
    place: str,
    starts: dt.datetime,
    ends: dt.datetime,
    organiser: str,
    pre_id: str | None,
    post_id: str | None,
    base_url: str | None,
    k: int | None,
    k_text: int | None,
    followup_id: str | None = None,
) -> None:
    """Create a training as a draft and print its participant links."""
    settings: Settings = current_app.config["SURVEY_SETTINGS"]
    try:
        minimums = GroupMinimums(
            settings.default_group_minimum if k is None else k,
            settings.default_text_group_minimum if k_text is None else k_text,
        )
    except GroupMinimumError as exc:
        raise click.BadParameter(str(exc), param_hint="--k/--k-text") from None
    fields = TrainingFields(
        title=text_option("--title", title),
        place=text_option("--place", place),
        starts_on=starts.date(),
        ends_on=ends.date(),
        organiser=text_option("--organiser", organiser),
        pre_questionnaire_id=known_questionnaire("--pre", pre_id),
        post_questionnaire_id=known_questionnaire("--post", post_id),
        followup_questionnaire_id=known_questionnaire("--followup", followup_id),
        minimums=minimums,
    )
    if not (
        fields.pre_questionnaire_id
        or fields.post_questionnaire_id
        or fields.followup_questionnaire_id
    ):
        raise click.UsageError("give --pre, --post or both: a training needs a questionnaire")
    if fields.ends_on < fields.starts_on:
        raise click.BadParameter("the last day cannot be before the first day", param_hint="--ends")
    session: Session = db.session()
    training = create_training(session, fields)
    record_audit(session, None, "training_created", training.title, CLI_ADDRESS)
    session.commit()
    click.echo(f"Created training #{training.id} as a draft: {training.title}")
    echo_participant_links(training, base_url)
    click.echo(f"Participants see a closed page until: flask trainings open {training.id}")


@trainings.command("list")
@with_appcontext
def list_trainings_command() -> None:
    """Every training, newest first: id, status, dates, title and place."""
    stmt = select(Training).order_by(Training.starts_on.desc(), Training.id)
    rows = db.session.scalars(stmt).all()
    if not rows:
        click.echo("No trainings yet. Create one with: flask trainings create --help")
    for t in rows:
        click.echo(f"#{t.id:<4} {t.status:<6}  {t.starts_on} – {t.ends_on}  {t.title} ({t.place})")


def set_training_status(training_id: int, status: str) -> Training:
    """Change the status of the training with this id, audited; a usage error if none."""
    session: Session = db.session()
    training = session.get(Training, training_id)
    if training is None:
        raise click.ClickException(f"there is no training #{training_id}")
    set_status(session, training, status)
    record_audit(session, None, "training_status", f"#{training.id} {status}", CLI_ADDRESS)
    session.commit()
    return training


@trainings.command("open")
@click.argument("training_id", type=int)
@with_appcontext
def open_training_command(training_id: int) -> None:
    """Open collection: the participant links start taking answers."""
    training = set_training_status(training_id, "open")
    click.echo(f"Training #{training.id} is open: participants can answer at")
    echo_participant_links(training)


@trainings.command("close")
@click.argument("training_id", type=int)
@with_appcontext
def close_training_command(training_id: int) -> None:
    """Close collection: the links show a closed page and store nothing."""
    training = set_training_status(training_id, "closed")
    click.echo(f"Training #{training.id} is closed: its links store nothing more.")


@trainings.command("minimums")
@click.argument("training_id", type=int)
@click.option("--k", "k", type=int, required=True, help="Smallest group a report shows.")
@click.option("--k-text", "k_text", type=int, required=True, help="Fewest comment writers.")
@with_appcontext
def minimums_command(training_id: int, k: int, k_text: int) -> None:
    """Set a training's group minimums (after collection opens: raise only)."""
    session: Session = db.session()
    training = session.get(Training, training_id)
    if training is None:
        raise click.ClickException(f"there is no training #{training_id}")
    try:
        change = change_minimums(training, GroupMinimums(k, k_text))
    except GroupMinimumError as exc:
        raise click.ClickException(str(exc)) from None
    if change is not None:
        record_audit(
            session, None, "group_minimums_changed", f"#{training_id} {change}", CLI_ADDRESS
        )
    session.commit()
    click.echo(f"Training #{training_id}: k={k}, k_text={k_text}")


@click.group()
def report() -> None:
    """Report commands."""


@report.command("build")
@click.argument("report_id")
@output_option("Where to write the PDF (default: <report-id>[-training-<id>]-<date>.pdf here).")
@click.option(
    "--training",
    "training_id",
    type=int,
    default=None,
    help="Count only this training's responses, pairing them before and after.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["pdf", "json"]),
    default="pdf",
    show_default=True,
    help="json: every printed figure with its population, question, statistic and value.",
)
@with_appcontext
def build_report_command(
    report_id: str, output: Path | None, training_id: int | None, output_format: str
) -> None:
    """Build a report's PDF (or its figures as JSON) from the current database."""
    content = registry()
    loaded = content.report(report_id)
    if loaded is None:
        known = ", ".join(sorted(content.reports)) or "none"
        raise click.ClickException(f"there is no report '{report_id}' (known: {known})")
    # The web's progress page names the same stages (report_builds.STAGES).
    steps = 2 if output_format == "json" else len(STAGES)
    stage(1, steps, STAGES[0])
    session: Session = db.session()
    begin_read_only(session)
    try:
        doc = build_report(
            session,
            loaded,
            content.questionnaire_models(),
            training_id=training_id,
            charts=output_format != "json",
        )
    except (UnknownTrainingError, ReportNotForTrainingError) as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    if output_format == "json":
        target = output or Path(pdf_filename(doc)).with_suffix(".json")
        stage(2, steps, "Saving the figures")
        text = report_json(doc)
        target.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {target} ({len(json.loads(text)['figures'])} figures)")
        return
    stage(2, steps, STAGES[1])
    pdf = render_pdf(render_html(doc))
    target = output or Path(pdf_filename(doc))
    stage(3, steps, STAGES[2])
    target.write_bytes(pdf.data)
    click.echo(f"Wrote {target} ({pdf.pages} pages)")


for _command in (publish_command, retire_command, versions_command):
    survey.add_command(_command)


def register_cli(app: Flask) -> None:
    """The groups are also entry-point plugins, so `survey validate` runs without an app
    (`export` needs the app and its database anyway)."""
    for group in (survey, users, trainings, report, export_command):
        if group.name not in app.cli.commands:
            app.cli.add_command(group)
