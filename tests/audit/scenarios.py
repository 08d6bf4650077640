"""Seeded scenarios of small trainings, stored through the app, and the audit harness over them.

A scenario is a training of 6-40 participants: pre and post submissions with participant
codes (some post codes match no pre one, some people submit twice), small stakeholder groups
(1 to k-1 people), optional and skip-logic questions left blank, and a minimum group size k
of 3 or 5. About half the scenarios have near-miss pairing on (SURVEY_NEAR_MISS_PAIRING):
their submissions store near-miss tags, some people mistype one element of their post code
and some strangers' codes are one element from a pre code, so probable pairs (pairing.py)
appear, some unambiguous and some not. `respondents(scenario)` is what the report should
count (latest per code, paired and probable flags, the questions each person was shown): the
raw rows the audit recounts and solves over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import random
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from unittest import mock

from sqlalchemy.orm import Session

from survey_app.codes import TAG_PREFIX, code_elements, masked_codes
from survey_app.content import registry
from survey_app.group_minimums import GroupMinimums
from survey_app.programmes import assign_trainings, create_programme
from survey_app.questionnaire import AnswerValue, Choice, Questionnaire
from survey_app.questionnaire.answers import visible_questions
from survey_app.reporting import pipeline
from survey_app.reporting.pipeline import ReportDocument, build_report
from survey_app.reporting.programme import BY, build_programme_report
from survey_app.trainings import TrainingFields, create_training
from tests.reporting.seeding import add_response

from .audit import AuditResult, audit
from .rawdata import QuestionSpec, Respondent, Specs, check_figures, specs_of

NEEDS = "untoc-needs-assessment"
POST = "untoc-post-training"
REPORTS = ("untoc-needs-assessment-report", "untoc-pre-post-report")
FOLLOWUP = "untoc-follow-up"
FOLLOWUP_REPORT = "untoc-follow-up-report"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
COUNTRIES = ("MY", "TH", "ID", "PH")
SEED = 20260312
#: The free-text minimum of the sample reports and of a new training.
DEFAULT_K_TEXT = 10


@dataclass(frozen=True)
class Submission:
    """One stored response, in submission order."""

    phase: str
    questionnaire: str
    code: str | None
    answers: Mapping[str, AnswerValue]


@dataclass
class Scenario:
    """A generated training: its k and every submission, in order."""

    seed: int
    k: int
    submissions: list[Submission]
    questionnaires: Mapping[str, Questionnaire] = field(repr=False)
    training_id: int | None = None
    #: Near-miss pairing on: submissions store near-miss tags; codes are "Xy|day|digits".
    near_miss: bool = False
    #: A follow-up wave (FOLLOWUP) was generated and is stored as the training's third.
    followup: bool = False


def answers_for(
    rng: random.Random, questionnaire: Questionnaire, fixed: Mapping[str, AnswerValue]
) -> dict[str, AnswerValue]:
    """Random answers of the right types; optional questions left blank at times; skip logic
    applied by the app's own evaluation (answers to questions not shown are dropped)."""
    out: dict[str, AnswerValue] = {}
    for section in questionnaire.sections:
        for q in section.questions:
            if q.id in fixed:
                out[q.id] = fixed[q.id]
                continue
            if not getattr(q, "required", False) and rng.random() < 0.25:
                continue
            value = _random_answer(rng, q)
            if value is not None:
                out[q.id] = value
    visible = visible_questions(questionnaire, out)
    return {qid: v for qid, v in out.items() if qid in visible}


def _random_answer(rng: random.Random, q: Any) -> AnswerValue | None:
    options = [o.value for o in getattr(q, "options", ()) or ()]
    if q.type == "single_choice":
        return Choice((rng.choice(options),))
    if q.type == "multi_choice":
        most = min(q.max or len(options), len(options))
        return Choice(tuple(sorted(rng.sample(options, rng.randint(q.min or 1, most)))))
    if q.type == "country":
        return rng.choice(COUNTRIES)
    if q.type == "scale":
        return rng.randint(q.scale.min, q.scale.max)
    if q.type == "matrix":
        return {
            r.value: rng.randint(q.scale.min, q.scale.max) for r in q.rows if rng.random() < 0.9
        }
    if q.type == "ranking":
        return tuple(rng.sample(options, q.top or len(options)))
    if q.type == "number":
        return rng.randint(int(q.min or 0), int(min(q.max or 40, 40)))
    if q.type in ("short_text", "long_text"):
        return "A comment."
    return None  # dates: left blank


