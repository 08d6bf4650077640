"""Staff pages for content: questionnaires and reports, their versions, upload, preview,
publish and retire (editors and admins only; every change audit-logged).

Routes join the `staff` blueprint (endpoints `staff.*`).
"""

from __future__ import annotations

import difflib

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth import editor_required
from ..content import content_state
from ..extensions import db
from ..form_layout import TemplateHelpers
from ..forms import build_form_class
from ..i18n import use_language
from ..models import ContentDraft, ContentVersion
from ..publishing import (
    BreakingChangeError,
    publish,
    retire,
    save_draft,
    stored_answer_changes,
    validate_source,
)
from ..questionnaire import ContentError, LoadedFile, Questionnaire
from ..questionnaire.compat import Change, questionnaire_changes, version_notes
from ..questionnaire.texts import direction, localize
from ..reporting.schema import Report
from ..trainings import record_audit
from ..uploads import UploadError, read_upload
from ..versions import current_version, current_versions, versions_of
from .staff import bp, client_address
from .survey import session as db_session

Page = str | tuple[str, int]
#: What an upload request may carry: files over the content limit (1 MB) are then refused
#: with a message on the page, and only beyond this with the bare 413 page.
UPLOAD_REQUEST_BYTES = 8 * 1024 * 1024
Loaded = LoadedFile[Questionnaire] | LoadedFile[Report]


@bp.url_value_preprocessor
def allow_uploads(endpoint: str | None, values: dict[str, object] | None) -> None:
    """Raise the request size limit for the upload form only.

    Why here: URL value preprocessors run before every before_request function, and the
    CSRF check (one of those) reads the body under the app-wide limit of a few hundred KiB.
    """
    if endpoint == "staff.upload":
        request.max_content_length = UPLOAD_REQUEST_BYTES


def audit(action: str, detail: str) -> None:
    """Log a content change by the logged-in user (flush only)."""
    record_audit(db_session(), current_user, action, detail, client_address())


def draft_or_404(draft_id: int) -> ContentDraft:
    """The draft with this id, or 404."""
    return db.get_or_404(ContentDraft, draft_id)


def status_of(version: ContentVersion) -> str:
    """public, training-only or retired, as the list shows it."""
    if version.retired_at is not None:
        return "retired"
    if version.kind == "report":
        return "published"
    model = content_state().cache.questionnaire(version).model
    return model.visibility


@bp.route("/questionnaires")
@editor_required
def questionnaires(problems: list[str] | None = None) -> Page:
    """Every questionnaire and report with its status and current version; the upload form."""
    rows = [(v, status_of(v)) for v in current_versions(db_session())]
    page = render_template("staff/questionnaires.html", rows=rows, problems=problems or [])
    return (page, 422) if problems else page


@bp.route("/questionnaires/upload", methods=["POST"])
@editor_required
def upload() -> Page | Response:
    """Validate an uploaded file beside the current versions; keep it as a draft to preview."""
    file = request.files.get("file")
    if file is None or not file.filename:
        return questionnaires(["Choose a file to upload."])
    with file.stream:
        raw = file.read()
    try:
        found = read_upload(file.filename, raw)
        loaded = validate(found.kind, found.source, found.filename)
    except UploadError as exc:
        return questionnaires(exc.problems)
    except ContentError as exc:
        return questionnaires([str(e) for e in exc.errors])
    content_id: str = getattr(loaded.model, "id")  # noqa: B009 -- every content model has one
    draft = save_draft(
        db_session(),
        found.kind,
        content_id,
        found.source,
        found.fmt,
        found.filename,
        current_user.email,
    )
    record_audit(
        db_session(),
        current_user,
        "content_uploaded",
        f"{found.kind} {content_id}",
        client_address(),
    )
    db.session.commit()
    return redirect(url_for("staff.draft", draft_id=draft.id), 303)


def validate(kind: str, source: str, filename: str) -> Loaded:
    """The source validated beside what is published (ContentError with every error)."""
    return validate_source(
        db_session(), kind, source.encode("utf-8"), filename, content_state().cache
    )


def draft_changes(draft: ContentDraft, loaded: Loaded) -> list[Change]:
    """What publishing the draft would break in stored answers."""
    current = current_version(db_session(), draft.kind, draft.content_id)
    if draft.kind != "questionnaire" or current is None:
        return []
    old = content_state().cache.questionnaire(current).model
    changes = questionnaire_changes(old, loaded.model)
    return stored_answer_changes(db_session(), draft.content_id, changes)


