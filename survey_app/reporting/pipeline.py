"""The report pipeline: definition -> block results (SQL) -> charts -> print HTML -> PDF.

Each stage takes and returns plain data, so each can be tested, timed or run without the
next, and without a Flask request: the CLI and the benchmark call these functions directly.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import time
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from ..database import snapshot_peer
from ..questionnaire import LoadedFile, Questionnaire
from ..questionnaire.readable import unpiped
from ..questionnaire.texts import localize
from .agreement import note_removed_questions
from .blocks import BlockKind
from .blocks.registry import BLOCKS
from .context import ReportContext
from .disclosure import round_half_up
from .lookahead import looking_ahead
from .results import BlockResult, Chart, RenderedBlock
from .schema import PrePostBlock, Report, ReportFilter, RetentionBlock
from .sql import count_respondents
from .training import ReportTraining, load_report_training

#: Stage names recorded by `build_report_pdf(timings=...)`, in pipeline order. Charts are
#: drawn while the SQL of later blocks runs, so "sql" and "charts" overlap in time.
STAGES = ("sql", "charts", "html", "weasyprint")
TEMPLATE = "reports/report.html"
#: The app's static folder: report.css (and anything it links) is all WeasyPrint may load.
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
BLOCK_TEMPLATE_DIR = "reports/blocks/"


class UnknownTrainingError(LookupError):
    """There is no training with the id a report was asked to be filtered to."""


class ReportNotForTrainingError(ValueError):
    """The report draws on questionnaires that are not the training's pre or post ones."""


@dataclass(frozen=True)
class Source:
    """A questionnaire the report draws on, with its responses in the report's scope."""

    questionnaire_id: str
    title: str
    responses: int


@dataclass(frozen=True)
class ReportDocument:
    """Everything the print template shows: plain values, no ORM objects, no session."""

    report_id: str
    title: str
    subtitle: str | None
    intro: str | None
    #: The day the report was built (in UTC), printed on the cover and in the file name.
    generated: dt.date
    #: Minimum cell size: nothing about fewer respondents is shown.
    k: int
    #: Responses to the main questionnaire in the report's scope.
    responses: int
    #: Which responses are counted, as a sentence ("All responses." or a date range).
    filter_description: str
    sources: tuple[Source, ...]
    blocks: tuple[RenderedBlock, ...]
    #: The training the report is filtered to, if any (printed on the cover and footer).
    training: ReportTraining | None = None
    #: What the disclosure layer released and hid: the JSON report and the disclosure page.
    disclosure: DisclosureRecord | None = None

    @property
    def running_title(self) -> str:
        """The running footer: the report title, after the training's when filtered."""
        if self.training is None:
            return self.title
        return f"{self.training.title} · {self.title}"

    @property
    def questionnaire_titles(self) -> tuple[str, ...]:
        """Titles of the questionnaires the report draws on, main one first."""
        return tuple(source.title for source in self.sources)


@dataclass(frozen=True)
class DisclosureRecord:
    """The disclosure layer's account of one build, as plain data."""

    k: int
    k_text: int
    #: (label, reason) of every hidden population, in the order they were met.
    hidden: tuple[tuple[str, str], ...]
    #: Sentences about what was left out of the whole report.
    notes: tuple[str, ...]
    #: The JSON report's content (`Disclosure.as_json`).
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Pdf:
    """A rendered PDF and its number of pages."""

    data: bytes
    pages: int


def build_report(
    session: Session,
    loaded_report: LoadedFile[Report],
    questionnaires: Mapping[str, Questionnaire],
    *,
    today: dt.date | None = None,
    timings: MutableMapping[str, float] | None = None,
    training_id: int | None = None,
    charts: bool = True,
) -> ReportDocument:
    """Compute every block (SQL) and draw its charts, in the report's order.

    With `training_id`, only the responses collected through that training count, and
    pre/post blocks on its two questionnaires pair them. Raises UnknownTrainingError or
    ReportNotForTrainingError (see `report_fits_training`). With `charts=False` no chart
    is drawn: enough for `report_json`, whose figures come from the blocks alone.
    """
    # The peer first: on SQLite it begins the session's read-only transaction anew.
    with _collecting_new_objects_only(), snapshot_peer(session) as peer:
        return _build_report(
            session, loaded_report, questionnaires, today, timings, training_id, charts, peer
        )


