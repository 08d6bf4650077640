"""Make a matplotlib SVG document fit for inlining in an HTML page under our CSP.

Why: matplotlib styles every element with a `style="..."` attribute and a `<style>`
element, which `style-src 'self'` blocks in the browser preview (charts would turn black).
SVG presentation attributes (`fill="#0072b2"`) are not styles for CSP, and WeasyPrint
reads them too. Element ids get a per-chart prefix so several charts can share a page.
"""

from __future__ import annotations

import html
import re

#: SVG presentation attributes matplotlib's `style` declarations may use.
PRESENTATION_ATTRIBUTES = frozenset(
    {
        "clip-path",
        "clip-rule",
        "color",
        "dominant-baseline",
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "font-stretch",
        "font-style",
        "font-variant",
        "font-weight",
        "letter-spacing",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "text-decoration",
        "visibility",
        "white-space",
        "word-spacing",
    }
)
_TAG = re.compile(r"<([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+=\"[^\"]*\")*)\s*(/?)>")
_ATTRIBUTE = re.compile(r"\s+([\w:.-]+)=\"([^\"]*)\"")
_DROPPED = re.compile(r"<metadata>.*?</metadata>\s*|<style[^>]*>.*?</style>\s*", re.S)
#: What matplotlib's `<style>` element set for every element (inherited from the root).
_ROOT_DEFAULTS = {"stroke-linejoin": "round", "stroke-linecap": "butt"}


def inline_svg(svg: str, prefix: str, label: str = "") -> str:
    """The SVG with styles as attributes, ids prefixed with `prefix-`, and an accessible name."""
    svg = _DROPPED.sub("", svg)
    first = True

    def tag(match: re.Match[str]) -> str:
        nonlocal first
        name, raw, closing = match.groups()
        attributes = dict(_ATTRIBUTE.findall(raw))
        for declaration in html.unescape(attributes.pop("style", "")).split(";"):
            prop, _, value = (part.strip() for part in declaration.partition(":"))
            if prop in PRESENTATION_ATTRIBUTES and value:
                attributes[prop] = _escape(value)
        for key, value in attributes.items():
            attributes[key] = _prefixed(key, value, prefix)
        if name == "svg" and first:
            first = False
            attributes = {**_ROOT_DEFAULTS, **attributes, "role": "img"}
            if label:
                attributes["aria-label"] = _escape(label)
        text = "".join(f' {key}="{value}"' for key, value in attributes.items())
        return f"<{name}{text}{closing}>"

    return _TAG.sub(tag, svg)


def _prefixed(key: str, value: str, prefix: str) -> str:
    """Point ids and same-document references (`#id`, `url(#id)`) at the prefixed ids."""
    if key == "id":
        return f"{prefix}-{value}"
    if key in ("href", "xlink:href") and value.startswith("#"):
        return f"#{prefix}-{value[1:]}"
    return value.replace("url(#", f"url(#{prefix}-")


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
