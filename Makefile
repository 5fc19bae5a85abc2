# The two commands: `make run` (local stack; installs only what running needs) and `make test` (everything,
# test tools included). Both create .venv first.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
export SAM_CLI_TELEMETRY := 0
export PYTHONPATH := $(CURDIR)/layers/oauth_core:$(CURDIR)

# The first interpreter that runs and is 3.11 or newer (pyenv shims that are not active fail the check).
PYTHON := $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { command -v $$p; break; }; done)
# sam build needs the Lambda runtime's interpreter (python3.13) on PATH; pyenv may have it off PATH.
RUNTIME_PYTHON := $(shell { python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null || \
	ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3.13 2>/dev/null; } | tail -n 1)
SAM_PATH := $(if $(RUNTIME_PYTHON),$(dir $(RUNTIME_PYTHON)):)$(CURDIR)/$(BIN):$(PATH)

# The browser tests drive Chromium. Debian/Ubuntu: installed with apt when missing (as root, or via sudo).
CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser)

.PHONY: install install-run browser run test lint build deploy bench clean

# pip's progress, one short line per package fetched (pip itself is either silent or very chatty).
PIP_INSTALL = set -o pipefail; PYTHONUNBUFFERED=1 $(BIN)/python -m pip install --disable-pip-version-check --progress-bar off -r
PIP_PROGRESS = sed -un -e 's/^Collecting \([A-Za-z0-9_.-]*\).*/  fetching \1/p' -e 's/^Installing collected packages.*/  installing.../p'

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "make: Python 3.11 or newer is required" >&2; exit 1; }
	@echo "make: creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)

# What running needs (`make run`, oauthctl): the layer's dependencies, boto3, moto.
$(BIN)/.installed-run: requirements-run.txt layers/oauth_core/requirements.txt | $(BIN)/python
	@echo "make: installing what the local stack needs into $(VENV) (first time only)"
	@$(PIP_INSTALL) requirements-run.txt | $(PIP_PROGRESS)
	@touch $@

# Test tools on top (`make test`, `make lint`, `make build`): SAM CLI, pytest, Playwright, ...
$(BIN)/.installed: requirements-dev.txt $(BIN)/.installed-run
	@echo "make: installing the test tools into $(VENV) (first time only)"
	@$(PIP_INSTALL) requirements-dev.txt | $(PIP_PROGRESS)
	@touch $@

install: $(BIN)/.installed
install-run: $(BIN)/.installed-run

browser:
	@if [ -n "$(CHROMIUM)" ] && [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "make: the browser tests need Chromium; install it, or set CHROMIUM=/path/to/chromium" >&2; exit 1; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; else \
		echo "make: the browser tests need Chromium: run 'apt-get install chromium' as root" >&2; exit 1; fi; \
	echo "make: installing Chromium for the browser tests (apt-get)"; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null

run: install-run
	@echo "make: starting the local stack (python -m local)"
	@$(BIN)/python -m local

test: install browser
	CHROMIUM="$(CHROMIUM)" RUNTIME_PYTHON="$(RUNTIME_PYTHON)" PATH="$(SAM_PATH)" $(BIN)/python -m pytest $(PYTEST_ARGS)
	$(BIN)/ruff check .
	$(BIN)/mypy

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	PATH="$(SAM_PATH)" $(BIN)/sam validate --lint

build: install
	@test -n "$(RUNTIME_PYTHON)" || { echo "make: sam build needs python3.13 (the Lambda runtime) on PATH" >&2; exit 1; }
	PATH="$(SAM_PATH)" $(BIN)/sam build
	# Lambda cannot write __pycache__: ship bytecode for the runtime's Python, checked by hash not mtime
	# (zip keeps mtimes to 2 s, which would make mtime-checked .pyc files look stale).
	$(RUNTIME_PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash .aws-sam/build

bench: install
	$(BIN)/python -m benchmarks

deploy: build
	PATH="$(SAM_PATH)" $(BIN)/sam deploy $(DEPLOY_ARGS)

clean:
	rm -rf .aws-sam .pytest_cache .ruff_cache
