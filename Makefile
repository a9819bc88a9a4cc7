# Steward — the two commands: `make demo` and `make test`. Everything else here serves them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST_ARGS ?= -n 2
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test serve-production venv assets messages translations migrate lint check bench clean

## make demo: install, migrate the embedded SQLite database, load the demo bank, run web + worker + schedule.
demo: venv assets messages
	@echo "== Steward demo 1/3: migrating the database (var/steward.sqlite3)"
	DEBUG=1 $(PY) manage.py migrate --noinput
	@echo "== Steward demo 2/3: the demo bank (the newest days of history now, the earlier ones in the background)"
	DEBUG=1 $(PY) manage.py seed_demo
	@echo "== Steward demo 3/3: starting the web server, the background worker and the schedule"
	DEBUG=1 $(PY) scripts/run_demo.py

## make test: the whole suite (SQLite by default; PostgreSQL when DATABASE_URL is set), browser tests included.
test: venv assets messages
	$(PY) -m pytest $(PYTEST_ARGS)

## make serve-production: DEBUG off, static files collected, database migrated, gunicorn (gunicorn.conf.py).
## Refuses to start without SECRET_KEY, ALLOWED_HOSTS and the key variables (docs/configuration.md).
serve-production: venv assets messages
	$(PY) scripts/serve_production.py

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@echo "== Python packages (about a minute with a warm package cache)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

assets: steward/static/vendor/.installed
steward/static/vendor/.installed: package.json package-lock.json scripts/copy_vendor_assets.py
	@echo "== Front-end packages (Tabler, htmx, ECharts)"
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	$(PY) scripts/copy_vendor_assets.py
	touch $@

messages: venv
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

## make translations: refresh the zh-Hans catalogue from the source (then translate the new entries).
translations: venv
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-location --no-obsolete \
		--ignore=.venv --ignore=node_modules --ignore=bench --ignore=staticfiles --ignore=var

migrate: venv
	DEBUG=1 $(PY) manage.py migrate --noinput

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: venv
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=1 $(PY) manage.py check

bench: venv assets
	$(PY) -m bench run

clean:
	rm -rf $(VENV) node_modules steward/static/vendor staticfiles var
