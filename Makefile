# The README's two commands: `make run` and `make test`. Both install what is missing first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test lint bench lock clean

install: $(STAMP)

# Exact versions come from requirements.lock, so a fresh machine gets what the tests ran with.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: install
	$(BIN)/lsnotify serve

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

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
	$(BIN)/python -m bench $(BENCH_ARGS)

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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