#: Added to a seed: the same scenario with near-miss pairing on (`_near_misses`).
NEAR_MISS = 2**32
WAVES = ("pre", "post", "followup")


def generate(
    seed: int, questionnaires: Mapping[str, Questionnaire], *, followup: bool = False
) -> Scenario:
    """One scenario: 6-40 people, small groups, unmatched and duplicate codes, k 3 or 5;
    near-miss codes too when the seed is NEAR_MISS or more; a follow-up wave when asked."""
    rng = random.Random(seed % NEAR_MISS)  # noqa: S311 -- reproducible test data, not secrets
    k = rng.choice((3, 5))
    people = rng.randint(6, 40)
    small = rng.randint(1, k - 1)
    sectors = ["private"] * small + ["academia"] * rng.choice((0, rng.randint(1, k - 1), k))
    sectors += ["ngo"] * max(0, people - len(sectors))
    rng.shuffle(sectors)
    subs: list[Submission] = []
    needs, post = questionnaires[NEEDS], questionnaires[POST]
    stayed = [i for i in range(people) if rng.random() < 0.85]
    for i in range(people):
        fixed = {"stakeholder_type": Choice((sectors[i],))}
        if rng.random() < 0.08:  # an earlier submission under the same code: superseded
            subs.append(Submission("pre", NEEDS, f"p{i}", answers_for(rng, needs, fixed)))
        subs.append(Submission("pre", NEEDS, f"p{i}", answers_for(rng, needs, fixed)))
    for i in stayed:
        fixed = {"stakeholder_type": Choice((sectors[i],))}
        subs.append(Submission("post", POST, f"p{i}", answers_for(rng, post, fixed)))
    for j in range(rng.choice((0, 0, 1, 2, k - 1, k))):  # codes that match no pre code
        fixed = {"stakeholder_type": Choice((rng.choice(("ngo", "private")),))}
        subs.append(Submission("post", POST, f"stranger{j}", answers_for(rng, post, fixed)))
    scenario = Scenario(seed, k, subs, questionnaires)
    if followup:
        scenario = _followup(scenario)
    return _near_misses(scenario, people) if seed >= NEAR_MISS else scenario


def _followup(scenario: Scenario) -> Scenario:
    """A follow-up wave: some pairs (all, about k, or most) and at times some who answered
    only before come back with their code; some answer with a code no earlier wave used;
    the others not at all. Sizes near k, so the three-wave set is hidden in some scenarios
    (fewer than k, or within 1..k-1 of a wave) and shown in others.

    Why its own random stream: the draws of `generate` stay as they were.
    """
    rng = random.Random(f"follow-up {scenario.seed}")  # noqa: S311 -- reproducible test data
    k, questionnaire = scenario.k, scenario.questionnaires[FOLLOWUP]
    pre = list(dict.fromkeys(s.code for s in scenario.submissions if s.phase == "pre"))
    post = {s.code for s in scenario.submissions if s.phase == "post"}
    pairs = [c for c in pre if c in post]
    mode = rng.choice(("all", "about k", "most"))
    if mode == "all":
        back = list(pairs)
    elif mode == "about k":
        back = rng.sample(pairs, min(len(pairs), rng.randint(k - 1, k + 1)))
    else:
        back = [c for c in pairs if rng.random() < 0.8]
    only_pre = [c for c in pre if c not in post]
    back += rng.sample(only_pre, min(len(only_pre), rng.choice((0, 0, 1, k))))
    back += [f"stranger{100 + j}" for j in range(rng.choice((0, 0, 1, k - 1, k)))]
    subs = list(scenario.submissions)
    for code in back:
        if rng.random() < 0.08:  # an earlier follow-up under the same code: superseded
            subs.append(Submission("followup", FOLLOWUP, code, answers_for(rng, questionnaire, {})))
        subs.append(Submission("followup", FOLLOWUP, code, answers_for(rng, questionnaire, {})))
    return replace(scenario, submissions=subs, followup=True)


