"""YAML text -> plain data with positions -> validated pydantic model, or located errors."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean

from .questions import QUESTION_TYPES
from .strict import LANGUAGE_PATTERN, Loc
from .texts import missing_translations

#: Content files are written by hand; anything bigger is a mistake or an attack.
MAX_FILE_BYTES = 1_000_000
#: Bounds the work done on a file even when aliases repeat a node (the "billion laughs").
MAX_NODES = 100_000

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class DefinitionError:
    """One problem in a content file, printed compiler-style."""

    path: str
    line: int
    col: int
    loc: str
    message: str

    def __str__(self) -> str:
        where = f"{self.loc}: " if self.loc else ""
        return f"{self.path}:{self.line}:{self.col}: {where}{self.message}"


class ContentError(Exception):
    """Raised with every problem found in one or more content files."""

    def __init__(self, errors: list[DefinitionError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass(frozen=True)
class Document:
    """Plain data from a YAML file plus the 1-based position of every node and key."""

    data: Any
    values: dict[Loc, tuple[int, int]]
    keys: dict[Loc, tuple[int, int]]

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """The position of `loc`, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        if loc in table:
            return table[loc]
        while loc:
            loc = loc[:-1]
            if loc in self.values:
                return self.values[loc]
        return (1, 1)


def dotted(loc: Loc) -> str:
    """`("sections", 0, "questions", 1)` -> `sections[0].questions[1]`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@functools.lru_cache(maxsize=64)
def read_document(text: str, path: str) -> Document:
    """Parse YAML safely and keep positions; raise ContentError on anything unusual.

    Cached by text and path: ruamel's position-keeping parser is pure Python (~0.1 s for a
    sample questionnaire), and every app built in one process reads the same files.
    Callers must not mutate the returned data (validation does not).
    """
    if not text.strip():
        raise ContentError([DefinitionError(path, 1, 1, "", "the file is empty")])
    yaml = YAML(typ="rt", pure=True)
    try:
        root = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "not valid YAML"
        raise ContentError(
            [DefinitionError(path, line, col, "", f"not valid YAML: {problem}")]
        ) from None
    except YAMLError as exc:
        raise ContentError([DefinitionError(path, 1, 1, "", f"not valid YAML: {exc}")]) from None
    walker = _Walker(path)
    data = walker.walk(root, (), (1, 1))
    if walker.errors:
        raise ContentError(walker.errors)
    if not isinstance(data, dict):
        raise ContentError(
            [DefinitionError(path, 1, 1, "", "the file must be a mapping of keys to values")]
        )
    return Document(data, walker.values, walker.keys)


class _Walker:
    """Converts ruamel nodes to plain data, recording positions and refusing tags."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.values: dict[Loc, tuple[int, int]] = {}
        self.keys: dict[Loc, tuple[int, int]] = {}
        self.errors: list[DefinitionError] = []
        self.nodes = 0

    def walk(self, node: Any, loc: Loc, pos: tuple[int, int]) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            if not self.errors or "too many" not in self.errors[-1].message:
                self.errors.append(
                    DefinitionError(
                        self.path, *pos, dotted(loc), f"too many nodes (over {MAX_NODES})"
                    )
                )
            return None
        self.values[loc] = pos
        tag = getattr(getattr(node, "tag", None), "value", None)
        # Untagged nodes carry no tag; `!!python/...` expands to `tag:yaml.org,2002:python/...`,
        # so any explicit tag is refused rather than trusting the `!!` prefix.
        if tag is not None:
            self.errors.append(
                DefinitionError(
                    self.path, *pos, dotted(loc), f"YAML tags such as {tag} are not allowed"
                )
            )
            return None
        if isinstance(node, CommentedMap):
            out = {}
            for key in node:
                child = (*loc, key)
                if key not in node.lc.data:
                    # Merged in by `<<: *anchor`: no position of its own, so use the mapping's.
                    self.keys[child] = pos
                    out[key] = self.walk(node[key], child, pos)
                    continue
                kline, kcol = node.lc.key(key)
                vline, vcol = node.lc.value(key)
                self.keys[child] = (kline + 1, kcol + 1)
                out[key] = self.walk(node[key], child, (vline + 1, vcol + 1))
            return out
        if isinstance(node, CommentedSeq):
            items = []
            for i, item in enumerate(node):
                line, col = node.lc.item(i)
                items.append(self.walk(item, (*loc, i), (line + 1, col + 1)))
            return items
        if isinstance(node, ScalarBoolean):
            return bool(node)
        if isinstance(node, str | int | float | bool | dt.date) or node is None:
            # ruamel's scalar subclasses (ScalarFloat, LiteralScalarString...) become plain.
            for plain in (bool, int, float, str):
                if isinstance(node, plain):
                    return plain(node)
            return node
        self.errors.append(
            DefinitionError(self.path, *pos, dotted(loc), f"unsupported YAML value {node!r}")
        )
        return None


