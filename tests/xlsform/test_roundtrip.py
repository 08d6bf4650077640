"""YAML -> XLSForm -> YAML keeps every question, option, condition and translation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pyxform.xls2xform import convert

from survey_app.questionnaire import Questionnaire, load_file
from survey_app.xlsform import convert_workbook, questionnaire_yaml, write_xlsform

#: The shipped questionnaires, and one using piping, cascading choices and calculations.
SAMPLES = [
    *sorted(Path("questionnaires").glob("*.yaml")),
    Path("tests/data/questionnaires/features/xlsform-features.yaml"),
    Path("tests/data/questionnaires/repeats/household.yaml"),
]


def essentials(q: Questionnaire) -> list[tuple[object, ...]]:
    """What must survive: ids, types, texts in every language, options, rows, conditions."""

    def text(value: object) -> object:
        # pyxform reads every cell with whitespace collapsed (a no-break space becomes a
        # space) and straight quotes for smart ones, as ODK shows them.
        found = getattr(value, "translations", value)
        if isinstance(found, dict):
            return {k: " ".join(v.split()).replace("\u2019", "'") for k, v in found.items()}
        return found

    items: list[tuple[object, ...]] = [("title", text(q.title)), ("languages", q.languages)]
    items += [("calculation", c.id, c.expression) for c in q.calculations]
    for section in q.sections:
        items.append(("section", section.id, text(section.title), section.show_if))
        if section.repeat is not None:
            repeat = section.repeat
            labels = (text(repeat.add_label), text(repeat.item_label))
            items.append(("repeat", section.id, repeat.min, repeat.max, labels))
        for x in section.questions:
            data = x.model_dump(exclude={"prompt", "help", "points"}, by_alias=True)
            data["points"] = float(getattr(x, "points", 1))
            items.append((x.id, text(x.prompt), text(x.help), repr(data)))
            for option in getattr(x, "options", []) + getattr(x, "rows", []):
                items.append((x.id, option.value, text(option.label)))
    return items


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_survives_the_round_trip_through_xlsform(path, tmp_path):
    original = load_file(Questionnaire, path).model
    workbook = tmp_path / "form.xlsx"
    write_xlsform(original, workbook)
    conversion = convert_workbook(workbook)
    target = tmp_path / "back.yaml"
    target.write_text(questionnaire_yaml(conversion, "form.xlsx", dt.date(2026, 1, 1)))
    back = load_file(Questionnaire, target).model
    assert essentials(back) == essentials(original)
    assert conversion.skipped == ()


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_exported_workbooks_are_accepted_by_pyxform(path, tmp_path):
    workbook = tmp_path / "form.xlsx"
    write_xlsform(load_file(Questionnaire, path).model, workbook)
    result = convert(str(workbook))
    assert "<h:title>" in result.xform


def test_export_command_writes_the_workbook(runner, tmp_path):
    target = tmp_path / "out.xlsx"
    result = runner.invoke(
        args=["survey", "export-xlsform", "untoc-post-training", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert convert_workbook(target).id == "untoc-post-training"
    unknown = runner.invoke(args=["survey", "export-xlsform", "nope"])
    assert unknown.exit_code == 1
    assert "there is no questionnaire 'nope'" in unknown.output
