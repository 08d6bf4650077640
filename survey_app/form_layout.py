"""What the questionnaire template needs to lay a form out: language names, countries in
the page's language, and `TemplateHelpers`, the plain functions it calls."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from markupsafe import Markup, escape

from .forms import CODE_FIELDS, CODE_KEY, COUNTRIES, SurveyForm, field_name, read_answers
from .i18n import gettext as _
from .questionnaire.answers import calculated_values
from .questionnaire.calculations import answer_text as expression_text
from .questionnaire.calculations import as_json, parsed
from .questionnaire.conditions import Condition
from .questionnaire.describe import describe_condition
from .questionnaire.pipes import PLACEHOLDER, fill, parts
from .questionnaire.questions import (
    OTHER_VALUE,
    ChoiceQuestionBase,
    CountryQuestion,
    MatrixQuestion,
    RankingQuestion,
    Scale,
)
from .questionnaire.schema import Questionnaire, Section
from .questionnaire.texts import direction
from .repeats import ITEMS_SUFFIX, count_name, item_question, posted_count, split_item_id


def language_name(code: str) -> str:
    """A language's name in that language, e.g. `fr` -> `Français`."""
    try:
        locale = Locale.parse(code, sep="-")
        name = locale.get_display_name(locale) or code
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:]


@functools.lru_cache(maxsize=32)
def localized_countries(language: str) -> list[tuple[str, str]]:
    """(ISO code, name) of every country in `language`, sorted by name: Unicode CLDR names
    via Babel; in English, and where CLDR has none, the names of COUNTRIES."""
    if language.split("-")[0] == "en":
        return COUNTRIES
    try:
        names = Locale.parse(language, sep="-").territories
    except (ValueError, UnknownLocaleError):
        return COUNTRIES
    named = [(code, names.get(code, name)) for code, name in COUNTRIES]
    return sorted(named, key=lambda item: _sort_key(item[1]))


