"""Loads every content file at startup; lookup by id; every error in every file at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .loader import ContentError, DefinitionError, LoadedFile, load_file
from .schema import Questionnaire


@dataclass(frozen=True)
class Registry:
    """The validated content the app serves."""

    questionnaires: dict[str, LoadedFile[Questionnaire]] = field(default_factory=dict)

    def questionnaire(self, questionnaire_id: str) -> LoadedFile[Questionnaire] | None:
        """The loaded questionnaire with this id, if any."""
        return self.questionnaires.get(questionnaire_id)


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


def load_registry(questionnaire_paths: Iterable[Path]) -> Registry:
    """Load and cross-check questionnaires; raise ContentError listing every problem."""
    errors: list[DefinitionError] = []
    questionnaires: dict[str, LoadedFile[Questionnaire]] = {}
    for path in content_files(questionnaire_paths):
        shown = display_path(path)
        try:
            loaded = load_file(Questionnaire, path, shown)
        except ContentError as exc:
            errors += exc.errors
            continue
        except OSError as exc:
            errors.append(DefinitionError(shown, 1, 1, "", f"cannot read file: {exc.strerror}"))
            continue
        qid = loaded.model.id
        if qid in questionnaires:
            first = display_path(questionnaires[qid].path)
            line, col = loaded.doc.position(("id",))
            errors.append(
                DefinitionError(
                    shown, line, col, "id", f"questionnaire id '{qid}' is already used by {first}"
                )
            )
            continue
        questionnaires[qid] = loaded
    if errors:
        raise ContentError(errors)
    return Registry(questionnaires)
