# UM Portal. `make` lists the commands.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# `make run` uses embedded defaults: SQLite in the project folder, DEBUG and demo mode on,
# staff two-step verification off (MFA_ENFORCED=1 make run to try it).
RUN_ENV := DEBUG=1 DEMO_MODE=1 MFA_ENFORCED=$${MFA_ENFORCED:-0} DATABASE_URL=$${RUN_DATABASE_URL:-sqlite:///$(CURDIR)/db.sqlite3}

.DEFAULT_GOAL := help
.PHONY: help install install-dev run test test-instants lint format migrate seed worker bench clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed ## Create the virtualenv and install the portal

install-dev: $(VENV)/.installed-dev ## Install the portal and the test tools

migrate: install ## Apply migrations to the embedded SQLite database
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input

seed: migrate ## Load the synthetic demo data and logins (idempotent)
	$(RUN_ENV) $(BIN)/python manage.py seed_demo

run: seed ## Set up and start the portal on http://127.0.0.1:8000 with a Celery worker and beat
	$(RUN_ENV) $(BIN)/python manage.py run_portal

worker: install ## Start only a Celery worker with beat (for a separately started web server)
	$(RUN_ENV) $(BIN)/celery -A um_portal worker -B --loglevel=INFO

test: lint ## Lint and run the whole test suite (PostgreSQL and Redis at DATABASE_URL / REDIS_URL)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Awkward instants the suite must pass at (README "Tests"): a Sunday evening, both DST
# nights, the eve of a federal holiday and New Year's Eve, in the plan's time zone.
INSTANTS := 2026-11-29T20:30:00-05:00 2026-03-08T01:30:00-05:00 2026-11-01T01:30:00-04:00 2026-11-25T23:30:00-05:00 2026-12-31T23:30:00-05:00

test-instants: install-dev ## Run the suite at each awkward instant (UM_TEST_NOW); CI runs it after `make test`
	@for instant in $(INSTANTS); do \
	  echo "== UM_TEST_NOW=$$instant"; \
	  UM_TEST_NOW=$$instant $(BIN)/python -m pytest -q --ignore=tests/production -m "not browser" $(PYTEST_ARGS) || exit 1; \
	done

lint: install-dev ## Lint only: ruff, and the import contracts in pyproject.toml (layers, no cycles)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: install-dev ## Format and fix lint where safe
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: install-dev ## Run the benchmarks in bench/ (PostgreSQL at DATABASE_URL)
	@for b in bench/*.py; do [ -f "$$b" ] && $(BIN)/python "$$b"; done; true

clean: ## Remove the virtualenv, the SQLite database and runtime files
	rm -rf $(VENV) db.sqlite3 var
