# Ducha — the two commands: `make run` (set up and run with demo data) and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The links in notification e-mails; set it to the ward-network address when HOST is 0.0.0.0.
BASE_URL ?= http://$(HOST):$(PORT)
# `make run` is production-like on the embedded default (SQLite + file-system broker):
# DEBUG off, a secret key generated once under var/, no HTTPS on localhost.
RUN_ENV = DEBUG=0 SECURE_HTTPS=0 ALLOWED_HOSTS=$(HOST),localhost,127.0.0.1 SECRET_KEY=$$(cat var/secret_key) HOST=$(HOST) PORT=$(PORT) DUCHA_BASE_URL=$(BASE_URL)

.PHONY: run setup system-deps venv messages migrate demo test test-e2e lint format bench clean

# The demo's e-mails go to files under var/mail/ unless EMAIL_URL says otherwise.
EMAIL_URL ?= file://$(CURDIR)/var/mail
run: system-deps $(VENV)/.installed var/secret_key messages
	@$(RUN_ENV) DUCHA_DEMO=1 EMAIL_URL=$(EMAIL_URL) scripts/run.sh

setup: system-deps $(VENV)/.installed var/secret_key messages
	@echo "Migrating the database and loading the demo hospital (the first time takes about a minute) …"
	@$(RUN_ENV) $(BIN)/python manage.py migrate --noinput -v0
	@$(RUN_ENV) $(BIN)/python manage.py seed_demo

system-deps:
	@.ci/system-deps

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/pip install -q --upgrade pip
	@$(BIN)/pip install -q -c requirements.lock '.[dev]'
	@touch $@

venv: $(VENV)/.installed

var/secret_key:
	@mkdir -p var && umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# Compile the zh_Hans catalogues (.mo files are build output, not committed).
messages: $(VENV)/.installed
	@$(BIN)/django-admin compilemessages -v0 --ignore=.venv --ignore=var

# Regenerate the catalogues after changing strings: the core at the top, each app in its folder.
makemessages: $(VENV)/.installed
	@DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans -v0 --no-obsolete --ignore=.venv --ignore=var --ignore=staticfiles --ignore=inspections --ignore=followups --ignore=complaints --ignore=surveys --ignore=servicedesk --ignore=reports --ignore=benchmarks --ignore=tests
	@for app in inspections followups complaints surveys servicedesk reports; do (cd $$app && DEBUG=1 ../$(BIN)/python ../manage.py makemessages -l zh_Hans -v0 --no-obsolete); done

test: system-deps $(VENV)/.installed messages
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/lint-imports --no-cache
	@$(BIN)/bandit -q -c pyproject.toml -r . 2>/dev/null
	@$(BIN)/python manage.py makemigrations --check --dry-run -v0
	@$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	@$(BIN)/pytest -n 2 -q

test-e2e: system-deps $(VENV)/.installed messages
	@.ci/system-deps --with-browser
	@$(BIN)/pytest -q -m e2e -p no:xdist

lint:
	@$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports --no-cache && $(BIN)/bandit -q -c pyproject.toml -r .

format:
	@$(BIN)/ruff check --fix . ; $(BIN)/ruff format .

bench: $(VENV)/.installed
	@.ci/system-deps --with-bench
	@$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) staticfiles var/test
