"""Small questionnaires written to a folder, in versions, for the lifecycle tests."""

from __future__ import annotations

from pathlib import Path

PULSE = """\
schema_version: 1
id: pulse
title: {title}
visibility: {visibility}
sections:
  - id: main
    title: Main
    questions:
      - id: mood
        type: single_choice
        prompt: {prompt}
        options:
{options}
{extra}"""

NOTE = """\
      - id: note
        type: short_text
        prompt: Anything else?
"""


def pulse(
    title: str = "Pulse check",
    prompt: str = "How are you today?",
    options: tuple[str, ...] = ("good", "bad"),
    *,
    note: bool = True,
    visibility: str = "public",
) -> str:
    """The YAML of a one- or two-question questionnaire `pulse`."""
    listed = "".join(f"          - {{value: {o}, label: {o.title()}}}\n" for o in options)
    return PULSE.format(
        title=title,
        prompt=prompt,
        options=listed.rstrip("\n"),
        extra=("\n" + NOTE) if note else "\n",
        visibility=visibility,
    )


def content_dirs(root: Path, text: str) -> tuple[Path, Path]:
    """A questionnaires folder holding pulse.yaml with `text`, and an empty reports folder."""
    questionnaires, reports = root / "questionnaires", root / "reports"
    questionnaires.mkdir(parents=True, exist_ok=True)
    reports.mkdir(exist_ok=True)
    (questionnaires / "pulse.yaml").write_text(text, encoding="utf-8")
    return questionnaires, reports
