"""Questionnaire -> Flask-WTF form class at runtime; posted data -> validated answers.

One `FieldKind` per question type: the fields it needs and how to read them back.
Fields are named `q_<question_id>` with `-<part>` suffixes; `-` never occurs in a slug,
so the names cannot collide.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Regexp

from .i18n import gettext as _
from .questionnaire import AnswerValue, Choice, ItemValue, LoadedFile, Repeated
from .questionnaire.answers import calculated_values, holds, offered_values, visible_questions
from .questionnaire.calculations import answer_text as expression_text
from .questionnaire.countries import country_choices
from .questionnaire.describe import describe_condition
from .questionnaire.pipes import fill
from .questionnaire.questions import (
    OTHER_VALUE,
    ChoiceQuestionBase,
    CountryQuestion,
    DateQuestion,
    LongTextQuestion,
    MatrixQuestion,
    MultiChoiceQuestion,
    NumberQuestion,
    QuestionBase,
    RankingQuestion,
    ScaleQuestion,
    ShortTextQuestion,
    SingleChoiceQuestion,
)
from .questionnaire.schema import Questionnaire, Section
from .questionnaire.texts import localize
from .repeats import (
    ITEMS_SUFFIX,
    REPEAT_BUTTON,
    RepeatError,
    item_question,
    posted_count,
)
from .repeats import input_names as item_input_names
from .text import clean_text

TOKEN_PATTERN = r"^[A-Za-z0-9_-]{32,64}$"  # noqa: S105 -- a format, not a secret
OTHER_TEXT_MAX = 200
#: (code, common name) by name: "Laos", as the reports print it (questionnaire/countries.py).
COUNTRIES = list(country_choices())
COUNTRY_NAMES = dict(COUNTRIES)


class AnswerError(Exception):
    """A posted value that does not fit its question; the message is shown to the participant."""


def field_name(question_id: str, part: str | int | None = None) -> str:
    """The form field name for a question, or for one part of it (row, rank, other)."""
    return f"q_{question_id}" if part is None else f"q_{question_id}-{part}"


@dataclass(frozen=True)
class FieldKind:
    """What one question type needs from the form layer."""

    input_names: Callable[[Any], tuple[str, ...]]
    read: Callable[[Any, Callable[[str], list[str]]], ItemValue | None]


# --- input names: what each question type posts ---------------------------------------
#
# Inputs are laid out by templates/survey/_fields.html from the questionnaire itself and
# every posted value is read and checked by the readers below, so a form needs only their
# names: no WTForms field per input (building ~40 of them was a fifth of a POST's CPU).


def _choice_names(q: ChoiceQuestionBase) -> tuple[str, ...]:
    return (field_name(q.id), *([field_name(q.id, "other")] if q.other else []))


def _single_name(q: QuestionBase) -> tuple[str, ...]:
    return (field_name(q.id),)


def _matrix_names(q: MatrixQuestion) -> tuple[str, ...]:
    return tuple(field_name(q.id, r.value) for r in q.rows)


def _ranking_names(q: RankingQuestion) -> tuple[str, ...]:
    return tuple(field_name(q.id, rank) for rank in range(1, q.top + 1))


# --- readers: raw strings -> typed value, or AnswerError ----------------------------

Raw = Callable[[str], list[str]]


def _one(raw: Raw, name: str) -> str:
    values = raw(name)
    if len(values) > 1:
        raise AnswerError(_("Give only one answer."))
    return values[0].strip() if values else ""


def _read_choice(q: ChoiceQuestionBase, raw: Raw) -> Choice | None:
    if isinstance(q, MultiChoiceQuestion):
        picked = [v for v in raw(field_name(q.id)) if v]
    else:
        single = _one(raw, field_name(q.id))
        picked = [single] if single else []
    allowed = q.option_values()
    for value in picked:
        if value not in allowed:
            raise AnswerError(_("'%(value)s' is not one of the options.", value=value))
    if len(set(picked)) != len(picked):
        raise AnswerError(_("Each option can be picked only once."))
    other = _one(raw, field_name(q.id, "other")) if q.other else ""
    if len(other) > OTHER_TEXT_MAX:
        raise AnswerError(_("Keep the 'Other' text under %(n)s characters.", n=OTHER_TEXT_MAX))
    if OTHER_VALUE in picked and not other:
        raise AnswerError(_("You chose 'Other': please say what it is."))
    if other and OTHER_VALUE not in picked:
        if isinstance(q, SingleChoiceQuestion) and picked:
            raise AnswerError(_("Either choose an option or fill in 'Other', not both."))
        picked.append(OTHER_VALUE)
    if not picked:
        return None
    if isinstance(q, MultiChoiceQuestion):
        if q.min is not None and len(picked) < q.min:
            raise AnswerError(_("Choose at least %(n)s.", n=q.min))
        if q.max is not None and len(picked) > q.max:
            raise AnswerError(_("Choose at most %(n)s.", n=q.max))
    return Choice(tuple(picked), other or None)


def _scale_point(text: str, points: list[int]) -> int:
    if text not in {str(p) for p in points}:
        raise AnswerError(
            _("Choose a value from %(low)s to %(high)s.", low=points[0], high=points[-1])
        )
    return int(text)


def _read_scale(q: ScaleQuestion, raw: Raw) -> int | None:
    text = _one(raw, field_name(q.id))
    return _scale_point(text, q.scale.points()) if text else None


def _read_matrix(q: MatrixQuestion, raw: Raw) -> dict[str, int] | None:
    rated: dict[str, int] = {}
    for row in q.rows:
        text = _one(raw, field_name(q.id, row.value))
        if text:
            rated[row.value] = _scale_point(text, q.scale.points())
    if q.required and rated and len(rated) < len(q.rows):
        missing = next(r.label for r in q.rows if r.value not in rated)
        raise AnswerError(_("Please rate every row; '%(row)s' is missing.", row=missing))
    return rated or None


def _read_ranking(q: RankingQuestion, raw: Raw) -> tuple[str, ...] | None:
    slots = [_one(raw, field_name(q.id, rank)) for rank in range(1, q.top + 1)]
    allowed = q.option_values()
    for value in slots:
        if value and value not in allowed:
            raise AnswerError(_("'%(value)s' is not one of the options.", value=value))
    ranked = [v for v in slots if v]
    if len(set(ranked)) != len(ranked):
        raise AnswerError(_("Each item can be ranked only once."))
    if ranked and slots[: len(ranked)] != ranked:
        raise AnswerError(_("Fill the places in order, starting with 1."))
    if q.required and ranked and len(ranked) < q.top:
        raise AnswerError(_("Please rank %(n)s items.", n=q.top))
    return tuple(ranked) or None


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def _read_number(q: NumberQuestion, raw: Raw) -> int | float | None:
    text = _one(raw, field_name(q.id)).replace(" ", "")
    if not text:
        return None
    if not _NUMBER.match(text):
        raise AnswerError(_number_hint(q.integer, q.min, q.max))
    value = float(text.replace(",", "."))
    if not math.isfinite(value):
        raise AnswerError(_number_hint(False, q.min, q.max))
    if q.integer and not value.is_integer():
        raise AnswerError(_number_hint(True, q.min, q.max))
    if (q.min is not None and value < q.min) or (q.max is not None and value > q.max):
        raise AnswerError(_number_hint(False, q.min, q.max))
    return int(value) if q.integer else value


def _number_hint(whole: bool, low: float | None, high: float | None) -> str:
    """What to enter, as one whole sentence per case so each translates as a sentence."""
    bounds = {"low": "" if low is None else f"{low:g}", "high": "" if high is None else f"{high:g}"}
    if whole:
        if low is not None and high is not None:
            return _("Enter a whole number from %(low)s to %(high)s.", **bounds)
        if low is not None:
            return _("Enter a whole number of at least %(low)s.", **bounds)
        if high is not None:
            return _("Enter a whole number of at most %(high)s.", **bounds)
        return _("Enter a whole number.")
    if low is not None and high is not None:
        return _("Enter a number from %(low)s to %(high)s.", **bounds)
    if low is not None:
        return _("Enter a number of at least %(low)s.", **bounds)
    if high is not None:
        return _("Enter a number of at most %(high)s.", **bounds)
    return _("Enter a number.")


def _read_text(q: ShortTextQuestion | LongTextQuestion, raw: Raw) -> str | None:
    text = _one(raw, field_name(q.id))
    if len(text) > q.max_length:
        raise AnswerError(
            _("Keep this under %(n)s characters (now %(now)s).", n=q.max_length, now=len(text))
        )
    return text or None


def _read_date(q: DateQuestion, raw: Raw) -> dt.date | None:
    text = _one(raw, field_name(q.id))
    if not text:
        return None
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise AnswerError(_("Enter a date as YYYY-MM-DD.")) from None
    if (q.min and value < q.min) or (q.max and value > q.max):
        raise AnswerError(_date_hint(q.min, q.max))
    return value


def _date_hint(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return _("Enter a date from %(start)s to %(end)s.", start=start, end=end)
    if start:
        return _("Enter a date on or after %(start)s.", start=start)
    return _("Enter a date on or before %(end)s.", end=end)


def _read_country(q: CountryQuestion, raw: Raw) -> str | None:
    code = _one(raw, field_name(q.id))
    if code and code not in COUNTRY_NAMES:
        raise AnswerError(_("Choose a country from the list."))
    return code or None


FIELD_KINDS: dict[str, FieldKind] = {
    "single_choice": FieldKind(_choice_names, _read_choice),
    "multi_choice": FieldKind(_choice_names, _read_choice),
    "scale": FieldKind(_single_name, _read_scale),
    "matrix": FieldKind(_matrix_names, _read_matrix),
    "ranking": FieldKind(_ranking_names, _read_ranking),
    "number": FieldKind(_single_name, _read_number),
    "short_text": FieldKind(_single_name, _read_text),
    "long_text": FieldKind(_single_name, _read_text),
    "date": FieldKind(_single_name, _read_date),
    "country": FieldKind(_single_name, _read_country),
}


# --- the form -----------------------------------------------------------------------


CODE_FIELDS = ("code_letters", "code_day", "code_digits")
#: The key under which participant-code problems sit among the question errors.
CODE_KEY = "participant_code"


class SurveyForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints
    """Base of every questionnaire form; subclasses name the inputs of every question."""

    questionnaire: Questionnaire
    with_code: bool = False
    #: Every answer (and participant-code) input the questionnaire's page posts.
    input_names: frozenset[str] = frozenset()
    submission_token = HiddenField("submission_token", validators=[Regexp(TOKEN_PATTERN)])
    #: The questionnaire version the form was shown in (see content.answered_version).
    version = HiddenField("version")
    version_id: int | None = None
    #: The language the form is shown in; a switch button names the one to show next.
    language = HiddenField("language")
    switch_language = StringField("switch_language")

    def process(
        self, formdata: Any = None, obj: Any = None, data: Any = None, **kwargs: Any
    ) -> None:
        """Keep the posted names, to refuse fields the questionnaire does not have."""
        formdata = self.meta.wrap_formdata(self, formdata)
        self.posted = formdata
        super().process(formdata, obj, data, **kwargs)

    def validate(self, extra_validators: Any = None) -> bool:
        """CSRF and token first, then every question against the questionnaire."""
        self.answers: dict[str, AnswerValue] = {}
        self.question_errors: dict[str, str] = {}
        self.form_errors: list[str] = []
        if not super().validate(extra_validators):
            self.form_errors.append(
                _("This form is damaged or incomplete. Please reload the page.")
            )
            return False
        unexpected = sorted(set(self.posted or ()) - self.input_names - self._fields.keys())
        if unexpected:
            self.form_errors.append(
                _(
                    "The form contained fields this questionnaire does not have "
                    "(%(fields)s); nothing was stored.",
                    fields=", ".join(unexpected),
                )
            )
            return False
        try:
            self.answers, self.question_errors = read_answers(
                self.questionnaire, self._raw, list(self.posted or ())
            )
        except RepeatError as exc:
            self.form_errors.append(str(exc))
            return False
        self.code: tuple[str, int, str] | None = None
        if self.with_code:
            try:
                self.code = read_code(self._raw)
            except AnswerError as exc:
                self.question_errors = {CODE_KEY: str(exc), **self.question_errors}
        return not self.question_errors

    def values(self, name: str) -> list[str]:
        """The posted values of a field, for re-showing them (empty on a fresh form)."""
        return self._raw(name)

    def _raw(self, name: str) -> list[str]:
        if not self.posted:
            return []
        # Control characters go before anything reads a value: NUL would make PostgreSQL
        # refuse the insert, and any of them the XLSX export (see text.py).
        return [clean_text(str(v)) for v in self.posted.getlist(name)]


@functools.lru_cache(maxsize=256)
def form_class_for(
    loaded: LoadedFile[Questionnaire], with_code: bool = False, language: str | None = None
) -> type[SurveyForm]:
    """The form class of a loaded questionnaire in one language, built once per file."""
    form_class = build_form_class(localized(loaded, language or loaded.model.language), with_code)
    form_class.version_id = loaded.version_id
    return form_class


@functools.lru_cache(maxsize=256)
def localized(loaded: LoadedFile[Questionnaire], language: str) -> Questionnaire:
    """The questionnaire with its texts in `language`, built once per file and language."""
    questionnaire = loaded.model
    return (
        questionnaire if language == questionnaire.language else localize(questionnaire, language)
    )


def build_form_class(questionnaire: Questionnaire, with_code: bool = False) -> type[SurveyForm]:
    """A SurveyForm subclass that knows the input names of every question.

    `with_code` adds the participant's self-generated code, which pairs pre and post answers.
    """
    names = [*CODE_FIELDS] if with_code else []
    if any(s.repeat for s in questionnaire.sections):
        # An "Add another" or "Remove" button (see repeats.apply_action): a name, not a
        # WTForms field, like the answers (a field per form costs every request).
        names.append(REPEAT_BUTTON)
    for section in questionnaire.sections:
        if section.repeat is not None:
            names += item_input_names(section, _input_names)
            continue
        for question in section.questions:
            names += _input_names(question)
    attrs: dict[str, Any] = {
        "questionnaire": questionnaire,
        "with_code": with_code,
        "input_names": frozenset(names),
    }
    return type(f"Form_{questionnaire.id}", (SurveyForm,), attrs)


def _input_names(question: QuestionBase) -> tuple[str, ...]:
    return FIELD_KINDS[question.type].input_names(question)  # type: ignore[attr-defined]


def read_code(raw: Raw) -> tuple[str, int, str]:
    """The participant's code parts: two letters, a day of the month, two digits."""
    letters = _one(raw, "code_letters")
    day = _one(raw, "code_day")
    digits = _one(raw, "code_digits")
    if not (letters or day or digits):
        raise AnswerError(_("Please fill in your personal code."))
    if len(letters) != 2 or not letters.isalpha():
        raise AnswerError(
            _("Personal code: give the first two letters of your mother's first name.")
        )
    if not day.isdigit() or not 1 <= int(day) <= 31:
        raise AnswerError(_("Personal code: give the day of the month you were born, 1 to 31."))
    if len(digits) != 2 or not digits.isdigit():
        raise AnswerError(_("Personal code: give the last two digits of your phone number."))
    return letters, int(day), digits


