# Standin. `make run` and `make test` work on a fresh machine; everything else builds on them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: install run serve test test-browser test-schema lint format check bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Embedded mode: SQLite, local-memory cache, Celery worker + beat on a filesystem broker, all in
# this command's process group (Ctrl-C stops everything).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	bin/run-embedded $(PORT)

test: install
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

test-browser: install
	bin/ensure-chromium
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python manage.py bench --quick

clean:
	rm -rf $(VENV) var db.sqlite3
