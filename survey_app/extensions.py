"""Unbound extension singletons; the factory binds them with init_app."""

from pathlib import Path

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from .models import Base

db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
#: Alembic through Flask-Migrate; the revisions live in the package so they ship with it.
migrate = Migrate(directory=str(Path(__file__).parent / "migrations"))
