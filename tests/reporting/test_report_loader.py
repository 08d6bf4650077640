"""Report files: loaded after the questionnaires, every reference error at its file:line:col."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from survey_app.cli import questionnaire_schema, report_schema, survey
from survey_app.content import registry
from survey_app.questionnaire import ContentError, load_registry
from survey_app.questionnaire.registry import is_report_file
from survey_app.reporting.schema import Report
from survey_app.settings import ROOT, Settings

from .report_app import Person, pdf_pages, seed, settings_with_reports

TINY = """\
schema_version: 1
id: tiny
title: Tiny
sections:
  - id: s
    title: S
    questions:
      - id: kind
        type: single_choice
        prompt: Kind?
        options:
          - {value: a, label: A}
          - {value: b, label: B}
      - id: age
        type: number
        prompt: Age?
      - id: importance
        type: matrix
        prompt: Importance?
        rows:
          - {value: x, label: X}
          - {value: y, label: Y}
      - id: capacity
        type: matrix
        prompt: Capacity?
        rows:
          - {value: x, label: X}
          - {value: z, label: Z}
"""
#: One defect per block; the expected messages are below.
BROKEN = """\
schema_version: 1
id: broken
questionnaire: tiny
title: Broken
blocks:
  - {type: question, question: agee}
  - {type: question, question: kind, chart: diverging}
  - {type: question, question: kind, by: age}
  - {type: gap, importance: importance, capacity: capacity}
  - type: recommendations
    rules:
      - id: more_b
        text: Do more for B.
        share: {question: kind, in: [b, c]}
        at_least: 0.4
"""
BROKEN_ERRORS = [
    "6:32: blocks[0].question: 'agee' is not a question in 'tiny'",
    "7:45: blocks[1].chart: a diverging chart does not fit a single_choice question (use: bar)",
    "8:42: blocks[2].by: 'age' is a number question; "
    "a breakdown needs a single_choice or country question",
    "9:51: blocks[3].capacity: 'capacity' must have the same rows as 'importance'",
    "14:41: blocks[4].rules[0].share.in[1]: 'c' is not an option of 'kind'",
]
MISSING = """\
schema_version: 1
id: missing-questionnaire
questionnaire: tinny
title: Missing
blocks:
  - type: overview
"""
UNKNOWN_TYPE = """\
schema_version: 1
id: unknown-type
questionnaire: tiny
title: Unknown type
blocks:
  - type: overview
  - type: overveiw
    title: Typo
"""
VALID = """\
schema_version: 1
id: tiny-report
questionnaire: tiny
title: Tiny report
blocks:
  - type: overview
  - {type: question, question: kind, by: kind}
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """tmp_path/questionnaires with the tiny questionnaire, and an empty tmp_path/reports."""
    (tmp_path / "questionnaires").mkdir()
    (tmp_path / "questionnaires" / "tiny.yaml").write_text(TINY)
    (tmp_path / "reports").mkdir()
    return tmp_path


def errors_for(content: Path, **reports: str) -> list[str]:
    """The located errors of loading the tiny questionnaire and these report files."""
    for name, text in reports.items():
        (content / "reports" / f"{name}.yaml").write_text(text)
    with pytest.raises(ContentError) as caught:
        load_registry([content / "questionnaires"], [content / "reports"], report_model=Report)
    return [str(e).removeprefix(str(content / "reports") + "/") for e in caught.value.errors]


def test_every_reference_error_is_located(content):
    assert errors_for(content, broken=BROKEN) == [f"broken.yaml:{e}" for e in BROKEN_ERRORS]


def test_a_missing_questionnaire_is_located(content):
    assert errors_for(content, missing=MISSING) == [
        "missing.yaml:3:16: questionnaire: 'tinny' is not a questionnaire (known: tiny)"
    ]


def test_an_unknown_block_type_names_the_block_types(content):
    assert errors_for(content, unknown=UNKNOWN_TYPE) == [
        "unknown.yaml:7:11: blocks[1].type: unknown block type 'overveiw' (expected one of: "
        "overview, question, priorities, gap, pre_post, retention, recommendations, comments)"
    ]


def test_a_block_without_its_required_key_points_at_the_block(content):
    text = VALID.replace("{type: question, question: kind, by: kind}", "{type: question}")
    assert errors_for(content, r=text) == ["r.yaml:7:5: blocks[1]: missing required key 'question'"]


def test_duplicate_report_ids_are_refused_like_questionnaires(content):
    errors = errors_for(content, a=VALID, b=VALID)
    assert errors == [
        f"b.yaml:2:5: id: report id 'tiny-report' is already used by {content / 'reports/a.yaml'}"
    ]


def test_reports_are_not_cross_checked_when_a_questionnaire_is_broken(content):
    """A broken questionnaire is reported once, not again by every report naming it."""
    (content / "questionnaires" / "tiny.yaml").write_text(TINY.replace("title: Tiny", "titel: x"))
    errors = errors_for(content, r=VALID)
    assert len(errors) == 2
    assert all("tiny.yaml" in e for e in errors)


