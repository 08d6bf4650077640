"""A conversion as a questionnaire YAML file, and the summary the command prints."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
)

from ..questionnaire import Questionnaire, load_file
from .convert import Conversion

#: Texts longer than this are folded (`>-`) at spaces into lines of at most this length.
FOLD_WIDTH = 88
#: A short option, comparison or scale goes on one line, like the sample files' options:
#: `{value: ngo, label: Non-governmental organisation}`; everything else is block style.
FLOW_KEYS = (
    frozenset({"value", "label"}),
    frozenset({"question", "equals", "in", "answered"}),
    frozenset({"min", "max", "labels"}),
)
#: Plain strings YAML 1.1 tools read as booleans; quoted so that every editor agrees.
YAML11_BOOLEANS = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off"})
_SCALARS = (str, int, float, bool, dt.date)


def _one_line(value: dict[str, Any]) -> bool:
    def short(item: Any) -> bool:
        if isinstance(item, list):
            return all(short(i) for i in item)
        return isinstance(item, _SCALARS) and "\n" not in str(item)

    fits = len(", ".join(f"{k}: {v}" for k, v in value.items())) <= FOLD_WIDTH
    keys = set(value)
    return (
        fits and any(keys <= allowed for allowed in FLOW_KEYS) and all(map(short, value.values()))
    )


def _text(value: str) -> Any:
    """Long single-line texts folded at spaces, multi-line ones literal, YAML 1.1 words quoted."""
    if "\n" in value:
        return LiteralScalarString(value)
    if value.lower() in YAML11_BOOLEANS:
        return DoubleQuotedScalarString(value)
    if len(value) <= FOLD_WIDTH or value != value.strip() or "  " in value:
        return value
    folded = FoldedScalarString(value)
    folded.fold_pos = _fold_positions(value)
    return folded


def _fold_positions(value: str) -> list[int]:
    """Indexes of the spaces to break at so that lines stay within FOLD_WIDTH (greedy)."""
    positions: list[int] = []
    line_start, last_space = 0, -1
    for i, char in enumerate([*value, " "]):
        if char != " ":
            continue
        if i - line_start > FOLD_WIDTH and last_space > line_start:
            positions.append(last_space)
            line_start = last_space + 1
        last_space = i
    return [p for p in positions if p < len(value)]


def _node(value: Any) -> Any:
    """Plain data -> ruamel nodes."""
    if isinstance(value, dict):
        mapping = CommentedMap((k, _node(v)) for k, v in value.items())
        if _one_line(value):
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        seq = CommentedSeq(_node(v) for v in value)
        if all(isinstance(v, _SCALARS) for v in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str):
        return _text(value)
    return value


def questionnaire_yaml(conversion: Conversion, source: str, today: dt.date) -> str:
    """The questionnaire file: editor schema line, where it came from, what was left out."""
    yaml = YAML(typ="rt", pure=True)
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # folding is done by _text; ruamel would leave trailing spaces
    stream = io.StringIO()
    yaml.dump(_node(conversion.questionnaire), stream)
    header = [
        "# yaml-language-server: $schema=schema.json",
        f"# Imported from {source} by `flask survey import-xlsform` on {today.isoformat()}.",
    ]
    if conversion.skipped:
        header.append("# Not converted:")
        header += [f"#   {item}" for item in conversion.skipped]
    return "\n".join(header) + "\n" + stream.getvalue()


def summary_lines(conversion: Conversion, source: str) -> list[str]:
    """What was converted, section by section, then every item skipped or changed."""
    counts = conversion.type_counts()
    sections = conversion.questionnaire["sections"]
    by_type = ", ".join(f"{n} {kind}" for kind, n in counts.most_common())
    default, *others = conversion.languages
    languages = ", ".join([f"{default} (default)", *others])
    lines = [
        f"Converted {source} to questionnaire '{conversion.id}':",
        f"  questions: {sum(counts.values())} ({by_type})",
        f"  sections: {len(sections)} ({', '.join(s['id'] for s in sections)})",
        f"  languages: {languages}",
        f"  conditions: {conversion.conditions()} show_if; constraints: {conversion.constraints}",
    ]
    for title, items in (
        ("Not converted", conversion.skipped),
        ("Converted with changes", conversion.changed),
        ("pyxform warns", tuple(w for text in conversion.warnings for w in text.splitlines())),
    ):
        if items:
            lines.append(f"{title} ({len(items)}):")
            lines += [f"  {item}" for item in items]
    return lines


def write_questionnaire(text: str, target: Path) -> None:
    """Write `text` to `target` only once it loads as a valid questionnaire.

    Raises the loader's ContentError (errors shown against `target`) when it does not; then
    nothing is written. The file appears whole or not at all (written aside, then renamed).
    """
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        load_file(Questionnaire, Path(temporary), display=str(target))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
