# The README's commands. Each target creates the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit run package clean

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

## package: build the Lambda deployment package and its CloudFormation template into build/
package: $(STAMP)
	rm -rf build/package
	$(BIN)/chalice package --stage $${STAGE:-dev} build/package

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache

## run: the whole service on this machine (moto, chalice local, queue workers, mailbox); Ctrl-C stops
run: $(STAMP)
	$(BIN)/python -m infra.local.run --port $${PORT:-8000}