def _build_report(
    session: Session,
    loaded_report: LoadedFile[Report],
    questionnaires: Mapping[str, Questionnaire],
    today: dt.date | None,
    timings: MutableMapping[str, float] | None,
    training_id: int | None,
    charts: bool,
    peer: Connection | None,
) -> ReportDocument:
    report = loaded_report.model
    training = None
    if training_id is not None:
        training = load_report_training(session, training_id)
        if training is None:
            raise UnknownTrainingError(f"there is no training #{training_id}")
        if not report_fits_training(report, training):
            raise ReportNotForTrainingError(
                f"report '{report.id}' is not about the questionnaires of training #{training_id}"
            )
    if report.language is not None:
        # Labels print in the report's language; answers are stored by value, so responses
        # given in any language count together.
        questionnaires = {qid: localize(q, report.language) for qid, q in questionnaires.items()}
    # A report speaks of every response at once: `${id}` in a label names the piped answer.
    questionnaires = {qid: unpiped(q) for qid, q in questionnaires.items()}
    ctx = ReportContext(session, report, questionnaires, training)
    # Why a second thread: while the database computes an aggregate, this thread waits
    # without holding the GIL, so the charts of one block are drawn during the next block's
    # queries. One drawing thread only (matplotlib draws one figure at a time); the
    # session stays in this thread. A look-ahead pass on `peer` computes the blocks'
    # aggregates from the last block (lookahead.py).
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-charts") as drawing,
        looking_ahead(ctx, peer),
    ):
        computed = []
        for number, block in enumerate(report.blocks, start=1):
            kind = BLOCKS[block.type]
            ctx.disclosure.block = number
            with _timed(timings, "sql"):
                result = kind.compute(ctx, block)
            drawn = drawing.submit(_draw, kind, result, timings) if charts else None
            computed.append((block, result, drawn))
        ctx.disclosure.block = None
        for qid in _questionnaire_ids(report):
            note_removed_questions(ctx, ctx.scope(qid))
        with _timed(timings, "sql"):
            sources = tuple(
                Source(
                    qid, questionnaires[qid].title, ctx.aggregate(count_respondents, ctx.scope(qid))
                )
                for qid in _questionnaire_ids(report)
            )
        blocks = tuple(
            RenderedBlock(
                number=number,
                anchor=f"block-{number}",
                block_type=block.type,
                result=result,
                charts=drawn.result() if drawn is not None else (),
            )
            for number, (block, result, drawn) in enumerate(computed, start=1)
        )
    return ReportDocument(
        report_id=report.id,
        title=report.title,
        subtitle=report.subtitle,
        intro=report.intro,
        generated=today or dt.datetime.now(dt.UTC).date(),
        k=ctx.k,
        responses=sources[0].responses,
        filter_description=describe_filter(report.filter, training),
        sources=sources,
        blocks=blocks,
        training=training,
        disclosure=_record(ctx, report, training, sources),
    )


def _record(
    ctx: ReportContext,
    report: Report,
    training: ReportTraining | None,
    sources: tuple[Source, ...],
) -> DisclosureRecord:
    """The disclosure layer's account, with the report's identity in the JSON."""
    disclosure = ctx.disclosure
    data = {
        "report": report.id,
        "title": report.title,
        "training": training.id if training else None,
        "responses": {source.questionnaire_id: source.responses for source in sources},
        **disclosure.as_json(),
    }
    return DisclosureRecord(
        k=disclosure.k,
        k_text=disclosure.k_text,
        hidden=tuple((h.label, h.reason) for h in disclosure.hidden_list()),
        notes=tuple(disclosure.notes),
        data=data,
    )


def report_json(doc: ReportDocument) -> str:
    """The machine-readable report: every printed figure with its population (see disclosure.py)."""
    assert doc.disclosure is not None  # noqa: S101 - build_report always sets it
    data = {"generated": doc.generated.isoformat(), **doc.disclosure.data}
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


def render_html(
    doc: ReportDocument, *, static_url: str = "", toolbar: Sequence[tuple[str, str]] = ()
) -> str:
    """The print layout as HTML; `static_url` prefixes stylesheet links ("/static/" in a browser).

    Why relative links by default: WeasyPrint resolves them against the static folder,
    which is all its fetcher serves. `toolbar` ((label, URL) pairs) is for the browser
    preview only: site navigation and the PDF download, above the pages, never printed.
    """
    return (
        report_environment()
        .get_template(TEMPLATE)
        .render(
            doc=doc,
            static_url=static_url,
            block_templates=block_templates(),
            toolbar=list(toolbar),
        )
    )


def render_pdf(html: str, *, static_dir: Path = STATIC_DIR) -> Pdf:
    """Lay out the HTML with WeasyPrint, loading nothing but files under `static_dir`."""
    # Imported here: loading WeasyPrint (Pango, cffi) takes a second or more, and only PDF
    # rendering needs it, not the participant pages or `flask survey validate`.
    from weasyprint import HTML

    from .fetcher import StaticOnlyFetcher

    with _collecting_new_objects_only():
        document = HTML(
            string=html,
            base_url=f"{static_dir.resolve().as_uri()}/",
            url_fetcher=StaticOnlyFetcher(static_dir),
        ).render(presentational_hints=False)
        return Pdf(document.write_pdf(), len(document.pages))


def html_to_pdf(html: str, *, static_dir: Path = STATIC_DIR) -> bytes:
    """The PDF bytes of the print HTML (see `render_pdf`)."""
    return render_pdf(html, static_dir=static_dir).data


