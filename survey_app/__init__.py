"""survey_app: questionnaires in YAML, answered in a browser, stored safely."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .auth import user_for_session
from .cli import register_cli
from .codes import CodeHasher, install_code_hasher
from .content import load_content
from .database import configure_engine, make_sqlite_file_private
from .extensions import babel, csrf, db, login_manager, migrate
from .i18n import SOURCE_LANGUAGE, page_language, select_locale
from .settings import Settings
from .views import register_blueprints
from .views.errors import register_error_handlers, register_security_headers


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app: settings, extensions, content, blueprints, error handlers, CLI."""
    settings = settings or Settings()
    app = Flask(__name__, instance_path=str(settings.instance_dir.resolve()))
    app.config.from_mapping(settings.to_flask_config())
    app.config["SURVEY_SETTINGS"] = settings
    init_extensions(app, settings)
    load_content(app, settings)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_cli(app)
    configure_logging(app)
    trust_proxies(app, settings.proxy_hops)
    return app


def init_extensions(app: Flask, settings: Settings) -> None:
    """Bind the extension singletons to this app and tune the database engine."""
    db.init_app(app)
    # Batch mode: SQLite cannot ALTER most things in place, so Alembic copies the table.
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    login_manager.login_message = "Please log in to see this page."
    login_manager.session_protection = "strong"
    login_manager.user_loader(lambda token: user_for_session(db.session(), token))
    babel.init_app(app, default_locale=SOURCE_LANGUAGE, locale_selector=select_locale)
    # babel.cfg extracts `{% trans %}` blocks trimmed; look them up the same way.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals["page_language"] = page_language
    install_code_hasher(
        app,
        CodeHasher(
            settings.resolved_pairing_pepper(),
            settings.pairing_kdf_time_cost,
            settings.pairing_kdf_memory_kib,
            settings.near_miss_pairing,
        ),
    )
    with app.app_context():
        make_sqlite_file_private(db.engine)
        configure_engine(db.engine, settings.sqlite_busy_timeout_seconds)


def trust_proxies(app: Flask, hops: int) -> None:
    """Take the client's address and scheme from the headers of `hops` proxies.

    Never X-Forwarded-Host: the proxy passes the Host it accepted, and participant links
    come from SURVEY_PUBLIC_URL, so a forged header cannot redirect them.
    """
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def configure_logging(app: Flask) -> None:
    """Log at INFO in production, DEBUG when debugging."""
    app.logger.setLevel(logging.DEBUG if app.debug else logging.INFO)
