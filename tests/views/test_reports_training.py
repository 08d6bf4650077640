"""/reports/?training=<id>: a training's reports, filtered to its responses and paired."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import (
    NEEDS,
    needs_assessment_answers,
    new_training,
    open_training,
    post_training_answers,
    submit,
)
from tests.reporting.report_app import Person, pdf_pages, seed

NEEDS_REPORT = "untoc-needs-assessment-report"
PRE_POST_REPORT = "untoc-pre-post-report"
TITLE = "Regional workshop, Putrajaya"


def code(i: int) -> dict[str, str]:
    """Participant i's self-generated code, as the form asks for it."""
    return {"code_letters": "Ab", "code_day": str(i % 28 + 1), "code_digits": f"{i:02d}"}


def answer_training(app: Flask, training_id: int, pairs: int) -> None:
    """Seven participants answer before (the first twice); `pairs` of them and a stranger
    answer after, everyone with the sample answers."""
    submit(app, training_id, "pre", {**needs_assessment_answers(), **code(0)})
    for i in range(7):
        submit(app, training_id, "pre", {**needs_assessment_answers(), **code(i)})
    for i in range(pairs):
        submit(app, training_id, "post", {**post_training_answers(), **code(i)})
    submit(app, training_id, "post", {**post_training_answers(), **code(50)})


@pytest.fixture
def training_id(app: Flask, logged_in: FlaskClient) -> int:
    """An open training (needs assessment before, evaluation after) with six pairs."""
    training = open_training(logged_in)
    answer_training(app, training, pairs=6)
    return training


