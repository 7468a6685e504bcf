# Two commands on a fresh machine: `make run` and `make test` (README quick start).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
VENDOR := static/vendor

.PHONY: run serve test lint pytest install install-dev assets browser i18n-extract i18n-update \
	i18n-compile db seed clean bench wrk

## Set up, migrate, seed, create the demo admin (embedded default only) and serve, with the
## worker (outbox and daily jobs) beside the server; stopping the server stops the worker.
run: install assets i18n-compile db
	@$(FLASK) demo --if-empty
	@# After the demo's log lines, so the one-time login is the last thing printed before serving.
	@$(FLASK) demo-admin --if-embedded
	@echo "Serving on http://$(HOST):$(PORT)/  (staff screens: http://$(HOST):$(PORT)/staff/)"
	@export PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}"; \
	$(FLASK) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

## Production serving (docs/deploy.md): gunicorn with the app factory, WEB_CONCURRENCY sync
## workers on BIND (crm/core/serving.py). Run `$(FLASK) worker` beside it as its own process,
## and `$(FLASK) db upgrade` before new code serves.
serve: install assets i18n-compile
	$(VENV)/bin/gunicorn --config python:crm.core.serving "app:create_app()"

## Set up with the dev extra, then ruff and every test.
test: install-dev assets i18n-compile browser lint pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

pytest:
	$(PY) -m pytest $(PYTEST_ARGS)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.stamp-runtime: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.stamp-runtime

install: $(VENV)/.stamp-runtime
install-dev: $(VENV)/.stamp-dev

## Front-end packages from the npm registry, copied where the app serves them (git-ignored).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

## The world map is built from world-atlas's simplified geometry (scripts/build_world_map.mjs).
$(VENDOR)/.stamp: node_modules/.package-lock.json scripts/build_world_map.mjs \
		crm/countries/seed_data/countries.csv
	mkdir -p $(VENDOR)/chartjs $(VENDOR)/world-map
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md $(VENDOR)/chartjs/
	node scripts/build_world_map.mjs $(VENDOR)/world-map/world.svg
	cp node_modules/world-atlas/LICENSE $(VENDOR)/world-map/LICENSE
	@touch $@

## Then every static file gets a fingerprinted copy and the manifest templates read
## (crm/core/assets.py); run again after changing a file under static/.
## Rebuilt only when a file under static/ changed since: a rebuild deletes the copies a running
## server or test process reads (CI runs two test passes side by side).
STATIC_SOURCES = $(shell find static -type f ! -name cache_manifest.json ! -name .stamp \
	! -regex '.*-[0-9a-f]\{32\}\.[A-Za-z0-9]*' 2>/dev/null)
static/cache_manifest.json: $(VENDOR)/.stamp $(STATIC_SOURCES) | $(VENV)/.stamp-runtime
	@$(FLASK) digest clean >/dev/null && $(FLASK) digest compile >/dev/null

assets: install static/cache_manifest.json

## Debian's Chromium for the browser tests (Playwright's own download cannot work here).
browser:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

## Performance bench (README "Performance"), never part of `make test`: generated data at 10k,
## 100k and 1M responses, app and bare-Flask baseline under gunicorn, one table.
## BENCH_SIZES=10000,100000 shortens it; see bench/run.py for the other BENCH_* settings.
bench: install-dev assets i18n-compile wrk
	$(PY) -m bench

## Debian's wrk, the load generator of the bench.
wrk:
	@command -v wrk >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq wrk; fi; }

## Translations: extract messages, merge them into the catalogs, compile .mo files.
i18n-extract: install-dev
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k _n:1,2 \
		--ignore-dirs '.* __pycache__ node_modules' \
		--no-location --sort-output -o messages.pot .

i18n-update: i18n-extract
	$(VENV)/bin/pybabel -q update -i messages.pot -d translations --no-fuzzy-matching \
		--ignore-obsolete

## Each catalog compiled when its .po changed (compiling rewrites the .mo in place, under any
## process reading it).
CATALOGS = $(wildcard translations/*/LC_MESSAGES/messages.po)
i18n-compile: install $(CATALOGS:.po=.mo)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.stamp-runtime
	$(VENV)/bin/pybabel -q compile -i $< -o $@

db: install
	$(FLASK) db upgrade
	$(FLASK) seed

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