def _near_misses(scenario: Scenario, people: int) -> Scenario:
    """Near-miss pairing on, with mistyped and look-alike codes.

    Why a second random stream: the draws above stay as they were, so the seed below
    NEAR_MISS names the same answers and groups without near misses (and seeds printed
    before near misses were modelled name the scenarios they named then).
    """
    rng = random.Random(f"near-miss {scenario.seed}")  # noqa: S311 -- reproducible test data
    typo_rate = rng.choice((0.1, 0.25, 0.5))
    pre_codes = [_code(i) for i in range(people)]
    renamed: dict[tuple[str, str], str] = {}
    for sub in scenario.submissions:
        if (sub.phase, sub.code or "") in renamed or sub.code is None:
            continue
        if sub.code.startswith("p"):
            code = _code(int(sub.code[1:]))
            if sub.phase == "post" and rng.random() < typo_rate:  # one element mistyped
                code = _one_off(rng, code, sub.code)
        else:  # a stranger: at times one element from someone's pre code
            code = f"Zz|28|9{sub.code[8:]}"
            if rng.random() < 0.5:
                code = _one_off(rng, rng.choice(pre_codes), sub.code)
        renamed[sub.phase, sub.code] = code
    subs = [
        replace(s, code=renamed[s.phase, s.code]) if s.code else s for s in scenario.submissions
    ]
    return replace(scenario, submissions=subs, near_miss=True)


def _code(i: int) -> str:
    """Person i's normalised code (letters|day|digits; code_elements splits it in five)."""
    return f"P{chr(97 + i % 26)}|{1 + i // 26}|{i:02d}"


def _one_off(rng: random.Random, code: str, who: str) -> str:
    """The code with one element replaced by a value no other code has."""
    elements = code_elements(code)
    at = rng.randrange(len(elements))
    # A letter and the first digit are one character each (code_elements splits by place).
    elements[at] = chr(0x4E00 + zlib.crc32(who.encode()) % 20000) if at in (0, 3) else f"~{who}"
    letters = elements[0] + elements[1]
    return f"{letters}|{elements[2]}|{elements[3]}{elements[4]}"


def scenarios(
    count: int,
    questionnaires: Mapping[str, Questionnaire],
    seed: int = SEED,
    *,
    followup: bool = False,
) -> list[Scenario]:
    """`count` scenarios from one fixed seed, about half with near-miss pairing on (and a
    follow-up wave each, when asked)."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    seeds = [rng.randrange(NEAR_MISS) for _ in range(count)]
    return [generate(s + NEAR_MISS * _coin(s), questionnaires, followup=followup) for s in seeds]


def _coin(seed: int) -> int:
    """1 for about half the seeds (its own stream: the seeds above are drawn as before)."""
    return int(random.Random(f"near-miss pairing {seed}").random() < 0.5)  # noqa: S311


def respondents(scenario: Scenario) -> list[Respondent]:
    """What the reports should count: the latest submission per (phase, code), paired flags,
    and the questions each was shown."""
    latest: dict[tuple[str, str | None], tuple[int, Submission]] = {}
    for i, sub in enumerate(scenario.submissions):
        latest[sub.phase, sub.code if sub.code else f"none{i}"] = (i, sub)
    codes = {phase: {code for p, code in latest if p == phase} for phase in WAVES}
    probable = _probable(codes["pre"], codes["post"]) if scenario.near_miss else set()
    out = []
    for (phase, code), (i, sub) in sorted(latest.items(), key=lambda kv: kv[1][0]):
        questionnaire = scenario.questionnaires[sub.questionnaire]
        pair = phase != "followup" and code in codes["pre"] and code in codes["post"]
        waves = all(code in codes[w] for w in WAVES)
        out.append(
            Respondent(
                i,
                sub.questionnaire,
                sub.answers,
                phase=phase,
                paired=pair,
                training=scenario.training_id,
                shown=frozenset(visible_questions(questionnaire, sub.answers)),
                submitted=(START + dt.timedelta(minutes=i)).date(),
                code=code,
                partner=_partner(latest, phase, code) if phase != "followup" else None,
                probable=phase != "followup" and code in probable,
                waves=waves,
                wave_answers=tuple(
                    latest[w, code][1].answers for w in WAVES if w != phase and waves
                ),
            )
        )
    return out


def _probable(pre: set[str | None], post: set[str | None]) -> set[str | None]:
    """Codes of probable pairs, from the codes themselves (not from the app's tags): an
    unmatched post code and an unmatched pre code that differ in exactly one element, each
    the other's only such code."""

    def near(a: str | None, b: str | None) -> bool:
        x, y = code_elements(a or ""), code_elements(b or "")
        return sum(p != q for p, q in zip(x, y, strict=True)) == 1

    lone_pre, lone_post = pre - post, post - pre
    out: set[str | None] = set()
    for b in lone_post:
        (only, *more) = [a for a in lone_pre if near(a, b)] or [None]
        if only is not None and not more and [c for c in lone_post if near(only, c)] == [b]:
            out |= {only, b}
    return out


def _partner(
    latest: Mapping[tuple[str, str | None], tuple[int, Submission]], phase: str, code: str | None
) -> Mapping[str, Any] | None:
    """The answers of the same code's latest response in the other phase, if any."""
    other = latest.get(("post" if phase == "pre" else "pre", code))
    return other[1].answers if other else None


# --- through the app ------------------------------------------------------------------------


def store(session: Session, scenario: Scenario) -> None:
    """The scenario as a training with its responses, stored as the app stores them."""
    fields = TrainingFields(
        title=f"Scenario {scenario.seed}",
        place="Putrajaya",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 3),
        organiser="UNODC",
        pre_questionnaire_id=NEEDS,
        post_questionnaire_id=POST,
        followup_questionnaire_id=FOLLOWUP if scenario.followup else None,
        # Why: a report uses the larger of its own k and its training's, and a new
        # training's default (5) would silently turn every k = 3 scenario into k = 5.
        minimums=GroupMinimums(scenario.k, DEFAULT_K_TEXT),
    )
    training = create_training(session, fields)
    for i, sub in enumerate(scenario.submissions):
        add_response(
            session,
            scenario.questionnaires[sub.questionnaire],
            sub.answers,
            START + dt.timedelta(minutes=i),
            training_id=training.id,
            phase=sub.phase,
            code_hash=sub.code,
            near_miss_tags=_tags(sub.code) if scenario.near_miss and sub.code else None,
        )
    session.flush()
    scenario.training_id = training.id


