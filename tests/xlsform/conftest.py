"""Fixtures: write an XLSForm to a temporary folder, and run `flask survey import-xlsform`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from survey_app.cli import survey

from .forms import Form, write_xlsform


@pytest.fixture
def make_xlsform(tmp_path: Path) -> Callable[..., Path]:
    """Write a Form as `<name>` in a fresh folder and return its path."""

    def make(form: Form, name: str = "form.xlsx") -> Path:
        return write_xlsform(form, tmp_path / name)

    return make


@pytest.fixture
def import_xlsform(tmp_path: Path) -> Callable[..., Result]:
    """Run the command on a workbook; the output goes to `out/<name>` unless given."""

    def run(form: Path, *args: str, output: str | None = "out/imported.yaml") -> Result:
        (tmp_path / "out").mkdir(exist_ok=True)
        options = ["-o", str(tmp_path / output)] if output else []
        return CliRunner().invoke(survey, ["import-xlsform", str(form), *options, *args])

    return run
