# The README's two commands: `make run` and `make test`. Both install what is missing first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test test-suites lint bench lock clean js-deps

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

lint: install
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

# postgres (issue 5): the tests run beside a throwaway PostgreSQL server (scripts/test-postgres): the whole suite,
# with the store contract on both backends, then the end-to-end suite again with its servers on PostgreSQL.
test: lint js-deps
	scripts/test-postgres $(MAKE) --no-print-directory test-suites

test-suites:
	$(BIN)/python -m pytest
	LSNOTIFY_TEST_BACKEND=postgres $(BIN)/python -m pytest tests/e2e

# clients: the npm packages of the JavaScript SDK tests (tests/js), installed exactly as locked when missing or
# older than package-lock.json. npm writes node_modules/.package-lock.json on every install: it is the stamp.
JS_DIR   := tests/js
JS_STAMP := $(JS_DIR)/node_modules/.package-lock.json

js-deps: $(JS_STAMP)

$(JS_STAMP): $(JS_DIR)/package.json $(JS_DIR)/package-lock.json
	cd $(JS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

bench: install
	$(BIN)/python -m bench

# Re-resolve the newest versions of the dependencies into requirements.lock (run by hand, then commit).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	.lock-venv/bin/python -m pip freeze --exclude-editable --exclude lsnotify > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis $(JS_DIR)/node_modules
