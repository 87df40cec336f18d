# The README's two commands: `make run` and `make test`. Both install what is missing first. `make check` is the
# loop between two edits: lint, the import contracts and every in-process test, in under a minute.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run check test test-suites lint bench lock clean js-deps system-deps screenshots

install: $(STAMP)

# Exact versions come from requirements.lock, so a fresh machine gets what the tests ran with.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: install
	$(BIN)/lsnotify serve

LINTED := src tests $(wildcard bench)

# The architecture's import rules are the [tool.importlinter] contracts in pyproject.toml.
lint: install
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy
	$(BIN)/lint-imports

# Unit tests, the store contract on SQLite and the in-process API (the ASGI app with an injected clock): the tests
# marked `process` (servers, CLIs, nested pytest) or `postgres` are left to `make test` (see tests/conftest.py).
check: lint
	$(BIN)/python -m pytest -q -m "not process and not postgres"

# Everything, beside a throwaway PostgreSQL server (scripts/test-postgres): the whole suite, with the store contract
# and the several-nodes suite on PostgreSQL and the end-to-end servers on SQLite, in parallel processes (each
# pytest-xdist worker has its own servers, data directories and databases); then, with the servers on PostgreSQL,
# the tests marked `backend` (restarts, kill -9, several workers and evaluators on one store); the wire suites do
# not depend on the backend, so they run once. Then the tests marked `alone` (the bench smoke), by themselves. Most
# tests wait on processes, so there are more workers than CPUs.
TEST_WORKERS ?= 4

test: system-deps lint js-deps
	scripts/test-postgres $(MAKE) --no-print-directory test-suites

test-suites:
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal -m "not alone"
	LSNOTIFY_TEST_BACKEND=postgres $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal -m backend
	$(BIN)/python -m pytest -m alone

# Node.js, PostgreSQL and curl from Debian's packages, installed when missing (as root) or named (otherwise).
system-deps:
	scripts/system-deps

# clients: the npm packages of the JavaScript SDK tests (tests/js), installed exactly as locked when missing or
# older than package-lock.json. npm writes node_modules/.package-lock.json on every install: it is the stamp.
JS_DIR   := tests/js
JS_STAMP := $(JS_DIR)/node_modules/.package-lock.json

js-deps: $(JS_STAMP)

$(JS_STAMP): $(JS_DIR)/package.json $(JS_DIR)/package-lock.json
	cd $(JS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# performance (bench/): `make bench` adds the bench extra (requirements-bench.lock: matplotlib for the chart,
# py-spy and pyinstrument for profiling) and wrk, Debian's HTTP load generator; BENCH_ARGS go to `python -m bench`.
BENCH_STAMP := $(VENV)/.bench-stamp

$(BENCH_STAMP): $(STAMP) requirements-bench.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.lock
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk; } \
		|| { echo "make bench needs wrk: install it with 'sudo apt-get install wrk' (Debian/Ubuntu)" >&2; exit 1; }
	# beside a durable throwaway PostgreSQL on the servers' CPU (bench's default: the first)
	scripts/test-postgres --durable --cpus $$($(BIN)/python -c 'import os; print(min(os.sched_getaffinity(0)))') \
		$(BIN)/python -m bench $(BENCH_ARGS)

# The README's pictures of the web console (docs/console/*.png), taken in Chromium by tests/browser/screenshots.py.
screenshots: install system-deps
	PYTHONPATH=tests:tests/browser $(BIN)/python -m screenshots docs/console

# Re-resolve the newest versions of the dependencies into requirements.lock (run by hand, then commit).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	.lock-venv/bin/python -m pip freeze --exclude-editable --exclude lsnotify > requirements.lock
	# performance (bench/): what the bench extra adds, pinned the same way
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	.lock-venv/bin/python -m pip freeze --exclude-editable --exclude lsnotify | grep -vxFf requirements.lock \
		> requirements-bench.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache .coverage $(JS_DIR)/node_modules
