# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run serve test lint bench install db clean messages axe

# The app's own strings: edited in .po files, compiled to .mo (not committed) on install.
TRANSLATIONS := survey_app/translations
CATALOGS     := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)

$(STAMP): pyproject.toml $(CATALOGS)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pybabel compile -d $(TRANSLATIONS)
	touch $(STAMP)

install: $(STAMP)

# After changing app strings: collect them into messages.pot and merge it into every
# catalog; then translate the new entries in each .po and run `make install`.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext --add-comments=TRANSLATORS: \
		--no-location --sort-output --project survey_app \
		--copyright-holder "survey_app contributors" -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --ignore-obsolete

# Create or upgrade the schema (Alembic), then demo answers, only into an empty database, so
# the sample reports have something to show.
db: install
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi survey demo --responses 200 --if-empty

run: db
	$(BIN)/flask survey validate
	@echo "Open http://$(HOST):$(PORT)/ and answer a sample questionnaire."
	SURVEY_PUBLIC_URL=$${SURVEY_PUBLIC_URL:-http://$(HOST):$(PORT)} $(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

# Production: gunicorn (gunicorn.conf.py) on the configured database; no demo data.
serve: install
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi survey validate
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/flask survey validate

# axe-core, which the browser tests inject into every page they check for accessibility
# (tests/browser/test_accessibility.py); into node_modules/ (not committed), no package.json.
AXE_VERSION := 4.14.1
AXE         := node_modules/axe-core/axe.min.js

$(AXE):
	npm install --no-save --no-package-lock --no-audit --no-fund axe-core@$(AXE_VERSION)

axe: $(AXE)

# The whole suite twice: on SQLite, then on a throwaway PostgreSQL cluster (scripts/with-postgres).
test: lint $(AXE)
	$(BIN)/pytest
	scripts/with-postgres $(BIN)/pytest

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache node_modules
