# The README's commands. Each target creates the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit run package bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## test: lint, format check, type check and every test
test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy functions

## unit: the fast tests only (no AWS, no browser)
unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

## package: build the slim Lambda package (deployment.zip + sam.json) into build/package
# infra/build.py: dependencies in vendor/ without the runtime's SDK, precompiled; then chalice package.
package: $(STAMP)
	$(BIN)/python -m infra.build --stage $${STAGE:-dev} --out build/package

## bench: measure cold start, size, AWS calls, CPU and scale; writes docs/performance.md
bench: $(STAMP)
	$(BIN)/python -m infra.bench --out docs/performance.md

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
