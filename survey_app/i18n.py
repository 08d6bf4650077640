"""Which language the app's own words (buttons, errors, the thank-you page) are shown in.

Questionnaire texts come from the YAML file in the participant's chosen language; the
app's own strings come from the Babel catalogs in `translations/`. A participant page
reads in one language: the survey views call `use_language` with the questionnaire
language the participant chose, and `select_locale` shows the app strings in it when a
catalog exists, else in English (the source language). Staff pages stay in English.
"""

from __future__ import annotations

import functools
from pathlib import Path

import flask_babel
from flask import g, has_request_context, request

#: The language the app's strings are written in (the msgids of the catalogs).
SOURCE_LANGUAGE = "en"
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def gettext(message: str, /, **variables: object) -> str:
    """`message` in the page's language, `%(name)s` placeholders filled in (typed wrapper)."""
    return str(flask_babel.gettext(message, **variables))


@functools.cache
def catalog_languages(directory: Path = TRANSLATIONS_DIR) -> frozenset[str]:
    """Languages with a compiled catalog (`<lang>/LC_MESSAGES/messages.mo`), plus English."""
    compiled = {mo.parent.parent.name for mo in directory.glob("*/LC_MESSAGES/messages.mo")}
    return frozenset({SOURCE_LANGUAGE, *compiled})


def ui_language(language: str | None) -> str:
    """The catalog to show app strings in for a page in `language` (`fr-CA` -> `fr`)."""
    available = catalog_languages()
    if language:
        for candidate in (language.replace("-", "_"), language.split("-")[0].lower()):
            if candidate in available:
                return candidate
    return SOURCE_LANGUAGE


def use_language(language: str) -> None:
    """Show the rest of this request's app strings in `language` (or English without a catalog)."""
    g.survey_language = language
    flask_babel.refresh()


def browser_language() -> str:
    """The catalog language the browser prefers, for pages without a questionnaire."""
    return request.accept_languages.best_match(sorted(catalog_languages())) or SOURCE_LANGUAGE


def select_locale() -> str:
    """Flask-Babel's locale selector: the participant's page language, else English."""
    if not has_request_context():
        return SOURCE_LANGUAGE
    return ui_language(g.get("survey_language"))


def page_language() -> str:
    """The language of the current page's app strings, for `<html lang>` on pages without a
    questionnaire (the index, error pages)."""
    locale = flask_babel.get_locale()
    return str(locale).replace("_", "-") if locale else SOURCE_LANGUAGE