def test_index_lists_the_trainings_reports_with_links_filtered_to_it(logged_in, training_id):
    response = logged_in.get(f"/reports/?training={training_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"Reports for “{TITLE}”" in html
    for report_id in (NEEDS_REPORT, PRE_POST_REPORT):
        assert f'href="/reports/{report_id}.html?training={training_id}"' in html
        assert f'href="/reports/{report_id}.pdf?training={training_id}"' in html


def test_index_leaves_out_reports_on_questionnaires_the_training_does_not_use(logged_in):
    before_only = new_training(logged_in, post_questionnaire_id="")
    html = logged_in.get(f"/reports/?training={before_only}").get_data(as_text=True)
    assert f"/reports/{NEEDS_REPORT}.html?training={before_only}" in html
    assert PRE_POST_REPORT not in html


def test_the_dashboard_link_opens_the_trainings_reports(logged_in, training_id):
    page = logged_in.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    href = re.search(r'href="(/reports/\?training=\d+)"', page)
    assert href is not None
    assert href[1] == f"/reports/?training={training_id}"
    response = logged_in.get(href[1])
    assert response.status_code == 200
    assert f"/reports/{PRE_POST_REPORT}.pdf?training={training_id}" in response.get_data(
        as_text=True
    )


def test_preview_counts_only_the_trainings_responses(logged_in, training_id, session):
    seed(session, [Person("ngo", "MY")] * 9)  # needs assessments from outside the training
    response = logged_in.get(f"/reports/{NEEDS_REPORT}.html?training={training_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"<dd>{TITLE}</dd>" in html
    assert "<dd>Putrajaya, Malaysia, 15–17 January 2027</dd>" in html
    # Seven people answered before the training (the first twice: their latest answer
    # counts), not 8 responses and not 8 + 9.
    assert "<dd>7</dd>" in html
    assert "Only the responses given through this training&#39;s participant links." in html
    unfiltered = logged_in.get(f"/reports/{NEEDS_REPORT}.html").get_data(as_text=True)
    assert "<dd>17</dd>" in unfiltered
    assert TITLE not in unfiltered


def test_filtered_pdf_names_the_training_and_prints_paired_figures(logged_in, training_id):
    response = logged_in.get(f"/reports/{PRE_POST_REPORT}.pdf?training={training_id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename={PRE_POST_REPORT}-training-{training_id}-{today}.pdf"
    )
    pages = pdf_pages(response.data)
    text = " ".join(" ".join(pages).split())
    assert TITLE in pages[0]
    assert "15–17 January 2027" in pages[0]
    assert "Paired comparison: the same participants before and after" in text
    assert "Match rate" in text
    assert "Wilcoxon p" in text
    assert "1 participant submitted the pre questionnaire more than once" in text
    assert "1 code of the post questionnaire matched no pre code: it is left out of every" in text
    assert TITLE in pages[-1]  # the running footer names the training


def test_too_few_pairs_print_why_paired_figures_are_missing(app, logged_in):
    training = open_training(logged_in)
    answer_training(app, training, pairs=4)
    html = logged_in.get(f"/reports/{PRE_POST_REPORT}.html?training={training}").get_data(
        as_text=True
    )
    assert "Paired comparison: fewer than k. Fewer than 5 participants answered both" in html
    assert "Match rate" not in html


def test_unfiltered_pre_post_report_still_says_responses_are_not_paired(logged_in, training_id):
    html = logged_in.get(f"/reports/{PRE_POST_REPORT}.html").get_data(as_text=True)
    assert "Responses are not paired in this report" in html
    assert "Paired comparison" not in html


@pytest.mark.parametrize("value", ["999", "abc", "", "0", "-1", "1.5", "\uff11"])
@pytest.mark.parametrize(
    "page", ["/reports/", f"/reports/{NEEDS_REPORT}.html", f"/reports/{NEEDS_REPORT}.pdf"]
)
def test_unknown_or_malformed_training_is_404(logged_in, page, value):
    assert logged_in.get(page, query_string={"training": value}).status_code == 404


@pytest.mark.parametrize("suffix", ["html", "pdf"])
def test_report_on_questionnaires_the_training_does_not_use_is_404(logged_in, suffix):
    before_only = new_training(logged_in, post_questionnaire_id="")
    response = logged_in.get(f"/reports/{PRE_POST_REPORT}.{suffix}?training={before_only}")
    assert response.status_code == 404
    assert "is not about the questionnaires of the training" in response.get_data(as_text=True)


def test_anonymous_visitors_cannot_read_a_trainings_reports(app, client):
    response = client.get(f"/reports/{NEEDS_REPORT}.html?training=1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


def test_cli_builds_a_trainings_report(runner, training_id, tmp_path: Path):
    target = tmp_path / "training.pdf"
    result = runner.invoke(
        args=["report", "build", PRE_POST_REPORT, "--training", str(training_id), "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(" ".join(pdf_pages(target.read_bytes())).split())
    assert TITLE in text
    assert "Paired comparison" in text


@pytest.mark.parametrize(
    ("training", "message"),
    [("999", "there is no training #999"), (None, "is not about the questionnaires")],
)
def test_cli_refuses_an_unknown_or_unrelated_training(
    logged_in, runner, tmp_path, training, message
):
    if training is None:
        training = str(
            new_training(logged_in, pre_questionnaire_id="", post_questionnaire_id=NEEDS)
        )
    target = tmp_path / "x.pdf"
    result = runner.invoke(
        args=["report", "build", PRE_POST_REPORT, "--training", training, "-o", str(target)]
    )
    assert result.exit_code != 0
    assert message in result.output
    assert not target.exists()


def test_preview_keeps_the_site_navigation_and_offers_the_pdf(logged_in, training_id):
    html = logged_in.get(f"/reports/{NEEDS_REPORT}.html?training={training_id}").get_data(
        as_text=True
    )
    toolbar = html[html.index('<nav class="preview-toolbar"') :].split("</nav>")[0]
    assert f'href="/reports/?training={training_id}"' in toolbar
    assert 'href="/staff/"' in toolbar
    assert f'href="/reports/{NEEDS_REPORT}.pdf?training={training_id}"' in toolbar
    assert "Download PDF" in toolbar
    assert 'name="viewport"' in html  # a phone shows it at its own width
