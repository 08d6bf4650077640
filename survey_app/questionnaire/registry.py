"""Loads every content file at startup; lookup by id; every error in every file at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

from pydantic import BaseModel

from .loader import (
    MAX_FILE_BYTES,
    ContentError,
    DefinitionError,
    LoadedFile,
    load_file,
    read_document,
)
from .schema import Questionnaire

M = TypeVar("M", bound=BaseModel)
#: The report model. Why a parameter: reporting depends on questionnaires, not the other
#: way round, so the caller that loads reports (survey_app.content, the CLI) names it.
R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class Registry(Generic[R]):
    """The validated content the app serves."""

    questionnaires: dict[str, LoadedFile[Questionnaire]] = field(default_factory=dict)
    reports: dict[str, LoadedFile[R]] = field(default_factory=dict)

    def questionnaire(self, questionnaire_id: str) -> LoadedFile[Questionnaire] | None:
        """The loaded questionnaire with this id, if any."""
        return self.questionnaires.get(questionnaire_id)

    def report(self, report_id: str) -> LoadedFile[R] | None:
        """The loaded report definition with this id, if any."""
        return self.reports.get(report_id)

    def questionnaire_models(self) -> dict[str, Questionnaire]:
        """Every questionnaire by id, as reports are validated and built against them."""
        return {qid: loaded.model for qid, loaded in self.questionnaires.items()}


def content_files(paths: Iterable[Path]) -> list[Path]:
    """YAML files named directly or found in the given folders, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix in {".yaml", ".yml"})
        else:
            found.append(path)
    return found


def display_path(path: Path) -> str:
    """The path as an author would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def is_report_file(path: Path) -> bool:
    """True when the file's top level has a `blocks:` key (how `validate` tells reports apart).

    Unreadable or broken files count as questionnaires; loading them reports the problem.
    """
    try:
        raw = path.read_bytes()
        if len(raw) > MAX_FILE_BYTES:
            return False
        data = read_document(raw.decode("utf-8"), str(path)).data
    except (OSError, UnicodeDecodeError, ContentError):
        return False
    return "blocks" in data


@overload
def load_registry(
    questionnaire_paths: Iterable[Path],
    report_paths: Iterable[Path],
    *,
    report_model: type[R],
    strict_languages: bool = False,
) -> Registry[R]: ...


@overload
def load_registry(
    questionnaire_paths: Iterable[Path],
    *,
    strict_languages: bool = False,
) -> Registry[BaseModel]: ...


def load_registry(
    questionnaire_paths: Iterable[Path],
    report_paths: Iterable[Path] = (),
    *,
    report_model: type[BaseModel] | None = None,
    strict_languages: bool = False,
) -> Registry[Any]:
    """Load questionnaires, then reports (as `report_model`) checked against them; raise
    ContentError listing every problem (missing translations too, when `strict_languages`).

    Why reports are checked without references when a questionnaire failed: a report naming
    a broken questionnaire would only repeat that error as "not a questionnaire".
    """
    report_paths = list(report_paths)
    if report_paths and report_model is None:
        raise TypeError("loading reports needs their model (survey_app.reporting.schema.Report)")
    errors: list[DefinitionError] = []
    questionnaires = _load_all(Questionnaire, "questionnaire", questionnaire_paths, errors)
    known = {qid: loaded.model for qid, loaded in questionnaires.items()}
    context = None if errors else {"questionnaires": known}
    reports = (
        _load_all(report_model, "report", report_paths, errors, context) if report_model else {}
    )
    if strict_languages:
        errors += [w for loaded in questionnaires.values() for w in loaded.warnings]
    if errors:
        raise ContentError(errors)
    return Registry(questionnaires, reports)


def _load_all(
    model: type[M],
    what: str,
    paths: Iterable[Path],
    errors: list[DefinitionError],
    context: dict[str, Any] | None = None,
) -> dict[str, LoadedFile[M]]:
    """Every file of one kind by id; problems (and duplicate ids) are appended to `errors`."""
    loaded_by_id: dict[str, LoadedFile[M]] = {}
    for path in content_files(paths):
        shown = display_path(path)
        try:
            loaded = load_file(model, path, shown, context)
        except ContentError as exc:
            errors += exc.errors
            continue
        except OSError as exc:
            errors.append(DefinitionError(shown, 1, 1, "", f"cannot read file: {exc.strerror}"))
            continue
        file_id: str = getattr(loaded.model, "id")  # noqa: B009 -- every content model has one
        if file_id in loaded_by_id:
            first = display_path(loaded_by_id[file_id].path)
            line, col = loaded.doc.position(("id",))
            errors.append(
                DefinitionError(
                    shown, line, col, "id", f"{what} id '{file_id}' is already used by {first}"
                )
            )
            continue
        loaded_by_id[file_id] = loaded
    return loaded_by_id
