# Alongside: `make lab` to take the course, `make test` to check everything from nothing.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# nbgrader calls `alembic` by name: the environment's tools come first.
export PATH := $(BIN):$(PATH)
EXERCISES := $(notdir $(wildcard solutions/[0-9]*))
CHROMIUM := /usr/bin/chromium

.PHONY: help lab exercises test test-fast browser-deps constraints clean

help:
	@echo "make lab        set up .venv and open the course in JupyterLab (127.0.0.1)"
	@echo "make test       set up everything and run every test, browser tests included"
	@echo "make test-fast  every test but the browser ones, for quick loops"
	@echo "make exercises  regenerate exercises/ from solutions/ with nbgrader"
	@echo "make .venv      only make the Python environment"

$(VENV): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(VENV)

lab: $(VENV)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 course/00-start-here.ipynb

exercises: $(VENV)
	@for ex in $(EXERCISES); do \
		$(BIN)/nbgrader generate_assignment "$$ex" --force --log-level=WARN || exit 1; \
	done

# Debian's chromium for the browser tests (Playwright drives it by path; no browser download).
browser-deps:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# axe-core for the accessibility audit, from the npm registry at the version package-lock.json pins.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: $(VENV) browser-deps node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest

test-fast: $(VENV)
	$(BIN)/python -m pytest -m "not browser"

constraints: $(VENV)
	( sed -n '1,2p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable ) > constraints.tmp && mv constraints.tmp constraints.txt

clean:
	rm -rf $(VENV) node_modules gradebook.db submitted autograded feedback tests/artefacts .pytest_cache
