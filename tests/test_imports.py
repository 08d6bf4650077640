"""Module layering: no import cycles in the domain packages, each module imports on its own.

A plain AST walk (no grimp): every `import` and `from ... import` anywhere in a module,
under TYPE_CHECKING and inside functions too, since a cycle hidden there is still one
that a refactor turns into an ImportError.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import survey_app

PACKAGE = Path(survey_app.__file__).parent
#: Packages whose modules must form no cycle among themselves.
LAYERED = ("survey_app.reporting", "survey_app.questionnaire")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts}


def imports_of(name: str) -> Iterator[str]:
    """The survey_app modules `name` imports (a submodule where `from pkg import mod`)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                target = f"{base}.{alias.name}"
                if target in MODULES:
                    yield target
                elif base in MODULES:
                    yield base


def graph() -> dict[str, set[str]]:
    return {name: set(imports_of(name)) - {name} for name in MODULES}


def cycles(edges: dict[str, set[str]], within: tuple[str, ...]) -> list[list[str]]:
    """Strongly connected components of more than one module among `within`'s modules."""
    nodes = [n for n in edges if n.startswith(within)]
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges[node]:
            if not nxt.startswith(within):
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in nodes:
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    edges = {
        "survey_app.reporting.a": {"survey_app.reporting.b"},
        "survey_app.reporting.b": {"survey_app.reporting.a"},
    }
    assert cycles(edges, LAYERED) == [["survey_app.reporting.a", "survey_app.reporting.b"]]


def test_reporting_and_questionnaire_modules_import_no_cycle():
    assert cycles(graph(), LAYERED) == []


def test_question_block_and_its_charts_do_not_import_each_other_both_ways():
    edges = graph()
    charts = "survey_app.reporting.blocks.question_charts"
    question = "survey_app.reporting.blocks.question"
    assert charts in edges[question]
    assert question not in edges[charts]


def test_the_questionnaire_domain_imports_nothing_from_reporting():
    edges = graph()
    offending = {
        (name, target)
        for name, targets in edges.items()
        if name.startswith("survey_app.questionnaire")
        for target in targets
        if target.startswith("survey_app.reporting")
    }
    assert offending == set()


def test_every_reporting_and_questionnaire_module_imports_on_its_own():
    """In one fresh interpreter, each module is imported with no survey_app module loaded."""
    names = [n for n in MODULES if n.startswith(LAYERED)]
    script = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    for loaded in [m for m in sys.modules if m.startswith('survey_app')]:\n"
        "        del sys.modules[loaded]\n"
        "    importlib.import_module(name)\n"
        "print('ok')\n"
    )
    done = subprocess.run(  # noqa: S603 -- our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
