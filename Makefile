# leadrail: `make run` serves the demo, `make test` runs every check. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint types imports unit bench clean install browser

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/leadrail migrate
	$(BIN)/leadrail apply -f examples/demo.yaml
	@pw=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(12))'); \
	  echo "$$pw" | $(BIN)/leadrail user create admin@acme.test --name "Demo Admin" --admin --password-stdin; \
	  echo "Dashboard: http://$(HOST):$(PORT)/login  as admin@acme.test, password $$pw"
	@echo "API token for the demo (Authorization: Bearer ...):"
	@$(BIN)/leadrail token create --email admin@acme.test --name "make run"
	@echo "Serving http://$(HOST):$(PORT)  (API docs at /docs)"
	$(BIN)/leadrail serve --host $(HOST) --port $(PORT)

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

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis leadrail.db*
