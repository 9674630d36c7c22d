# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# Debian packages the test suite drives for real (database, rate-limit store, browser).
SYSTEM_PACKAGES := postgresql redis-server chromium
CATALOGS := $(wildcard locales/*/LC_MESSAGES/messages.po)

.PHONY: run test deps assets sysdeps i18n i18n-compile bench bench-ingest bench-live bench-analytics clean

# The printed demo links and the served pages use the same address (PORT, HOST, PORTAL_BASE_URL).
run: deps assets i18n-compile
	PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/portal demo
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	PORTAL_DEMO=1 PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/portal serve --host $(HOST) --port $(PORT)

test: deps assets i18n-compile sysdeps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

deps: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# htmx comes from the npm registry at the version pinned in package-lock.json. A live order page
# loads htmx, its SSE extension and portal.js as one file, live.js (one request instead of three).
assets: static/vendor/htmx.min.js static/vendor/live.js

static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/htmx-ext-sse/dist/sse.min.js static/vendor/htmx-sse.min.js
	touch $@

static/vendor/live.js: static/vendor/htmx.min.js static/portal.js
	{ cat static/vendor/htmx.min.js; echo ';'; cat static/vendor/htmx-sse.min.js; echo ';'; cat static/portal.js; } > $@

sysdeps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# Extract new strings, merge them into every catalog, compile (see README "Languages").
i18n: deps
	$(BIN)/portal i18n extract
	$(BIN)/portal i18n update
	$(BIN)/portal i18n compile

i18n-compile: deps
	$(BIN)/portal i18n compile

# Benchmarks load the servers with wrk (Debian package) on loopback.
bench: deps assets i18n-compile
	@$(MAKE) --no-print-directory sysdeps SYSTEM_PACKAGES=wrk
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Webhooks and tracking events into SQLite while order pages are read (see README, Benchmarks).
bench-ingest: deps assets i18n-compile
	@$(MAKE) --no-print-directory sysdeps SYSTEM_PACKAGES=wrk
	$(BIN)/python bench/ingest.py $(BENCH_ARGS)

# Live updates: 304 polls against page renders, and 1,000 idle SSE streams on one server.
bench-live: deps assets i18n-compile
	@$(MAKE) --no-print-directory sysdeps SYSTEM_PACKAGES=wrk
	$(BIN)/python bench/live.py $(BENCH_ARGS)

# The console's analytics page for a shop of 100,000 orders and 300,000 shipments (see docs/benchmarks.md).
bench-analytics: deps assets i18n-compile
	$(BIN)/python bench/analytics.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules static/vendor instance *.egg-info
