"""A group of selects on one scale (`table-list`, `label` + `list-nolabel`) -> a matrix."""

from __future__ import annotations

from typing import Any

from .choices import scale_of
from .context import SLUG, Built, Context, question_id, slug, unique
from .reading import ROW
from .texts import as_text, texts

_TABLE_APPEARANCES = {"table-list", "field-list"}


def _appearance(element: dict[str, Any]) -> set[str]:
    return set(str((element.get("control") or {}).get("appearance") or "").split())


def matrix_of(ctx: Context, group: dict[str, Any]) -> Built | None:
    """The group as one matrix question, or None when it is not a table of one scale."""
    if group.get("type") != "group" or not _appearance(group) & _TABLE_APPEARANCES:
        return None
    rows: list[dict[str, Any]] = []
    header_seen = False
    for child in group.get("children", ()):
        name = str(child.get("name"))
        if child.get("type") == "note" and name.startswith("generated_table_list_label_"):
            continue
        if child.get("type") != "select one":
            return None
        if "label" in _appearance(child):
            header_seen = True
            continue
        bind = child.get("bind") or {}
        if bind.get("relevant") or bind.get("constraint") or child.get(ROW) is None:
            return None
        rows.append(child)
    tabled = "table-list" in _appearance(group) or header_seen
    itemsets = {str(r.get("itemset")) for r in rows}
    if not tabled or len(rows) < 2 or len(itemsets) != 1:
        return None
    options = [
        {
            "value": str(c.get("name")),
            "label": as_text(texts(c.get("label"), ctx.langs), ctx.langs.default),
        }
        for c in rows[0].get("choices", ())
    ]
    scale = scale_of(options, ctx.langs.default)
    if scale is None:
        ctx.change(
            group,
            f"group '{group.get('name')}' is a table of choices that are not the points 1..n "
            "of a scale; its questions are kept one by one",
        )
        return None
    return _built(ctx, group, rows, scale)


def _built(
    ctx: Context, group: dict[str, Any], rows: list[dict[str, Any]], scale: dict[str, Any]
) -> Built:
    used: set[str] = set()
    matrix_rows = []
    for row in rows:
        name = str(row.get("name"))
        value = unique(name if SLUG.match(name) else slug(name, prefix="row"), used)
        if value != name:
            ctx.change(row, f"row name '{name}' becomes '{value}'")
        label = texts(row.get("label"), ctx.langs) or {ctx.langs.default: name}
        matrix_rows.append({"value": value, "label": as_text(label, ctx.langs.default)})
    data: dict[str, Any] = {"id": question_id(ctx, group), "type": "matrix", "scale": scale}
    data["rows"] = matrix_rows
    required = [
        str((r.get("bind") or {}).get("required") or "").lower() in {"yes", "true()", "true"}
        for r in rows
    ]
    if all(required):
        data["required"] = True
    elif any(required):
        ctx.change(group, f"matrix '{group.get('name')}': some rows were required; none are")
    condition, failed = ctx.relevant(group, f"group '{group.get('name')}'")
    if condition is not None:
        data["show_if"] = condition
    if failed:
        data.pop("required", None)
    ctx.change(
        group,
        f"group '{group.get('name')}' ({len(rows)} selects on one scale) becomes matrix "
        f"'{data['id']}'",
    )
    prompt = ctx.texts(group, "label")
    for child in group.get("children", ()):
        if not prompt and str(child.get("name")).startswith("generated_table_list_label_"):
            prompt = ctx.texts(child, "label")  # pyxform moves a table's label here
    prompt = prompt or {ctx.langs.default: str(group.get("name"))}
    relevant = str((group.get("bind") or {}).get("relevant") or "")
    return Built(data, prompt, ctx.texts(group, "hint") or None, relevant)