def test_valid_reports_load_into_the_registry(content):
    (content / "reports" / "r.yaml").write_text(VALID)
    loaded = load_registry([content / "questionnaires"], [content / "reports"], report_model=Report)
    assert list(loaded.reports) == ["tiny-report"]
    report = loaded.report("tiny-report")
    assert report is not None
    assert report.model.questionnaire == "tiny"
    assert loaded.report("nope") is None
    assert set(loaded.questionnaire_models()) == {"tiny"}


def test_a_file_with_blocks_is_a_report(content):
    (content / "reports" / "r.yaml").write_text(VALID)
    (content / "reports" / "bad.yaml").write_text("blocks: [")
    assert is_report_file(content / "reports" / "r.yaml")
    assert not is_report_file(content / "questionnaires" / "tiny.yaml")
    assert not is_report_file(content / "reports" / "bad.yaml")


# --- the app and the CLI -------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, content: Path) -> CliRunner:
    """`flask survey` from the project root, with the content folders in tmp_path."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SURVEY_QUESTIONNAIRES_DIR", str(content / "questionnaires"))
    monkeypatch.setenv("SURVEY_REPORTS_DIR", str(content / "reports"))
    return CliRunner()


def test_validate_checks_both_folders_by_default(cli, content):
    (content / "reports" / "r.yaml").write_text(VALID)
    result = cli.invoke(survey, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 1 questionnaire(s) and 1 report(s) valid.\n"
    (content / "reports" / "broken.yaml").write_text(BROKEN)
    result = cli.invoke(survey, ["validate"])
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == len(BROKEN_ERRORS) + 1


def test_validate_tells_reports_from_questionnaires_among_paths(cli, content, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "report.yaml").write_text(BROKEN)
    result = cli.invoke(survey, ["validate", str(content / "questionnaires"), str(elsewhere)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        *(f"{elsewhere / 'report.yaml'}:{e}" for e in BROKEN_ERRORS),
        "5 problem(s) found.",
    ]


def test_validate_checks_a_lone_report_against_the_configured_questionnaires(cli, content):
    (content / "reports" / "r.yaml").write_text(VALID)
    result = cli.invoke(survey, ["validate", str(content / "reports" / "r.yaml")])
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 1 questionnaire(s) and 1 report(s) valid.\n"


def test_shipped_sample_reports_are_valid(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(survey, ["validate", "questionnaires", "reports"])
    assert result.exit_code == 0, result.output


def test_schema_writes_both_schemas_into_the_configured_folders(cli, content):
    result = cli.invoke(survey, ["schema"])
    assert result.exit_code == 0, result.output
    assert (content / "reports" / "schema.json").read_text() == report_schema()
    assert (content / "questionnaires" / "schema.json").read_text() == questionnaire_schema()


def test_schema_reports_output_writes_only_the_report_schema(cli, tmp_path):
    target = tmp_path / "report-schema.json"
    result = cli.invoke(survey, ["schema", "--reports-output", str(target)])
    assert result.stdout == f"Wrote {target}\n"
    assert target.read_text(encoding="utf-8") == report_schema()


def test_committed_report_schema_json_is_current():
    """Fails when the report models changed without running `flask survey schema`."""
    committed = (ROOT / "reports" / "schema.json").read_text(encoding="utf-8")
    assert committed == report_schema(), "run `flask survey schema` and commit the result"


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    report = VALID.replace("tiny-report", "cli-report").replace(
        "questionnaire: tiny", "questionnaire: untoc-needs-assessment"
    )
    report = report.replace("  - {type: question, question: kind, by: kind}\n", "")
    return settings_with_reports(settings, tmp_path / "app-reports", {"cli.yaml": report})


def test_the_app_registry_holds_the_reports(app):
    with app.app_context():
        assert list(registry().reports) == ["cli-report"]


def test_report_build_writes_the_pdf_and_prints_its_pages(app, runner, session, tmp_path):
    seed(session, [Person("ngo", "MY")] * 5)
    target = tmp_path / "out.pdf"
    result = runner.invoke(args=["report", "build", "cli-report", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote {target} (4 pages)\n"
    assert result.stderr.splitlines() == [
        "step 1 of 3: Reading the responses",
        "step 2 of 3: Laying out the pages",
        "step 3 of 3: Saving the PDF",
    ]
    pages = pdf_pages(target.read_bytes())
    assert "Tiny report" in pages[0]
    assert "How this report protects respondents" in pages[-1]


def test_report_build_json_writes_every_released_figure_with_its_population(
    app, runner, session, tmp_path
):
    seed(session, [Person("ngo", "MY")] * 5)
    target = tmp_path / "out.json"
    result = runner.invoke(
        args=["report", "build", "cli-report", "--format", "json", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert result.stdout == f"Wrote {target} ({len(data['figures'])} figures)\n"
    assert result.stderr.splitlines() == [
        "step 1 of 2: Reading the responses",
        "step 2 of 2: Saving the figures",
    ]
    assert data["report"] == "cli-report"
    assert data["k"] == 5
    assert data["responses"] == {"untoc-needs-assessment": 5}
    shown = {p["key"] for p in data["populations"]}
    assert all(figure["population"] in shown for figure in data["figures"])


def test_report_build_refuses_an_unknown_report(runner):
    result = runner.invoke(args=["report", "build", "nope", "-o", "x.pdf"])
    assert result.exit_code == 1
    assert "there is no report 'nope' (known: cli-report)" in result.output
