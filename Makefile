# Two commands: `make run` (demo council on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# LEXIMIN on the largest shared pool (gss16_75) takes minutes: `make test-slow` runs it too.
PYTEST_ARGS ?= -m "not slow"
# pytest-xdist: one worker per core, each with a database of its own; PYTEST_WORKERS=0 runs in one process.
# loadgroup balances tests one by one, except that each `xdist_group` mark's tests run on one worker
# (a module's tests that share one gunicorn server, the LEXIMIN runs shared by two files).
PYTEST_WORKERS ?= auto
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-slow test-newest newest-venv newest-tests lint install install-dev translations bench trust-report lock audit wheel wheel-smoke clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -c requirements.lock -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/pbapp db upgrade
	$(BIN)/pbapp seed --if-empty
	$(BIN)/pbapp run --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

test-slow: install-dev
	$(BIN)/python -m pytest -m slow

# The core and command-line tests on the newest releases pyproject.toml's ranges allow (no lock):
# what `pip install pbapp` gets, in a fresh virtualenv of its own.
NEWEST := .venv-newest
NEWEST_TESTS ?= tests/core tests/test_seed.py tests/trust/test_backup.py tests/sortition/test_services.py::test_retention_reminders_command
# `newest-venv` and `newest-tests` are its two halves: CI installs while the other tests run.
test-newest: newest-venv newest-tests

newest-venv:
	rm -rf $(NEWEST)
	$(PYTHON) -m venv $(NEWEST)
	$(NEWEST)/bin/python -m pip install -q --upgrade pip
	$(NEWEST)/bin/pip install -q -e '.[dev]'

newest-tests:
	$(NEWEST)/bin/pip list --format=freeze | grep -i -E '^(flask|sqlalchemy|sqlmodel|highspy|numpy|click)=='
	$(NEWEST)/bin/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not slow" -p no:cacheprovider $(NEWEST_TESTS)

# Lint and formatting with ruff (rules in pyproject.toml); `ruff format .` formats the tree.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-extract messages and compile the Welsh catalogue after changing user-facing text.
translations: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs '.* __pycache__' -o pbapp/translations/messages.pot .
	$(BIN)/pybabel update -i pbapp/translations/messages.pot -d pbapp/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d pbapp/translations

bench: install-dev
	$(BIN)/python bench/tally.py --reference-from-fixtures
	$(BIN)/python bench/selection.py --reference-from-fixtures

# Pin what is installed now (after changing pyproject.toml), then audit the pins.
lock: install-dev
	{ echo "# Locked versions of every runtime and dev dependency (pip constraints). The CI audit reads this file."; \
	  echo "# Regenerate after changing pyproject.toml: make lock"; \
	  $(BIN)/pip list --format=freeze --exclude-editable | grep -v -E '^(pbapp|pip|setuptools|wheel)=='; } > requirements.lock

# The wheel a council installs, and the CI check that it runs from outside the checkout.
wheel: install
	$(BIN)/python -m pip wheel -q --no-deps -w dist .

wheel-smoke: install-dev
	PYTHON=$(BIN)/python bash .ci/wheel_smoke.sh

audit:
	$(PYTHON) .ci/audit_dependencies.py requirements.lock

# The trust suite's figures (parallel requests held, faults survived, hostile inputs, parser examples).
# TRUST_DATABASE_URL=postgresql://... runs it on PostgreSQL.
trust-report: install-dev
	$(BIN)/python bench/trust_report.py $(if $(TRUST_DATABASE_URL),--database-url $(TRUST_DATABASE_URL))

clean:
	rm -rf $(VENV) $(NEWEST) instance .pytest_cache
