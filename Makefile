# boiler: developer entry points. Every target creates the virtualenv on first use.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test test-unit demo lint format generate check clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Both tiers where the Firestore emulator is found (`boiler emulator-path` exits 0), else the unit
# tier and one loud line saying the integration tier did not run (exit 2 means "not found").
test: $(STAMP)
	$(BIN)/boiler check
	$(BIN)/boiler generate --check
	@emulator=$$($(BIN)/boiler emulator-path 2>/dev/null); found=$$?; \
	if [ $$found -eq 0 ]; then \
		echo "integration tier: Firestore emulator $$emulator"; \
		$(BIN)/python -m pytest; \
	elif [ $$found -eq 2 ]; then \
		$(BIN)/python -m pytest -m "not integration"; status=$$?; \
		echo "integration tier NOT RUN: Firestore emulator not found"; exit $$status; \
	else \
		echo "boiler emulator-path failed with exit code $$found"; exit $$found; \
	fi

demo: $(STAMP)
	$(BIN)/boiler demo

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

# The fault tier at scale: 20,000 random writes per run on the in-memory double, delivered 1-3 times,
# shuffled, from 4 threads, with injected failures. Replay a run with BOILER_FAULT_SEED=<printed seed>.
.PHONY: soak
SOAK_OPS ?= 20000
soak: $(STAMP)
	BOILER_FAULT_OPS=$(SOAK_OPS) $(BIN)/python -m pytest tests/unit/test_faults_in_memory.py -s -q

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