def _tags(code: str) -> str:
    """The near-miss tags the app would store for a code (a plain hash stands in for its
    keyed argon2id: pairing compares tags only for equality)."""
    return ",".join(
        hashlib.sha256((TAG_PREFIX + masked).encode()).hexdigest() for masked in masked_codes(code)
    )


def build_docs(
    session: Session, scenario: Scenario, reports: Sequence[str] = REPORTS, *, charts: bool = False
) -> list[ReportDocument]:
    """The scenario stored as a training, then the sample reports built filtered to it with
    the scenario's k.

    Charts are not drawn unless asked: they take 80% of a build and release no figure
    (blocks release in `compute`; charts only draw a computed result).
    """
    content = registry()
    models = content.questionnaire_models()
    store(session, scenario)
    out = []
    for report_id in reports:
        loaded = content.reports[report_id]
        model = loaded.model.model_copy(update={"k": scenario.k})
        with contextlib.ExitStack() as stack:
            if not charts:
                stack.enter_context(mock.patch.object(pipeline, "_draw", _no_charts))
            doc = build_report(
                session, replace(loaded, model=model), models, training_id=scenario.training_id
            )
        assert doc.disclosure is not None
        out.append(doc)
    return out


def app_json(
    session: Session, reports: Sequence[str] = REPORTS, *, charts: bool = False
) -> Callable[[Scenario], list[dict[str, Any]]]:
    """`build_json` through the app (`build_docs`): each report's `doc.disclosure.data`."""

    def build(scenario: Scenario) -> list[dict[str, Any]]:
        docs = build_docs(session, scenario, reports, charts=charts)
        return [dict(doc.disclosure.data) for doc in docs if doc.disclosure is not None]

    return build


@dataclass
class Programme:
    """Several generated trainings grouped as one programme; its report's JSON and rows."""

    trainings: list[Scenario]
    data: dict[str, Any] = field(default_factory=dict)
    rows: list[Respondent] = field(default_factory=list)
    specs: dict[str, dict[str, QuestionSpec]] = field(default_factory=dict)


def small_training(scenario: Scenario, people: int) -> Scenario:
    """The scenario cut to its first `people` participants (and no strangers): a training
    of fewer than k respondents, whose column the residual rule must hide with another."""
    keep = {f"p{i}" for i in range(people)}
    return replace(scenario, submissions=[s for s in scenario.submissions if s.code in keep])


def build_programme(session: Session, trainings: Sequence[Scenario]) -> Programme:
    """The trainings stored, grouped as a programme, and its report built by the app
    (`build_programme_report`): the JSON its disclosure releases, and the raw rows with the
    training as a breakdown answer ("training", as the report's groups name it)."""
    for scenario in trainings:
        store(session, scenario)
    programme = create_programme(session, f"Programme {trainings[0].seed}")
    assign_trainings(session, programme, [sc.training_id or 0 for sc in trainings])
    session.flush()
    needs = trainings[0].questionnaires[NEEDS]
    report = build_programme_report(session, programme.id, needs)
    rows, specs = programme_rows(trainings, programme.id)
    return Programme(list(trainings), dict(report.disclosure), rows, specs)


