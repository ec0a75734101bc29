# boiler: developer entry points. Every target creates the virtualenv on first use.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test test-unit lint format generate check clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/boiler check
	$(BIN)/boiler generate --check
	$(BIN)/python -m pytest

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

lint: $(STAMP)
	$(BIN)/ruff check boiler_core tests functions
	$(BIN)/ruff format --check boiler_core tests functions
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format boiler_core tests functions
	$(BIN)/ruff check --fix boiler_core tests functions

generate: $(STAMP)
	$(BIN)/boiler generate

check: $(STAMP)
	$(BIN)/boiler check

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
