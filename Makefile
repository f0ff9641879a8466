# Delivery Quarterly: `make run` serves the demo, `make test` runs every test.
# Both set up everything they need on a fresh clone (see README).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: run banner test install install-test frontend static services system-deps bench clean

run: banner install frontend
	@scripts/serve

banner:
	@scripts/serve --banner

test: install-test frontend system-deps services
	@scripts/test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements-test.txt
	@touch $@ $(VENV)/.runtime-installed

install: $(VENV)/.runtime-installed

install-test: $(VENV)/.test-installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/vendor/govuk/govuk-frontend.min.css: node_modules/.installed scripts/vendor_frontend.py
	$(PY) scripts/vendor_frontend.py

frontend: static/vendor/govuk/govuk-frontend.min.css

# WeasyPrint's Pango and fonts, and Chromium for the browser tests, from Debian's packages.
system-deps:
	@scripts/system-deps

# Start PostgreSQL and Redis if they are installed but stopped.
services:
	@scripts/services

bench: install-test frontend services
	@scripts/bench

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles
