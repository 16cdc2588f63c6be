# Two commands: `make run` (demo council on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# LEXIMIN on the largest shared pools takes minutes each: `make test-slow` runs those too.
PYTEST_ARGS ?= -m "not slow"
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-slow install install-dev translations bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/pbapp db upgrade
	$(BIN)/pbapp seed --if-empty
	$(BIN)/pbapp run --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-slow: install-dev
	$(BIN)/python -m pytest -m slow

# Re-extract messages and compile the Welsh catalogue after changing user-facing text.
translations: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs '.* __pycache__' -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d translations

bench: install-dev
	$(BIN)/python bench/tally.py --reference-from-fixtures
	$(BIN)/python bench/selection.py --reference-from-fixtures

clean:
	rm -rf $(VENV) instance .pytest_cache
