"""Translation mistakes in a questionnaire file, each reported as `path:line:col: path: message`.

As in tests/questionnaire/test_loader.py, the YAML is written inline so each position in
an assertion can be read off the text beside it (line 1 is the line after the quotes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner

from survey_app.cli import survey
from survey_app.questionnaire import Questionnaire, load_file
from survey_app.questionnaire.loader import ContentError, LoadedFile
from survey_app.settings import ROOT

#: Every text translated; each test changes one thing.
BILINGUAL = """\
    schema_version: 1
    id: demo
    languages: [en, fr]
    title: {en: Demo, fr: Démo}
    sections:
      - id: part
        title: {en: Part one, fr: Première partie}
        questions:
          - id: role
            type: single_choice
            prompt:
              en: What is your role?
              fr: Quel est votre rôle ?
            options:
              - {value: staff, label: {en: Staff, fr: Personnel}}
              - {value: volunteer, label: {en: Volunteer, fr: Bénévole}}
    """


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Writes dedented YAML to demo.yaml in the working directory (as the CLI names it)."""
    monkeypatch.chdir(tmp_path)

    def write_text(text: str) -> Path:
        path = tmp_path / "demo.yaml"
        path.write_text(dedent(text), encoding="utf-8")
        return path

    return write_text


def load(path: Path) -> LoadedFile[Questionnaire]:
    return load_file(Questionnaire, path, "demo.yaml")


def errors(path: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load(path)
    return [str(e) for e in info.value.errors]


def test_fully_translated_file_loads_without_warnings(write):
    loaded = load(write(BILINGUAL))
    assert loaded.warnings == ()
    assert loaded.model.languages == ["en", "fr"]
    role = loaded.model.question("role")
    assert role is not None
    assert role.prompt == "What is your role?"
    assert role.prompt.translations == {"en": "What is your role?", "fr": "Quel est votre rôle ?"}


def test_undeclared_language_key_points_at_its_text(write):
    text = BILINGUAL.replace(
        "fr: Quel est votre rôle ?\n",
        "fr: Quel est votre rôle ?\n              de: Was ist Ihre Rolle?\n",
    )
    assert errors(write(text)) == [
        "demo.yaml:14:15: sections[0].questions[0].prompt.de: "
        "'de' is not a declared language (en, fr)"
    ]


def test_undeclared_language_in_a_flow_mapping_is_located_too(write):
    text = BILINGUAL.replace("{en: Staff, fr: Personnel}", "{en: Staff, fr: Personnel, pt: Equipe}")
    assert errors(write(text)) == [
        "demo.yaml:15:66: sections[0].questions[0].options[0].label.pt: "
        "'pt' is not a declared language (en, fr)"
    ]


def test_mapping_without_the_default_language_is_an_error_at_the_mapping(write):
    text = BILINGUAL.replace("{en: Part one, fr: Première partie}", "{fr: Première partie}")
    assert errors(write(text)) == [
        "demo.yaml:7:12: sections[0].title: no text in the default language 'en'"
    ]


def test_default_language_is_the_first_declared(write):
    text = BILINGUAL.replace("languages: [en, fr]", "languages: [fr, en]").replace(
        "{en: Demo, fr: Démo}", "Démo"
    )
    loaded = load(write(text))
    assert loaded.model.language == "fr"
    assert loaded.model.title == "Démo"
    assert [str(w) for w in loaded.warnings] == [
        "demo.yaml:4:8: title: no 'en' translation (falls back to 'fr')"
    ]


def test_plain_string_missing_a_declared_language_is_a_warning_not_an_error(write):
    text = BILINGUAL.replace("{en: Volunteer, fr: Bénévole}", "Volunteer")
    loaded = load(write(text))
    assert [str(w) for w in loaded.warnings] == [
        "demo.yaml:16:39: sections[0].questions[0].options[1].label: "
        "no 'fr' translation (falls back to 'en')"
    ]
    # The French form shows the default-language text where the translation is missing.
    label = loaded.model.sections[0].questions[0].options[1].label  # type: ignore[union-attr]
    assert label.in_("fr") == "Volunteer"


def test_duplicate_declared_language_points_at_the_second(write):
    text = BILINGUAL.replace("languages: [en, fr]", "languages: [en, fr, en]")
    assert errors(write(text)) == ["demo.yaml:3:21: languages[2]: 'en' is declared twice"]


def test_language_name_instead_of_a_code_is_refused(write):
    text = """\
        schema_version: 1
        id: demo
        languages: [en, French]
        title: Demo
        sections:
          - id: part
            title: Part one
            questions:
              - {id: role, type: short_text, prompt: What is your role?}
        """
    assert errors(write(text)) == [
        "demo.yaml:3:17: languages[1]: must be a BCP 47 language code such as en, fr or pt-BR"
    ]


# --- through the CLI: warnings by default, errors with --strict-languages -------------

UNTRANSLATED_HELP = BILINGUAL.replace(
    "            options:\n",
    "            help: Pick the closest.\n            options:\n",
)
HELP_WARNING = (
    "demo.yaml:14:15: sections[0].questions[0].help: no 'fr' translation (falls back to 'en')"
)


def test_validate_prints_missing_translations_as_warnings_and_succeeds(write):
    write(UNTRANSLATED_HELP)
    result = CliRunner().invoke(survey, ["validate", "demo.yaml"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 1 questionnaire(s) valid.\n"
    assert result.stderr.splitlines() == [f"{HELP_WARNING} (warning)"]


def test_validate_strict_languages_turns_missing_translations_into_errors(write):
    write(UNTRANSLATED_HELP)
    result = CliRunner().invoke(survey, ["validate", "--strict-languages", "demo.yaml"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [HELP_WARNING, "1 problem(s) found."]


def test_validate_strict_languages_accepts_a_fully_translated_file(write):
    write(BILINGUAL)
    result = CliRunner().invoke(survey, ["validate", "--strict-languages", "demo.yaml"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_shipped_sample_questionnaires_are_fully_translated(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(survey, ["validate", "--strict-languages", "questionnaires"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
