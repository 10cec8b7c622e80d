# leadrail: `make run` serves the demo, `make test` runs every check. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run reset test lint types imports unit bench bench-scale wrk clean install browser screenshots

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo workspace and its admin (password and API token printed) go into a fresh database
# only; later runs keep what was changed in the dashboard. `make reset` starts afresh.
run: $(STAMP)
	$(BIN)/leadrail migrate
	$(BIN)/leadrail demo --if-empty -f examples/demo.yaml --url http://$(HOST):$(PORT)
	@echo "Serving http://$(HOST):$(PORT)  (API docs at /docs; start afresh with the demo: make reset)"
	$(BIN)/leadrail serve --host $(HOST) --port $(PORT)

# Deletes the embedded database (./leadrail.db): everything changed since is lost.
reset:
	@case "$${LEADRAIL_DATABASE_URL:-sqlite:///./leadrail.db}" in \
	  sqlite:///./leadrail.db|sqlite:///leadrail.db) \
	    rm -f leadrail.db leadrail.db-wal leadrail.db-shm; \
	    echo "deleted leadrail.db: the next make run loads the demo into a fresh database";; \
	  *) echo "make reset only deletes ./leadrail.db; LEADRAIL_DATABASE_URL names another database: drop and recreate it yourself" >&2; exit 1;; \
	esac

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

# The browser tests drive Debian's chromium (a browser download does not work here).
browser:
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	    || echo "could not install chromium: browser tests will be skipped (or fail under CI)"; }

test: lint types imports browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# Refreshes docs/screenshots/ from the browser tests (a plain `make test` never writes them).
screenshots: $(STAMP) browser
	LEADRAIL_SCREENSHOTS=1 $(BIN)/python -m pytest -q $(wildcard tests/e2e/*browser*.py tests/integration/*/*browser*.py)

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

# HTTP load comes from Debian's wrk (a C load generator that leaves the CPU to the server);
# the figures go to docs/benchmarks.md. `$(BIN)/python -m bench.run http click` re-measures
# only those sections (see bench/run.py for their names).
bench: $(STAMP) wrk
	$(BIN)/python -m bench.run

# Scale-out figures (PostgreSQL, 1/2/4 server processes, 1/2/4 workers; needs wrk): minutes of
# full CPU. BENCH_SCALE_ARGS=--quick is a smoke run; --out FILE keeps the report.
bench-scale: $(STAMP) wrk
	$(BIN)/python -m bench.scale $(BENCH_SCALE_ARGS)

wrk:
	@command -v wrk >/dev/null || { \
	  echo "installing Debian's wrk for the benchmarks"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) \
	    || { echo "could not install wrk: the benchmarks need it" >&2; exit 1; }; }

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis leadrail.db*
