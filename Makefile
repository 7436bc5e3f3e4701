# The README's commands. Each target creates the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit run package deploy clean

STAGE ?= dev

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
# The event sources' names are the stack's, fixed by the stage (infra/stack.yaml).
package: $(STAMP)
	rm -rf build/package
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-west-1} \
	REVIEW_QUEUE_NAME=mieux-$(STAGE)-review-tasks NOTIFY_QUEUE_NAME=mieux-$(STAGE)-notifications \
	SES_EVENTS_TOPIC=mieux-$(STAGE)-ses-events \
	$(BIN)/chalice package --stage $(STAGE) build/package

## deploy: the stack, then the app, of STAGE (dev or prod); docs/operations.md (DRY_RUN=1: print only)
deploy: $(STAMP)
	$(BIN)/python -m infra.deploy --stage $(STAGE) $(if $(DRY_RUN),--dry-run)

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