def build_report_pdf(
    session: Session,
    loaded_report: LoadedFile[Report],
    questionnaires: Mapping[str, Questionnaire],
    *,
    today: dt.date | None = None,
    timings: MutableMapping[str, float] | None = None,
    training_id: int | None = None,
) -> bytes:
    """The whole pipeline; adds seconds spent per stage (`STAGES`) to `timings` if given."""
    doc = build_report(
        session,
        loaded_report,
        questionnaires,
        today=today,
        timings=timings,
        training_id=training_id,
    )
    with _timed(timings, "html"):
        html = render_html(doc)
    with _timed(timings, "weasyprint"):
        return html_to_pdf(html)


def _draw(
    kind: BlockKind, result: BlockResult, timings: MutableMapping[str, float] | None
) -> tuple[Chart, ...]:
    """A computed block's charts (none when it is empty)."""
    with _timed(timings, "charts"):
        return () if result.empty else tuple(kind.charts(result))


def pdf_filename(doc: ReportDocument) -> str:
    """`<report-id>-<YYYY-MM-DD>.pdf`, or `<report-id>-training-<id>-<YYYY-MM-DD>.pdf`."""
    training = f"-training-{doc.training.id}" if doc.training else ""
    return f"{doc.report_id}{training}-{doc.generated.isoformat()}.pdf"


def report_fits_training(report: Report, training: ReportTraining) -> bool:
    """Whether every questionnaire the report draws on is the training's pre or post one."""
    return training.covers(_questionnaire_ids(report))


def describe_filter(report_filter: ReportFilter, training: ReportTraining | None = None) -> str:
    """Which responses are counted, as printed on the cover."""
    start, end = report_filter.submitted_from, report_filter.submitted_to
    if training is None:
        if start and end:
            return f"Responses submitted from {format_day(start)} to {format_day(end)}."
        if start:
            return f"Responses submitted from {format_day(start)} onwards."
        if end:
            return f"Responses submitted up to {format_day(end)}."
        return "All responses received so far."
    sentence = "Only the responses given through this training's participant links"
    if start and end:
        return f"{sentence}, submitted from {format_day(start)} to {format_day(end)}."
    if start:
        return f"{sentence}, submitted from {format_day(start)} onwards."
    if end:
        return f"{sentence}, submitted up to {format_day(end)}."
    return f"{sentence}."


def block_templates() -> dict[str, str]:
    """Partial template path per block type, as the report template includes them."""
    return {
        block_type: kind.template if "/" in kind.template else BLOCK_TEMPLATE_DIR + kind.template
        for block_type, kind in BLOCKS.items()
    }


def format_day(day: dt.date | None) -> str:
    """`3 March 2026`: unambiguous for every reader, whatever their date order."""
    return "" if day is None else f"{day.day} {day:%B %Y}"


def format_days(start: dt.date, end: dt.date) -> str:
    """`15–17 January 2027`, `30 January – 2 February 2027`, or one day."""
    if start == end:
        return format_day(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{format_day(end)}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {format_day(end)}"
    return f"{format_day(start)} – {format_day(end)}"


def format_number(value: float | None) -> str:
    """`12,345` or `3.5` (rounded half up); empty for None."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{round_half_up(value, 1):,.1f}"


def format_percent(value: float | None, digits: int = 0) -> str:
    """A share (0-1) as `42%`, rounded half up; empty for None."""
    if value is None:
        return ""
    return f"{round_half_up(100 * value, digits):.{digits}f}%"


@cache
def report_environment() -> Environment:
    """The print templates, autoescaped, failing loudly on a misspelt variable.

    Why not Flask's environment: the pipeline runs outside requests (CLI, benchmark), and
    report templates must not reach request globals such as `url_for` or `session`.
    """
    env = Environment(
        loader=PackageLoader("survey_app", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        day=format_day, days=format_days, number=format_number, percent=format_percent
    )
    return env


def _questionnaire_ids(report: Report) -> list[str]:
    """The main questionnaire, then those named by pre/post blocks, each once."""
    ids = [report.questionnaire]
    for block in report.blocks:
        if isinstance(block, PrePostBlock | RetentionBlock):
            ids += [qid for qid in (block.pre, block.post) if qid not in ids]
    return ids


@contextmanager
def _collecting_new_objects_only() -> Iterator[None]:
    """Keep Python's garbage collector to the objects created inside the `with` body.

    Why: a worker holds hundreds of thousands of long-lived objects (WeasyPrint,
    matplotlib, SQLAlchemy, fonts), and a build allocates so much that CPython runs its
    full collection again and again, each time walking all of them: a tenth of a build's
    time. `gc.freeze` sets the objects that exist now aside until `gc.unfreeze` hands them
    back; the garbage the build makes is still collected as usual, nothing is kept.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def _timed(timings: MutableMapping[str, float] | None, stage: str) -> Iterator[None]:
    """Add the seconds spent in the `with` body to `timings[stage]`."""
    start = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start
