# The two commands: `make run` and `make test` (see README.md). Also `make lint` and `make bench`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sello
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sello_bench

.PHONY: run test bench lint audit install sysdeps sysdeps-test services check-deploy clean

$(STAMP): requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)

install: $(STAMP)

sysdeps:
	@scripts/ensure_system_packages.sh run

sysdeps-test:
	@scripts/ensure_system_packages.sh test

services:
	@scripts/ensure_services.sh

run: install sysdeps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Sello Migrante en http://127.0.0.1:8000 (Ctrl+C para detener)"
	$(PY) manage.py runserver 127.0.0.1:8000

test: install sysdeps-test services
	DATABASE_URL=$(TEST_DATABASE_URL) SELLO_TEST_BROKER_URL=$(TEST_BROKER_URL) \
		DJANGO_SETTINGS_MODULE=sello.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

# Benchmarks as ratios (bench/): prepares its data in sello_bench once, writes docs/benchmarks.md.
# BENCH_COMUNAS=N limits the minutas to N comunas for a quick run.
bench: install sysdeps-test services
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_SETTINGS_MODULE=bench.settings $(PY) -m bench $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(PY) scripts/auditar.py

# pip-audit over requirements.lock; fails also when the advisory service cannot be reached
# (`make lint` then only warns, loudly: "AUDITORÍA NO REALIZADA").
audit: install
	$(PY) scripts/auditar.py --estricto

check-deploy: install
	DJANGO_SETTINGS_MODULE=sello.settings.prod DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets;print(secrets.token_urlsafe(64))') \
		DJANGO_ALLOWED_HOSTS=sello.example.cl $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts .pytest_cache .mypy_cache .ruff_cache
