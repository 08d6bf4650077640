"""The retention block's rows: a row's three-wave people are the same in every wave, so
their populations show or hide together."""

from __future__ import annotations

from survey_app.content import registry
from survey_app.reporting.blocks.retention import _row
from survey_app.reporting.context import ReportContext
from survey_app.reporting.scope import Scope

ASKED = {
    "pre": "untoc-needs-assessment",
    "post": "untoc-post-training",
    "followup": "untoc-follow-up",
}
SCOPES = {wave: Scope(qid, None, None, training_id=1, phase=wave) for wave, qid in ASKED.items()}
FIVE = [{"pre": 2.0, "post": 4.0, "followup": 4.0}] * 5


def _context(session) -> ReportContext:
    content = registry()
    report = content.reports["untoc-follow-up-report"].model
    return ReportContext(session, report, content.questionnaire_models())


def _joint_shown(ctx: ReportContext) -> list[str]:
    return [p.label for p in ctx.disclosure.shown.values() if p.definition.waves]


def test_a_row_hidden_beside_one_waves_raters_is_hidden_in_every_wave(session):
    """Six rated the row before, five of them in all three waves: the five would differ
    from the six by one person. Though the follow-up wave alone would allow it, no wave's
    joint population shows (a shown one would print its size, the five)."""
    ctx = _context(session)
    raters = SCOPES["pre"].population().narrowed(answered="confidence", row="advocacy")
    ctx.disclosure.population(raters, "Rated advocacy before", 6)
    row = _row(ctx, SCOPES, "confidence", "advocacy", "Advocacy", FIVE)
    assert row.hidden
    assert _joint_shown(ctx) == []


def test_a_row_with_no_raters_shown_around_it_shows_in_every_wave(session):
    ctx = _context(session)
    row = _row(ctx, SCOPES, "confidence", "advocacy", "Advocacy", FIVE)
    assert not row.hidden
    assert row.means == (2.0, 4.0, 4.0)
    assert len(_joint_shown(ctx)) == 3
