"""The app's own strings: every one extracted from the code has a French and a Spanish
translation with the same placeholders, and the catalogs compile."""

from __future__ import annotations

import io
from functools import cache

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from survey_app.i18n import TRANSLATIONS_DIR
from survey_app.settings import ROOT

LANGUAGES = ("fr", "es")


@cache
def source_messages() -> frozenset[str]:
    """Every msgid `make messages` would extract, read from the code as it is now."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None}
    found = extract_from_dir(ROOT, method_map, options_map, keywords=keywords)
    return frozenset(message for _, _, message, _, _ in found if isinstance(message, str))


def catalog(language: str) -> Catalog:
    with open(TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


def test_the_participant_strings_are_extracted():
    """A guard for the test below: extraction sees Python, Jinja and the pure describe.py."""
    found = source_messages()
    assert {"Submit", "There is a problem", "Choose at most %(n)s."} <= found
    assert "Answer only if %(condition)s." in found  # {% trans %} in _fields.html
    assert "you answered %(answers)s to “%(question)s”" in found  # describe.py's `_`
    assert "Your answers have not been sent: this page had expired" in " ".join(found)  # CSRF


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_app_string_has_a_translation(language):
    translated = {m.id: m.string for m in catalog(language) if m.id and m.string and not m.fuzzy}
    missing = sorted(source_messages() - translated.keys())
    assert missing == [], f"untranslated in {language}: run `make messages`, then translate"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    problems = [(m.id, [str(e) for e in errs]) for m, errs in catalog(language).check()]
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_compiles_and_translates(language):
    buffer = io.BytesIO()
    write_mo(buffer, catalog(language))
    buffer.seek(0)
    translations = Translations(buffer)
    expected = {"fr": "Envoyer", "es": "Enviar"}[language]
    assert translations.gettext("Submit") == expected
    assert "%(n)s" in translations.gettext("Choose at most %(n)s.")


@pytest.mark.parametrize("language", LANGUAGES)
def test_installed_catalog_is_compiled_from_the_current_po(language):
    """`make install` compiles the catalogs; a stale or missing .mo means it did not run."""
    mo = TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.mo"
    assert mo.exists(), f"{mo} is missing: run `make install` (it compiles the catalogs)"
    with open(mo, "rb") as compiled:
        installed = {m.id: m.string for m in read_mo(compiled) if m.id}
    current = {m.id: m.string for m in catalog(language) if m.id and m.string and not m.fuzzy}
    assert installed == current, "run `make install` to recompile the catalogs"
