"""WSGI entry point: `app = create_app()` for flask run, gunicorn or waitress."""

from survey_app import create_app

app = create_app()