def read_answers(
    questionnaire: Questionnaire, raw: Raw, posted: list[str] | None = None
) -> tuple[dict[str, AnswerValue], dict[str, str]]:
    """Typed answers of the visible questions and a message per question that failed.

    `posted` names the posted fields, for counting the items of repeated sections; a count
    that does not fit is a RepeatError (the whole post is refused).
    """
    parsed: dict[str, AnswerValue] = {}
    errors: dict[str, str] = {}
    counts = {s.id: posted_count(s, raw, posted or ()) for s in questionnaire.sections if s.repeat}
    for question in _single_questions(questionnaire):
        try:
            value = _read(question, raw)
        except AnswerError as exc:
            errors[question.id] = str(exc)
            continue
        if value is not None:
            parsed[question.id] = value
    visible = visible_questions(questionnaire, parsed)
    # Answers to hidden questions are dropped and their problems ignored.
    answers: dict[str, AnswerValue] = {qid: v for qid, v in parsed.items() if qid in visible}
    errors = {qid: msg for qid, msg in errors.items() if qid in visible}
    for question in _single_questions(questionnaire):
        if question.required and question.id in visible and question.id not in answers:
            errors.setdefault(question.id, _("Please answer this question."))
        picked = answers.get(question.id)
        if isinstance(question, ChoiceQuestionBase) and isinstance(picked, Choice):
            # Cascading choices: an option the earlier answers filter out is refused.
            offered = offered_values(question, answers)
            refused = [v for v in picked.values if v not in offered]
            if refused:
                errors.setdefault(
                    question.id, _("'%(value)s' is not one of the options.", value=refused[0])
                )
    for section in questionnaire.sections:
        if section.repeat is not None and any(q.id in visible for q in section.questions):
            answers |= _read_items(section, counts[section.id], raw, visible, answers, errors)
    # Computed from the visible answers and earlier calculations, stored like answers.
    calculated = calculated_values(questionnaire, answers)
    known = {k: expression_text(v) for k, v in {**answers, **calculated}.items()}
    for question in _single_questions(questionnaire):
        rule = question.constraint
        if rule is None or question.id not in answers or question.id in errors:
            continue
        if not holds(rule, answers, calculated):
            message = fill(str(question.constraint_message or ""), lambda ref: known.get(ref, ""))
            errors[question.id] = message or _(
                "This answer does not fit the rule: %(rule)s.",
                rule=describe_condition(rule, questionnaire, _),
            )
    answers |= {cid: value for cid, value in calculated.items() if value is not None}
    return answers, {key: errors[key] for key in _error_order(questionnaire, errors)}


