# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test lint format lock bench clean

# `bench` (Polars) is installed too: tests/test_compare_bench.py keeps the hand-written
# pandas/Polars/SQL versions of the benchmark in step with the catalog, in CI as well.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev,bench]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/callkpi demo

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# Re-resolve the pinned versions (needs network to PyPI); commit requirements.lock after.
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile --python-version 3.11 --extra dev --extra bench pyproject.toml -o requirements.lock

bench: $(STAMP)
	$(BIN)/python bench/kpi_bench.py
	$(BIN)/python bench/compare_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache callkpi-demo.duckdb
