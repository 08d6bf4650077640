"""Loading every questionnaire in a folder: lookup by id, all errors of all files at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from survey_app.questionnaire.loader import ContentError
from survey_app.questionnaire.registry import content_files, display_path, load_registry
from survey_app.settings import ROOT

Write = Callable[..., Path]


def valid_yaml(qid: str = "demo") -> str:
    return dedent(f"""\
        schema_version: 1
        id: {qid}
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {{id: name, type: short_text, prompt: Your name?}}
        """)


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Write:
    """Writes files under tmp_path, which is also the working directory (short paths)."""
    monkeypatch.chdir(tmp_path)

    def write_file(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write_file


def test_every_yaml_file_in_a_folder_is_loaded_and_found_by_id(write, tmp_path):
    write("a.yaml", valid_yaml("first"))
    write("b.yml", valid_yaml("second"))
    registry = load_registry([tmp_path])
    assert sorted(registry.questionnaires) == ["first", "second"]
    loaded = registry.questionnaire("second")
    assert loaded is not None
    assert loaded.path == tmp_path / "b.yml"
    assert loaded.model.title == "Demo"


def test_unknown_id_is_not_found(write, tmp_path):
    write("a.yaml", valid_yaml())
    assert load_registry([tmp_path]).questionnaire("nope") is None


def test_empty_folder_gives_an_empty_registry(tmp_path):
    assert load_registry([tmp_path]).questionnaires == {}


def test_content_files_are_the_yaml_files_sorted_plus_files_named_directly(write, tmp_path):
    write("b.yaml", "")
    write("a.yml", "")
    write("schema.json", "{}")
    write("notes.txt", "")
    write("sub/c.yaml", "")
    extra = write("elsewhere/x.yaml", "")
    assert content_files([tmp_path, extra]) == [
        tmp_path / "a.yml",
        tmp_path / "b.yaml",
        extra,
    ]


def test_errors_from_several_files_are_all_reported_at_once(write, tmp_path):
    write("a.yaml", valid_yaml().replace("title: Demo", "title: Demo\ncolour: red"))
    write("b.yaml", "title: [Demo\n")
    write("c.yaml", valid_yaml("fine"))
    write("d.yaml", valid_yaml().replace("schema_version: 1", "schema_version: 3"))
    with pytest.raises(ContentError) as info:
        load_registry([tmp_path])
    assert [str(e) for e in info.value.errors] == [
        "a.yaml:4:1: colour: unknown key 'colour'",
        "b.yaml:2:1: not valid YAML: expected ',' or ']', but got '<stream end>'",
        "d.yaml:1:17: schema_version: unsupported schema_version 3 (this version reads 1)",
    ]


def test_second_file_with_the_same_id_is_an_error_at_its_id_naming_the_first(write, tmp_path):
    write("first.yaml", valid_yaml("demo"))
    write("second.yaml", valid_yaml("demo"))
    with pytest.raises(ContentError) as info:
        load_registry([tmp_path])
    assert [str(e) for e in info.value.errors] == [
        "second.yaml:2:5: id: questionnaire id 'demo' is already used by first.yaml"
    ]


def test_duplicate_id_is_reported_with_the_other_files_errors(write, tmp_path):
    write("a.yaml", valid_yaml("demo"))
    write("b.yaml", valid_yaml("demo"))
    write("c.yaml", "")
    with pytest.raises(ContentError) as info:
        load_registry([tmp_path])
    assert str(info.value).splitlines() == [
        "b.yaml:2:5: id: questionnaire id 'demo' is already used by a.yaml",
        "c.yaml:1:1: the file is empty",
    ]


def test_unreadable_file_is_reported_not_raised(write, tmp_path):
    (tmp_path / "folder.yaml").mkdir()
    with pytest.raises(ContentError) as info:
        load_registry([tmp_path])
    [error] = info.value.errors
    assert str(error).startswith("folder.yaml:1:1: cannot read file: ")


def test_paths_inside_the_working_directory_are_shown_relative(write, tmp_path):
    assert display_path(tmp_path / "sub" / "a.yaml") == str(Path("sub") / "a.yaml")


def test_paths_outside_the_working_directory_are_shown_as_given(write, tmp_path):
    outside = tmp_path.parent / "elsewhere.yaml"
    assert display_path(outside) == str(outside)


def test_shipped_sample_questionnaires_load():
    registry = load_registry([ROOT / "questionnaires"])
    assert {"untoc-needs-assessment", "untoc-post-training"} <= set(registry.questionnaires)