def programme_rows(
    trainings: Sequence[Scenario], programme_id: int
) -> tuple[list[Respondent], dict[str, dict[str, QuestionSpec]]]:
    """The raw rows of a programme report over stored trainings (their pre respondents, the
    training a breakdown answer, "training") and the attacker's knowledge of them."""
    rows = []
    for n, scenario in enumerate(trainings):
        for r in respondents(scenario):
            if r.phase == "pre":
                answers = {**r.answers, BY: Choice((str(scenario.training_id),))}
                rows.append(
                    replace(r, rid=r.rid + 100_000 * n, answers=answers, programme=programme_id)
                )
    specs = specs_for(trainings[0].questionnaires)
    tids = tuple(str(sc.training_id) for sc in trainings)
    specs[NEEDS] = {**specs[NEEDS], BY: QuestionSpec(BY, "single", tids, required=True)}
    return rows, specs


def _no_charts(*args: Any) -> tuple[()]:
    return ()


@dataclass
class HarnessRun:
    """The audit over many scenarios: per scenario and report, the result."""

    results: list[tuple[Scenario, AuditResult]] = field(default_factory=list)
    figures_checked: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """One line of totals: scenarios, reports, figures, targets, verdicts, seconds."""
        results = [result for _, result in self.results]
        return (
            f"total: {len({sc.seed for sc, _ in self.results})} scenarios "
            f"{len(results)} reports figures checked {self.figures_checked} "
            f"targets {sum(len(r.targets) for r in results)} "
            f"(joint {sum(r.joint_targets for r in results)}) "
            f"leaks {sum(len(r.leaks) for r in results)} "
            f"undecided {sum(len(r.undecided) for r in results)} "
            f"small {sum(len(r.small) for r in results)} {self.seconds:.0f}s"
        )

    @property
    def failures(self) -> list[str]:
        """One line per leaked or undecided hidden value, or small population shown."""
        return [
            f"seed {sc.seed} k={sc.k}: {line}"
            for sc, result in self.results
            for line in [
                *(f"leak: {t}" for t in result.leaks),
                *(f"undecided: {t}" for t in result.undecided),
                *(f"shown with fewer than {sc.k}: {key}" for key in result.small),
            ]
        ]


def env_log() -> Callable[[str], None] | None:
    """AUDIT_LOG=path: one line per audited report, appended as it finishes (long runs)."""
    path = os.environ.get("AUDIT_LOG")
    if not path:
        return None

    def write(line: str) -> None:
        with open(path, "a", encoding="utf-8") as out:
            out.write(line + "\n")

    return write


def run_audits(
    build_json: Callable[[Scenario], Sequence[Mapping[str, Any]]],
    many: Sequence[Scenario],
    specs: Specs,
    log: Callable[[str], None] | None = None,
) -> HarnessRun:
    """Build every scenario's reports, recompute every figure from raw rows, and audit them
    (`log` gets one line per report: seed, report, targets, leaks, undecided, seconds; then
    one line per leaked or undecided target, so a long run's log says what to look at)."""
    run = HarnessRun()
    began = time.perf_counter()
    for scenario in many:
        built = build_json(scenario)
        rows = respondents(scenario)
        for data in built:
            start = time.perf_counter()
            # Why: a build that used another k would be audited against the wrong promise.
            assert int(data["k"]) == scenario.k, (scenario.seed, data["k"], scenario.k)
            checked = check_figures(data, rows)
            assert not checked.mismatches, (scenario.seed, checked.mismatches[:3])
            run.figures_checked += checked.checked
            result = audit(data, rows, specs)
            run.results.append((scenario, result))
            if log is not None:
                log(
                    f"seed {scenario.seed} k={scenario.k} "
                    f"{'near-miss ' if scenario.near_miss else ''}{data.get('report', '')} "
                    f"figures {result.figures} "
                    f"targets {len(result.targets)} (joint {result.joint_targets}) "
                    f"leaks {len(result.leaks)} "
                    f"undecided {len(result.undecided)} small {len(result.small)} "
                    f"{time.perf_counter() - start:.1f}s"
                )
                for target in result.leaks:
                    log(f"  leak: {target}")
                for target in result.undecided:
                    log(f"  undecided: {target}")
    run.seconds = time.perf_counter() - began
    if log is not None:
        log(run.summary())
    return run


def specs_for(questionnaires: Mapping[str, Questionnaire]) -> dict[str, dict[str, QuestionSpec]]:
    """The attacker's knowledge of the sample questionnaires."""
    return specs_of(questionnaires.values())