def validate_document(
    model: type[M], doc: Document, path: str, context: dict[str, Any] | None = None
) -> M:
    """Validate plain data against `model`; raise ContentError with every problem located.

    `context` reaches the model's validators (reports use it to check their references).
    """
    try:
        return model.model_validate(doc.data, context=context)
    except ValidationError as exc:
        errors = [e for err in exc.errors() for e in _located_errors(err, doc, path)]
        raise ContentError(sorted(set(errors), key=lambda e: (e.line, e.col, e.loc))) from None


def _located_errors(err: Any, doc: Document, path: str) -> list[DefinitionError]:
    kind = err["type"]
    loc = _data_loc(doc.data, err["loc"], keep_last=kind in {"missing", "extra_forbidden"})
    if kind == "located":
        out = []
        for rel, message in err["ctx"]["problems"]:
            full = (*loc, *rel)
            out.append(DefinitionError(path, *doc.position(full), dotted(full), message))
        return out
    if kind == "missing":
        parent, name = loc[:-1], loc[-1]
        return [
            DefinitionError(
                path, *doc.position(parent), dotted(parent), f"missing required key '{name}'"
            )
        ]
    if kind == "extra_forbidden":
        return [
            DefinitionError(
                path, *doc.position(loc, key=True), dotted(loc), f"unknown key '{loc[-1]}'"
            )
        ]
    if kind == "union_tag_invalid":
        loc = (*loc, "type")
        what, expected = "question", ", ".join(QUESTION_TYPES)
        if loc[-3:-2] == ("blocks",):
            what = "block"
            expected = ", ".join(t.strip(" '") for t in err["ctx"]["expected_tags"].split(","))
        message = f"unknown {what} type '{err['ctx']['tag']}' (expected one of: {expected})"
        return [DefinitionError(path, *doc.position(loc), dotted(loc), message)]
    if kind == "union_tag_not_found":
        return [
            DefinitionError(path, *doc.position(loc), dotted(loc), "missing required key 'type'")
        ]
    message = err["msg"]
    if kind == "string_pattern_mismatch" and err["ctx"]["pattern"] == LANGUAGE_PATTERN:
        message = "must be a BCP 47 language code such as en, fr or pt-BR"
    elif kind == "string_pattern_mismatch":
        message = (
            "must be a slug: lowercase letters, digits and '_' (or '-' for file ids), "
            "starting with a letter"
        )
    elif kind == "literal_error" and loc == ("schema_version",):
        message = f"unsupported schema_version {err['input']!r} (this version reads 1)"
    else:
        message = message[0].lower() + message[1:]
        if "input" in err and not isinstance(err["input"], dict | list):
            message += f", got {err['input']!r}"
    return [DefinitionError(path, *doc.position(loc), dotted(loc), message)]


def _data_loc(data: Any, loc: tuple[Any, ...], *, keep_last: bool) -> Loc:
    """Drop pydantic's union-tag and validator segments that are not keys in the data."""
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
            out.append(part)
        elif keep_last and i == len(loc) - 1:
            out.append(part)  # the missing key itself
        # otherwise: a discriminator tag or validator name; skip it
    return tuple(out)


@dataclass(frozen=True, eq=False)
class LoadedFile(Generic[M]):
    """A validated content model with where it came from (hashed by identity, for caches)."""

    model: M
    path: Path
    sha256: str
    doc: Document
    #: Texts missing in a declared language; errors under --strict-languages.
    warnings: tuple[DefinitionError, ...] = ()
    #: The published version served (ContentVersion id and number); None for a file on disk.
    version_id: int | None = None
    version: int | None = None


def load_file(
    model: type[M],
    path: Path,
    display: str | None = None,
    context: dict[str, Any] | None = None,
) -> LoadedFile[M]:
    """Read, parse and validate one content file (`context` as for `validate_document`)."""
    return load_bytes(model, path.read_bytes(), path, display, context)


def load_bytes(
    model: type[M],
    raw: bytes,
    path: Path,
    display: str | None = None,
    context: dict[str, Any] | None = None,
) -> LoadedFile[M]:
    """Decode, parse and validate content that came as bytes (a file, an upload, a version)."""
    shown = display or str(path)
    if len(raw) > MAX_FILE_BYTES:
        raise ContentError(
            [DefinitionError(shown, 1, 1, "", f"file is larger than {MAX_FILE_BYTES} bytes")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(
            [DefinitionError(shown, 1, 1, "", f"not UTF-8 text (byte {exc.start})")]
        ) from None
    doc = read_document(text, shown)
    validated = validate_document(model, doc, shown, context)
    languages = getattr(validated, "languages", None)
    warnings = tuple(
        DefinitionError(shown, *doc.position(loc), dotted(loc), message)
        for loc, message in (missing_translations(validated, languages) if languages else [])
    )
    return LoadedFile(validated, path, hashlib.sha256(raw).hexdigest(), doc, warnings)
