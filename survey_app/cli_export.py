"""`flask export FORMAT --training N`: a training's responses as the staff pages export them.

The same plan, rows and file builders as the web export (views/staff_data.py), so the same
columns, the pair number instead of the code hash, and every text cell neutralised.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from .export_files import build_stat_file, build_xlsx_file
from .export_rows import (
    LAYOUTS,
    NoQuestionnaireError,
    Plan,
    count_plan_rows,
    iter_plan_rows,
    plan_training_export,
)
from .exports import Cell, csv_chunks, export_filename
from .extensions import db
from .models import Training, utcnow
from .progress import Progress
from .trainings import record_audit

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("csv", "xlsx", "sav", "dta")
#: What the audit log shows as the address of exports made here (as in cli.py).
CLI_ADDRESS = "command line"


def output_option(help_text: str) -> Callable[[F], F]:
    """`-o/--output FILE`, the option of every command that writes one file."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=help_text,
    )


@click.command("export")
@click.argument("file_format", metavar="FORMAT", type=click.Choice(FORMATS))
@click.option("--training", "training_id", type=int, required=True, help="The training's id.")
@click.option(
    "--layout",
    type=click.Choice(LAYOUTS),
    default="pre",
    show_default=True,
    help="One phase (pre, post, followup), all stacked (long) or one row per pre/post pair,"
    " with follow-up columns when the training has one (wide).",
)
@click.option("--text", "include_text", is_flag=True, help="Include free-text answers.")
@output_option("The file to write (default: <training>-<layout>-<date>.<format> here).")
@with_appcontext
def export_command(
    file_format: str, training_id: int, layout: str, include_text: bool, output: Path | None
) -> None:
    """Export a training's responses as CSV, XLSX, SPSS (.sav) or Stata (.dta).

    Progress goes to stderr; the written file's name to stdout. The export is audit-logged.
    """
    session: Session = db.session()
    training = session.get(Training, training_id)
    if training is None:
        raise click.ClickException(f"there is no training {training_id}")
    try:
        plan = plan_training_export(session, training, layout, include_text)
    except NoQuestionnaireError as exc:
        raise click.ClickException(str(exc)) from None
    total = count_plan_rows(session, plan)
    target = output or Path(export_filename(training.title, layout, file_format, utcnow().date()))
    detail = f"#{training.id} {file_format} {layout} text={'yes' if include_text else 'no'}"
    record_audit(session, None, "export", detail, CLI_ADDRESS)
    session.commit()
    write_export(session, plan, file_format, total, target)
    click.echo(f"Wrote {target} ({total:,} rows)")


def write_export(session: Session, plan: Plan, file_format: str, total: int, target: Path) -> None:
    """Build the file, counting rows on stderr as they are read."""

    def rows() -> Iterator[list[Cell]]:
        # Each batch ends its read transaction, as in the view: participants keep submitting.
        return iter_plan_rows(session, plan, end_read=session.rollback)

    if file_format == "csv":
        progress = Progress("Rows written", total)
        with target.open("w", encoding="utf-8", newline="") as out:
            for chunk in csv_chunks(plan.header, progress.iterate(rows())):
                out.write(chunk)
        return
    if file_format == "xlsx":
        # The rows are read once for the labels sheet and once for the codes sheet.
        progress = Progress("Rows written (labels and codes sheets)", 2 * total)
        path = build_xlsx_file(
            plan.columns, plan.codebook(), lambda: progress.iterate(rows()), plan.labelled
        )
    else:
        progress = Progress("Rows read", total)
        path = build_stat_file(file_format, plan.columns, progress.iterate(rows()))
    shutil.move(path, target)
