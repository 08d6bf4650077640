"""Workbooks that cannot be converted: a clear message, exit 1, nothing written."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from .forms import Form, ole_container


def assert_refused(result, out_dir: Path, *messages: str) -> None:
    """Exit 1, exactly these problems then the count on stderr (after the first progress
    step), and nothing written."""
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("step 1 of 2: Reading and converting ")
    assert lines[1:] == [
        *messages,
        f"{len(messages)} problem(s) found; nothing written.",
    ]
    assert list(out_dir.iterdir()) == []


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"


def test_a_password_protected_workbook_is_refused(tmp_path, import_xlsform, out_dir):
    form = tmp_path / "form.xlsx"
    form.write_bytes(ole_container("EncryptionInfo", "EncryptedPackage"))
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: the workbook is protected with a password; save a copy without one and "
        "import that",
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("form.xlsx", b"just some text, renamed"),
        ("form.xls", ole_container("Workbook")),
        ("form.xlsx", None),
    ],
)
def test_a_corrupt_workbook_is_refused(tmp_path, import_xlsform, out_dir, name, content):
    form = tmp_path / name
    if content is None:
        with zipfile.ZipFile(form, "w") as archive:
            archive.writestr("readme.txt", "hello")
    else:
        form.write_bytes(content)
    result = import_xlsform(form)
    assert result.exit_code == 1
    assert "not a readable XLSForm (.xlsx/.xlsm/.xls/.csv/.md)" in result.stderr
    assert list(out_dir.iterdir()) == []


def test_what_pyxform_refuses_is_refused_with_its_reason(make_xlsform, import_xlsform, out_dir):
    form = make_xlsform(
        Form(survey=[["type", "name", "label"], ["select_one colours", "fav", "Colour?"]])
    )
    result = import_xlsform(form)
    assert result.exit_code == 1
    assert "pyxform refuses the form" in result.stderr
    assert "choices sheet" in result.stderr
    assert list(out_dir.iterdir()) == []


def test_a_cycle_in_the_conditions_is_refused_with_its_rows(make_xlsform, import_xlsform, out_dir):
    form_with_calc = make_xlsform(
        Form(
            survey=[
                ["type", "name", "label", "relevant", "calculation"],
                ["integer", "a", "A", "${c} > 1", ""],
                ["integer", "b", "B", "${a} > 1", ""],
                ["calculate", "c", "", "", "${b} + 1"],
            ]
        ),
        "cycle.xlsx",
    )
    assert_refused(
        import_xlsform(form_with_calc),
        out_dir,
        f"{form_with_calc}: survey row 2: the conditions and calculations form a cycle: "
        "${a} -> ${c} -> ${b} -> ${a} (rows 2, 4, 3); no order of questions can satisfy them",
    )


def test_twenty_thousand_rows_are_refused_quickly(make_xlsform, import_xlsform, out_dir):
    rows = [["type", "name", "label"]] + [["integer", f"q{i}", f"Q{i}"] for i in range(20_000)]
    form = make_xlsform(Form(survey=rows))
    start = time.perf_counter()
    result = import_xlsform(form)
    assert time.perf_counter() - start < 30
    assert_refused(result, out_dir, f"{form}: survey: 20,000 rows; at most 5,000")


def test_a_form_with_nothing_convertible_is_refused(make_xlsform, import_xlsform, out_dir):
    form = make_xlsform(Form(survey=[["type", "name", "label"], ["geopoint", "where", "Where?"]]))
    result = import_xlsform(form)
    assert result.exit_code == 1
    assert "no question could be converted; there is nothing to write" in result.stderr
    assert list(out_dir.iterdir()) == []


def test_an_existing_output_file_is_kept_unless_forced(make_xlsform, import_xlsform, out_dir):
    form = make_xlsform(Form(survey=[["type", "name", "label"], ["text", "name", "Name?"]]))
    out_dir.mkdir()
    target = out_dir / "imported.yaml"
    target.write_text("keep me")
    result = import_xlsform(form)
    assert result.exit_code == 1
    assert f"{target} already exists; pass --force to replace it" in result.stderr
    assert target.read_text() == "keep me"
    assert import_xlsform(form, "--force").exit_code == 0
    assert "id: form" in target.read_text()
