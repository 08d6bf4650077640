"""An empty questionnaire page, rendered once per questionnaire, language and link kind.

Why: a fresh form is the same page for every participant except three values (its CSRF
token, its submission token and the link's path), and rendering it was most of a GET. The
page is rendered once with placeholders for those and each request fills them in.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import NamedTuple

from flask import current_app, request
from markupsafe import escape

from ..forms import SurveyForm

#: Placeholders no questionnaire text can hold: YAML refuses a NUL character.
CSRF_SLOT = "\x00csrf\x00"
TOKEN_SLOT = "\x00token\x00"  # noqa: S105 -- a placeholder, not a secret
PATH_SLOT = "\x00path\x00"
#: Pages kept per app: a few questionnaires x languages x (open link, training link).
MAX_PAGES = 128


class PageKey(NamedTuple):
    """What the empty page depends on besides the per-request values."""

    form_class: type[SurveyForm]
    language: str
    script_root: str


def empty_form_page(
    form: SurveyForm, language: str, path: str, render: Callable[[str], str]
) -> str:
    """The page of the fresh `form`, from the kept render when there is one.

    `render(path)` renders the page for a form path; it is called with placeholders in the
    form's tokens and in `path` the first time.
    """
    pages: OrderedDict[PageKey, str] = current_app.extensions.setdefault(
        "survey_empty_forms", OrderedDict()
    )
    key = PageKey(type(form), language, request.script_root)
    csrf_field = getattr(form, "csrf_token", None)
    csrf = str(csrf_field.current_token) if csrf_field is not None else ""
    token = str(form.submission_token.data)
    page = pages.get(key)
    if page is None:
        if csrf_field is not None:
            csrf_field.current_token = CSRF_SLOT
        form.submission_token.data = TOKEN_SLOT
        try:
            page = render(PATH_SLOT)
        finally:
            if csrf_field is not None:
                csrf_field.current_token = csrf
            form.submission_token.data = token
        pages[key] = page
        while len(pages) > MAX_PAGES:
            pages.popitem(last=False)
    return (
        page.replace(CSRF_SLOT, str(escape(csrf)))
        .replace(TOKEN_SLOT, str(escape(token)))
        .replace(PATH_SLOT, str(escape(path)))
    )