def _sort_key(name: str) -> str:
    """Accents ignored, so `Égypte` sorts among the E's."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class TemplateHelpers:
    """Plain functions the questionnaire template calls; bound to one questionnaire."""

    questionnaire: Questionnaire
    current: str | None = None

    def languages(self) -> list[tuple[str, str]]:
        """(code, name in its own language) of each language the questionnaire offers."""
        return [(code, language_name(code)) for code in self.questionnaire.languages]

    def direction(self) -> str:
        """`rtl` or `ltr` for the current language."""
        return direction(self.language)

    field_name = staticmethod(field_name)

    def describe(self, condition: Condition) -> str:
        """A show_if condition in words, in the page's language."""
        return describe_condition(condition, self.questionnaire, _)

    @property
    def countries(self) -> list[tuple[str, str]]:
        """(code, name) of every country, named and sorted in the page's language."""
        return localized_countries(self.language)

    @staticmethod
    def option_choices(q: ChoiceQuestionBase) -> list[tuple[str, str]]:
        """(value, label) of each option."""
        return [(o.value, o.label) for o in q.options]

    @staticmethod
    def choice_filter(q: ChoiceQuestionBase) -> list[dict[str, str]]:
        """The question's choice_filter as plain data, for survey.js."""
        return [rule.model_dump() for rule in q.choice_filter or []]

    def calculations(self) -> list[dict[str, object]]:
        """Each calculation's id and syntax tree, for static/js/calc.js."""
        return [
            {"id": c.id, "ast": as_json(parsed(c.expression))}
            for c in self.questionnaire.calculations
        ]

    @staticmethod
    def option_attributes(q: ChoiceQuestionBase) -> dict[str, dict[str, str | int | float]]:
        """Option value -> attributes, for questions whose choices are filtered."""
        return {o.value: dict(o.attributes) for o in q.options} if q.choice_filter else {}

    @staticmethod
    def scale_choices(scale: Scale) -> list[tuple[str, str]]:
        """(value, label) of each scale point, end labels included."""
        return [
            (str(p), f"{p} – {scale.labels[p]}" if p in scale.labels else str(p))
            for p in scale.points()
        ]

    @property
    def language(self) -> str:
        """The language the questionnaire reads in (its texts are re-rooted there)."""
        return self.questionnaire.languages[0] if self.current is None else self.current

    def items(self, section: Section, form: SurveyForm) -> list[int]:
        """The numbers of the items a repeated section shows: as posted, else `repeat.shown`."""
        names = list(form.posted or ())
        return list(range(1, posted_count(section, form.values, names, strict=False) + 1))

    item_question = staticmethod(item_question)
    count_name = staticmethod(count_name)

    def item_title(self, section: Section, n: int) -> str:
        """What the page calls item `n` of a repeated section: "Member 2"."""
        label = section.repeat.item_label if section.repeat else None
        return _("%(item)s %(n)s", item=label or _("Item"), n=n)

    def prompt(self, question_id: str) -> str:
        """What the error summary calls a question (and the item it was asked in)."""
        if question_id == CODE_KEY:
            return _("Your personal code")
        section = self._repeat_section(question_id)
        if section is not None:
            return str(section.title)
        in_item = split_item_id(question_id)
        if in_item is not None:
            qid, n = in_item
            asked = self.questionnaire.question(qid)
            section = next(s for s in self.questionnaire.sections if asked in s.questions)
            prompt = fill(asked.prompt, lambda _ref: "") if asked else qid
            return f"{self.item_title(section, n)}: {prompt}"
        q = self.questionnaire.question(question_id)
        return fill(q.prompt, lambda _ref: "") if q else question_id

    def pipe(self, text: str, form: SurveyForm) -> Markup:
        """The text with each `${id}` showing the posted answer to that question, escaped.

        Why a span per reference: survey.js fills it as the participant answers (as text,
        never as HTML); without the script the server fills it whenever it shows the form
        again with the answers (an error, a language switch).
        """
        pieces = [
            escape(piece)
            if ref is None
            else Markup('<span class="piped" data-pipe="{}" data-empty="{}">{}</span>').format(
                ref, PLACEHOLDER, self.answer_text(ref, form) or PLACEHOLDER
            )
            for piece, ref in parts(text)
        ]
        return Markup("").join(pieces)

    def answer_text(self, question_id: str, form: SurveyForm) -> str:
        """A posted answer as a participant reads it: option labels, country names; a
        calculation's value computed from the posted answers."""
        q = self.questionnaire.question(question_id)
        if q is None:
            return self.calculated(form).get(question_id, "")
        if isinstance(q, MatrixQuestion):
            return ""  # a whole grid has no one-line form
        if isinstance(q, RankingQuestion):
            values = [
                v for rank in range(1, q.top + 1) for v in form.values(field_name(q.id, rank))
            ]
        else:
            values = form.values(field_name(q.id))
        labels: dict[str, str] = {}
        if isinstance(q, ChoiceQuestionBase | RankingQuestion):
            labels = {o.value: o.label for o in q.options}
            if isinstance(q, ChoiceQuestionBase) and q.other:
                labels[OTHER_VALUE] = next(iter(form.values(field_name(q.id, "other"))), "")
        elif isinstance(q, CountryQuestion):
            labels = dict(self.countries)
        shown = [labels.get(v, v) if labels else v for v in values if v.strip()]
        return ", ".join(s for s in shown if s)

    def calculated(self, form: SurveyForm) -> dict[str, str]:
        """Calculations over the posted answers (none on a fresh form), as text; once a page."""
        cached: dict[str, str] | None = getattr(form, "_calculated_text", None)
        if cached is None:
            answers, _errors = read_answers(self.questionnaire, form.values)
            values = calculated_values(self.questionnaire, answers)
            cached = {k: expression_text(v) for k, v in values.items() if v is not None}
            form._calculated_text = cached
        return cached

    @staticmethod
    def scale_points(scale: Scale) -> list[tuple[str, str]]:
        """(value, label) of each scale point as a bare number (matrix rows show a key)."""
        return [(str(p), str(p)) for p in scale.points()]

    def anchor(self, question_id: str) -> str:
        """The id of the question's first input, for links from the error summary."""
        if question_id == CODE_KEY:
            return CODE_FIELDS[0]
        section = self._repeat_section(question_id)
        if section is not None:
            return f"section-{section.id}"
        q = self.questionnaire.question(question_id)
        if isinstance(q, MatrixQuestion):
            return field_name(q.id, q.rows[0].value)
        if isinstance(q, RankingQuestion):
            return field_name(q.id, 1)
        return field_name(question_id)

    def _repeat_section(self, key: str) -> Section | None:
        """The repeated section whose item count an error key (`<section>.items`) is about."""
        if not key.endswith(ITEMS_SUFFIX):
            return None
        section_id = key.removesuffix(ITEMS_SUFFIX)
        return next((s for s in self.questionnaire.sections if s.id == section_id), None)
