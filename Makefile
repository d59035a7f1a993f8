# Two commands: `make site` builds the example knowledge base, `make test` runs every test.
# Both create .venv and install what they need on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
TESTDEPS := $(VENV)/.test-installed

# "Today" is the current UTC date unless SOURCE_DATE_EPOCH is set (then every timestamp
# comes from it, and the same input gives a byte-identical site); the tests set it themselves.

# Material prints an end-of-life banner on every build; it is not about our content.
export NO_MKDOCS_2_WARNING := 1

.PHONY: site serve test lint validate bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[site]'
	touch $@

$(TESTDEPS): pyproject.toml $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[site,test]'
	touch $@

validate: $(RUNTIME)
	$(BIN)/incident-kb validate --strict

# Validate, then build into a temporary folder and swap it in only on success: a failed
# build leaves the last good site/ in place.
site: validate
	$(BIN)/incident-kb build --site-dir site

serve: validate
	$(BIN)/mkdocs serve

lint: $(TESTDEPS)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench
	$(BIN)/mypy

test: $(TESTDEPS)
	$(MAKE) --no-print-directory lint
	$(BIN)/pytest

# Scale benchmark: 1,000, 5,000 and 10,000 generated postmortems (BENCH_SIZES="1000" for a
# quick run); writes bench/results.json and the tables in bench/README.md. Needs Chromium.
BENCH_SIZES ?= 1000 5000 10000
bench: $(TESTDEPS)
	BENCH_SIZES="$(BENCH_SIZES)" $(BIN)/python bench/run.py

clean:
	rm -rf site .pytest_cache .mypy_cache .ruff_cache