def _read(question: QuestionBase, raw: Raw) -> ItemValue | None:
    value: ItemValue | None = FIELD_KINDS[question.type].read(question, raw)  # type: ignore[attr-defined]
    return value


def _single_questions(questionnaire: Questionnaire) -> list[QuestionBase]:
    """The questions answered once (outside every repeat)."""
    return [q for s in questionnaire.sections if s.repeat is None for q in s.questions]


def _read_items(
    section: Section,
    count: int,
    raw: Raw,
    visible: set[str],
    answers: dict[str, AnswerValue],
    errors: dict[str, str],
) -> dict[str, Repeated]:
    """The answers of a repeated section's items, errors (in `errors`) named by item.

    An item left wholly blank is dropped (so is a blank item added by mistake); the
    others are stored as items 1, 2, ... in the order shown.
    """
    assert section.repeat is not None  # noqa: S101
    items: list[dict[str, ItemValue]] = []
    for n in range(1, count + 1):
        item: dict[str, ItemValue] = {}
        problems: dict[str, str] = {}
        for question in section.questions:
            if question.id not in visible:
                continue
            asked = item_question(question, n)
            try:
                value = _read(asked, raw)
            except AnswerError as exc:
                problems[asked.id] = str(exc)
                continue
            if value is None:
                continue
            if isinstance(question, ChoiceQuestionBase) and isinstance(value, Choice):
                offered = offered_values(question, answers)
                refused = [v for v in value.values if v not in offered]
                if refused:
                    problems[asked.id] = _(
                        "'%(value)s' is not one of the options.", value=refused[0]
                    )
                    continue
            item[question.id] = value
        if not item and not problems:
            continue
        for question in section.questions:
            key = f"{question.id}.{n}"
            if question.required and question.id in visible and question.id not in item:
                problems.setdefault(key, _("Please answer this question."))
        errors |= problems
        items.append(item)
    if len(items) < section.repeat.min:
        errors[section.id + ITEMS_SUFFIX] = _(
            "Items given: %(now)s; at least %(n)s needed.", n=section.repeat.min, now=len(items)
        )
    return {
        q.id: Repeated(tuple(item.get(q.id) for item in items))
        for q in section.questions
        if any(q.id in item for item in items)
    }


def _error_order(questionnaire: Questionnaire, errors: dict[str, str]) -> list[str]:
    """Error keys in page order: questions, then each item's questions, then a repeat's count."""
    order: list[str] = []
    for section in questionnaire.sections:
        if section.repeat is None:
            order += [q.id for q in section.questions if q.id in errors]
            continue
        for n in range(1, section.repeat.max + 1):
            order += [f"{q.id}.{n}" for q in section.questions if f"{q.id}.{n}" in errors]
        order += [key for key in (section.id + ITEMS_SUFFIX,) if key in errors]
    return order
