"""`flask survey publish|retire|versions`: content versions from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from .extensions import db
from .publishing import BreakingChangeError, Published, pending_reports, publish, retire
from .questionnaire import ContentError
from .questionnaire.registry import content_files, display_path, is_report_file
from .settings import Settings
from .trainings import record_audit
from .versions import versions_of

#: What the versions table and the audit log show as the publisher of these commands.
CLI_PUBLISHER = "command line"


def session() -> Session:
    """The app's session, typed."""
    current: Session = db.session()
    return current


@click.command("publish")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--allow-breaking",
    is_flag=True,
    help="Publish even when stored answers depend on removed or changed questions or options.",
)
@click.option("-m", "--note", default="", help="A short note on what changed.")
@with_appcontext
def publish_command(paths: tuple[Path, ...], allow_breaking: bool, note: str) -> None:
    """Publish changed questionnaires and reports (default: both folders) as new versions.

    Unchanged files are not duplicated. Every worker serves a new version on its next
    request. A file that is invalid, or breaks stored answers without --allow-breaking, is
    refused with every problem listed, and its current version keeps being served.
    """
    settings: Settings = current_app.config["SURVEY_SETTINGS"]
    files = content_files(paths or (settings.questionnaires_dir, settings.reports_dir))
    reports = [path for path in files if is_report_file(path)]
    ordered = [path for path in files if path not in reports] + reports
    pending = pending_reports((path.read_bytes(), display_path(path)) for path in reports)
    refused = 0
    for path in ordered:
        kind = "report" if path in reports else "questionnaire"
        shown = display_path(path)
        try:
            result = publish(
                session(),
                kind,
                path.read_bytes(),
                shown,
                by=CLI_PUBLISHER,
                note=note,
                allow_breaking=allow_breaking,
                pending=pending,
            )
        except ContentError as exc:
            db.session.rollback()
            refused += 1
            for error in exc.errors:
                click.echo(str(error), err=True)
            continue
        except BreakingChangeError as exc:
            db.session.rollback()
            refused += 1
            click.echo(f"{shown}: not published: it changes what stored answers mean:", err=True)
            for change in exc.changes:
                click.echo(f"  - {change.message}", err=True)
            click.echo("  Publish with --allow-breaking to confirm.", err=True)
            continue
        report_outcome(kind, result)
        db.session.commit()
    if refused:
        click.echo(f"{refused} file(s) refused; their current versions are still served.", err=True)
        raise SystemExit(1)


def report_outcome(kind: str, result: Published) -> None:
    """Echo what happened to one file and audit-log a new version (flush only)."""
    version = result.version
    if not result.created:
        click.echo(f"unchanged: {kind} {version.content_id} (version {version.number})")
        return
    detail = f"{kind} {version.content_id} version {version.number}"
    if result.breaking:
        detail += "; breaking, confirmed: " + "; ".join(c.message for c in result.breaking)
    record_audit(session(), None, "content_published", detail, CLI_PUBLISHER)
    click.echo(f"published {detail}")


@click.command("retire")
@click.argument("content_id")
@click.option("--report", "is_report", is_flag=True, help="Retire a report, not a questionnaire.")
@with_appcontext
def retire_command(content_id: str, is_report: bool) -> None:
    """Stop offering a questionnaire (or report); pinned trainings keep their version."""
    kind = "report" if is_report else "questionnaire"
    version = retire(session(), kind, content_id)
    if version is None:
        raise click.UsageError(f"no {kind} '{content_id}' was ever published")
    record_audit(session(), None, "content_retired", f"{kind} {content_id}", CLI_PUBLISHER)
    db.session.commit()
    click.echo(f"retired {kind} {content_id} (version {version.number})")


@click.command("versions")
@click.argument("content_id")
@click.option("--report", "is_report", is_flag=True, help="A report's versions.")
@with_appcontext
def versions_command(content_id: str, is_report: bool) -> None:
    """List a questionnaire's (or report's) versions, newest first."""
    kind = "report" if is_report else "questionnaire"
    for v in versions_of(session(), kind, content_id):
        retired = "  retired" if v.retired_at else ""
        click.echo(
            f"{v.number:>3}  {v.published_at:%Y-%m-%d %H:%M}  {v.published_by}  {v.sha256[:12]}"
            f"  {v.note}{retired}"
        )
