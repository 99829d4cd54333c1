# Two commands: `make demo` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
export ALCABALA_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: demo test lint format bench install clean chromium

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "alcabala needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/alcabala demo seed --if-empty
	@test -f log_key || $(BIN)/alcabala keys generate  # the log's signing key, mode 0600
	@echo "Web console: http://$(HOST):$(PORT)/   API docs: http://$(HOST):$(PORT)/docs"
	@echo "Demo users, all with the password alcabala-demo:"
	@echo "  oficial (officer, GNB)  registro (registrar, CICPC)  ganaderia (livestock, INSAI)"
	@echo "  supervisor (supervisor, GNB)  auditor (auditor)  admin (admin)  tribunal (court, TSJ-GUA)"
	@echo "  defensoria (oversight, DDP: complaints)"
	$(BIN)/alcabala serve --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium through Playwright (no browser download).
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else echo "warning: /usr/bin/chromium is missing and we are not root: browser tests will be skipped"; fi

# Two workers (the machine has two cores) and the coverage gate (fail_under in pyproject.toml).
TEST_WORKERS ?= 2
test: install chromium
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --cov --cov-report=term $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) || echo "could not install wrk: bench_http.py will fail"
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