@bp.route("/questionnaires/drafts/<int:draft_id>")
@editor_required
def draft(draft_id: int, refused: str = "") -> Page:
    """An uploaded version: what it changes, a preview per language, publish."""
    found = draft_or_404(draft_id)
    try:
        loaded = validate(found.kind, found.source, found.filename)
    except ContentError as exc:
        # Valid at upload, but something published since conflicts with it.
        return questionnaires([str(e) for e in exc.errors])
    current = current_version(db_session(), found.kind, found.content_id)
    diff = unified_diff(current.source if current else "", found.source, current, "upload")
    page = render_template(
        "staff/draft.html",
        draft=found,
        model=loaded.model,
        current=current,
        changes=draft_changes(found, loaded),
        diff=diff,
        refused=refused,
    )
    return (page, 409) if refused else page


@bp.route("/questionnaires/drafts/<int:draft_id>/preview")
@editor_required
def preview(draft_id: int) -> str:
    """The participant's page of an unpublished questionnaire, in `?lang=` (nothing is stored)."""
    found = draft_or_404(draft_id)
    if found.kind != "questionnaire":
        abort(404)
    model = validate(found.kind, found.source, found.filename).model
    if not isinstance(model, Questionnaire):
        abort(404)
    language = request.args.get("lang", model.language)
    if language not in model.languages:
        abort(404)
    use_language(language)
    shown = model if language == model.language else localize(model, language)
    form = build_form_class(shown)()
    return render_template(
        "staff/preview.html",
        draft=found,
        questionnaire=shown,
        lang=language,
        direction=direction(language),
        form=form,
        form_path=request.path,
        question_errors={},
        form_errors=[],
        notice=None,
        h=TemplateHelpers(shown, language),
    )


@bp.route("/questionnaires/drafts/<int:draft_id>/publish", methods=["POST"])
@editor_required
def publish_draft(draft_id: int) -> Page | Response:
    """Publish the draft; breaking changes need the confirmation box ticked."""
    found = draft_or_404(draft_id)
    allow = request.form.get("allow_breaking") == "1"
    try:
        result = publish(
            db_session(),
            found.kind,
            found.source.encode("utf-8"),
            found.filename,
            by=current_user.email,
            note=request.form.get("note", "").strip(),
            fmt=found.format,
            allow_breaking=allow,
            cache=content_state().cache,
        )
    except BreakingChangeError:
        db.session.rollback()
        return draft(draft_id, "Tick the box to confirm the changes listed, then publish again.")
    except ContentError as exc:
        db.session.rollback()
        return questionnaires([str(e) for e in exc.errors])
    version = result.version
    detail = f"{found.kind} {version.content_id} version {version.number}"
    if result.breaking:
        detail += "; breaking, confirmed: " + "; ".join(c.message for c in result.breaking)
    audit("content_published", detail)
    db.session.delete(found)
    db.session.commit()
    flash(f"Published {detail}." if result.created else "Nothing changed: not published again.")
    return redirect(
        url_for("staff.content_versions", kind=found.kind, content_id=found.content_id), 303
    )


@bp.route("/questionnaires/<any(questionnaire, report):kind>/<content_id>")
@editor_required
def content_versions(kind: str, content_id: str) -> str:
    """Every version, newest first, and the diff between two of them (`?a=1&b=2`)."""
    rows = versions_of(db_session(), kind, content_id)
    if not rows:
        abort(404)
    by_number = {v.number: v for v in rows}
    b = by_number.get(request.args.get("b", type=int) or rows[0].number, rows[0])
    a = by_number.get(request.args.get("a", type=int) or b.number - 1)
    diff = unified_diff(a.source if a else "", b.source, a, f"version {b.number}")
    notes = {}
    if kind == "questionnaire":
        cache = content_state().cache
        notes = version_notes(
            [(v.number, list(cache.questionnaire(v).model.questions())) for v in rows]
        )
    return render_template(
        "staff/versions.html",
        kind=kind,
        content_id=content_id,
        rows=rows,
        a=a,
        b=b,
        diff=diff,
        notes=notes,
    )


@bp.route("/questionnaires/<any(questionnaire, report):kind>/<content_id>/retire", methods=["POST"])
@editor_required
def retire_content(kind: str, content_id: str) -> Response:
    """Stop offering it; trainings pinned to one of its versions keep working."""
    if retire(db_session(), kind, content_id) is None:
        abort(404)
    record_audit(
        db_session(), current_user, "content_retired", f"{kind} {content_id}", client_address()
    )
    db.session.commit()
    flash(f"Retired {content_id}. Publish a new version to offer it again.")
    return redirect(url_for("staff.content_versions", kind=kind, content_id=content_id), 303)


def unified_diff(
    old: str, new: str, old_version: ContentVersion | None, new_name: str
) -> list[tuple[str, str]]:
    """(css class, line) pairs of a unified diff of two sources."""
    old_name = f"version {old_version.number}" if old_version else "nothing"
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=2
    )
    kinds = {"+": "added", "-": "removed", "@": "hunk"}
    return [(kinds.get(line[:1], "same"), line) for line in lines]
