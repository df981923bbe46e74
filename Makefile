# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[examples]"
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,examples]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/python examples/xor.py
	$(BIN)/python examples/digits.py

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto tests

# Frameworks that are not installed (keras, torch) get "not installed" rows. Options go in
# BENCH_ARGS, e.g. make bench BENCH_ARGS="--only W1,W2 --markdown benchmarks/RESULTS.md".
bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
