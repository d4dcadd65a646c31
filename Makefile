# IA Desk. Quick start: `make run` (the app) and `make test` (the full suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint unit dist dist-smoke bench system-deps clean

$(STAMP): pyproject.toml
	@bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

## run: set up, then start the desktop app on the embedded (encrypted) database
run: $(STAMP) system-deps
	$(BIN)/ia-desk

## lint: ruff, formatting, mypy on the core and the UI, and the layer contract
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## unit: the pytest suite, each database test on SQLite and on a throw-away PostgreSQL
## (the 30 slowest tests are listed at the end: where the suite's time goes)
unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen bash scripts/with-postgres.sh $(BIN)/python -m pytest --durations=30

## dist: the frozen desktop build (PyInstaller, from build.spec) in dist/, smoke-tested
dist: $(STAMP)
	$(BIN)/python -m pip install --quiet 'pyinstaller>=6.10'
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN build.spec
	cp packaging/ia-desk.desktop resources/icons/ia-desk.png dist/ia-desk-*/
	@du -sh dist/ia-desk-*/
	$(MAKE) dist-smoke

dist-smoke:
	bash scripts/with-postgres.sh bash scripts/dist-smoke.sh

## bench: the benchmark at 1k / 10k / 100k cases (not part of test); JSON in benchmarks/
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python tools/bench.py --sizes 1000,10000,100000

## test: set up, then lint, run the full suite, and build and smoke-test the bundle
test: $(STAMP) system-deps lint unit dist

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
