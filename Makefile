# The README's commands. Each target creates the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: checkov-venv prepare test lint typecheck unit run package deploy bench clean load load-faults audit i18n-extract i18n-update i18n-compile i18n-countries

STAGE ?= dev

CHECKOV_STAMP := .venv-checkov/.installed

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## checkov-venv: checkov in a virtualenv of its own (it pins an older boto3 than the tests use)
checkov-venv: $(CHECKOV_STAMP)
$(CHECKOV_STAMP): requirements-checkov.txt
	test -x .venv-checkov/bin/python || $(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/python -m pip install --quiet -r requirements-checkov.txt
	touch $(CHECKOV_STAMP)

## prepare: what the tests need from the machine (chromium, binutils): installed as root, else named
prepare:
	@tools/prepare.sh

## test: lint, format check, type check and every test (on every core: pytest-xdist)
# loadgroup: tests marked xdist_group(name) share a worker; every other test goes where there is room.
test: prepare $(STAMP) $(CHECKOV_STAMP) lint typecheck
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-auto} --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy functions infra tools app.py tests

## unit: the fast tests only (no AWS, no browser)
unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

## package: the stage's deployable build in build/package: deployment.zip and sam.json, the one
## template of the stage (functions, API, table, queues, secret, SES, alarms; every setting wired)
# infra/build.py: dependencies in vendor/ without the runtime's SDK, precompiled; chalice package;
# then infra/template.py joins Chalice's template to infra/stack.yaml.
package: $(STAMP)
	$(BIN)/python -m infra.build --stage $(STAGE) --out build/package

## deploy: make package, then deploy it as built through a change set (docs/operations.md, Deploy)
## DRY_RUN=1: print the plan, no credentials needed; YES=1: no confirmation for prod (CI);
## SENDER_EMAIL, PUBLIC_BASE_URL, OPERATORS_EMAIL (required for prod): the stack's parameters
deploy: package
	SENDER_EMAIL='$(SENDER_EMAIL)' PUBLIC_BASE_URL='$(PUBLIC_BASE_URL)' \
	OPERATORS_EMAIL='$(OPERATORS_EMAIL)' \
	$(BIN)/python -m infra.deploy --stage $(STAGE) --package build/package \
		$(if $(DRY_RUN),--dry-run) $(if $(YES),--yes)

## i18n-extract: collect every text people read (code, templates, schema) into the .pot
i18n-extract: $(STAMP)
	$(BIN)/python -m babel.messages.frontend extract -F babel.cfg -k N_ --no-location \
		--sort-output --omit-header -o functions/locales/messages.pot .

## i18n-update: merge the .pot into each language's .po (then translate what is new)
# The .po files keep their header (plural forms, language) and their 100-column wrapping.
i18n-update: i18n-extract
	$(BIN)/python -m babel.messages.frontend update -i functions/locales/messages.pot \
		-d functions/locales --no-fuzzy-matching --ignore-obsolete --width 100

## i18n-compile: build the .mo files the service reads (committed, shipped); French
## typography first (a no-break space before : ; ? !, tools/french_typography.py)
i18n-compile: $(STAMP)
	$(BIN)/python -m tools.french_typography
	$(BIN)/python -m babel.messages.frontend compile -d functions/locales --statistics

## i18n-countries: regenerate localized country names from CLDR (Babel is a dev dependency)
i18n-countries: $(STAMP)
	$(BIN)/python -m tools.country_names

## bench: measure cold start, size, AWS calls, CPU and scale; writes docs/performance.md
bench: $(STAMP)
	$(BIN)/python -m infra.bench --out docs/performance.md

clean:
	rm -rf $(VENV) .venv-checkov build .pytest_cache .mypy_cache .ruff_cache

## run: the whole service on this machine (moto, chalice local, queue workers, mailbox); Ctrl-C stops
run: $(STAMP)
	$(BIN)/python -m infra.local.run --port $${PORT:-8000}

## load: submissions against the local stack on loopback (a steady and a burst-with-idle run of
## LOAD_SECONDS each, LOAD_RATE a second), then accepted = stored = under review = emails
load: $(STAMP)
	$(BIN)/python -m infra.load.run --duration $${LOAD_SECONDS:-120} --rate $${LOAD_RATE:-5} \
		--json build/load/report.json

## load-faults: the same run while the workers are SIGKILLed and restarted (every LOAD_KILL_EVERY
## seconds or so) and a share LOAD_THROTTLE of DynamoDB writes and SES sends is throttled; still
## nothing lost, every email once (lease duplicates counted apart), no 5xx but clean 503s
load-faults: $(STAMP)
	$(BIN)/python -m infra.load.run --faults --duration $${LOAD_SECONDS:-60} --rate $${LOAD_RATE:-2} \
		--throttle $${LOAD_THROTTLE:-0.1} --kill-every $${LOAD_KILL_EVERY:-6} \
		--seed $${LOAD_SEED:-14} --json build/load/faults.json

## audit: bandit (fails on a high finding) and pip-audit (skipped, saying so, without the index)
audit: $(STAMP)
	$(BIN)/bandit -q -r functions infra tools app.py --severity-level high
	$(BIN)/python -m tools.audit
