# Every target works from a fresh clone with nothing but Python 3.10+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: demo test test-fast lint bench bench-full clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py

test: $(STAMP)
	AHPO_TEST_POSTGRES_URL="$${AHPO_TEST_POSTGRES_URL:-$(PG_URL)}" $(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples

BENCH_OUT := benchmarks/results
QUALITY_OPTIMIZERS := ahpo-random,ahpo-tpe,optuna-random,optuna-tpe,hyperopt-tpe

$(VENV)/.bench: pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	touch $(VENV)/.bench

# Overhead (with and without pruning), then sampler quality on the synthetic problems (a few minutes on 2 cores);
# bench-full adds the ML tasks (about 30 minutes). Reports go to $(BENCH_OUT)/.
bench: $(VENV)/.bench
	mkdir -p $(BENCH_OUT)
	$(BIN)/python benchmarks/overhead.py --output $(BENCH_OUT)/overhead.md
	$(BIN)/python -m benchmarks.pruner_overhead --output $(BENCH_OUT)/pruner_overhead.md
	$(BIN)/python -m benchmarks.quality --budget 100 --seeds 10 --problems all,-tag:ml \
		--optimizers $(QUALITY_OPTIMIZERS) --jobs 2 --json $(BENCH_OUT)/quality.json.gz \
		--output $(BENCH_OUT)/quality.md --plot $(BENCH_OUT)/quality.png

bench-full: $(VENV)/.bench
	mkdir -p $(BENCH_OUT)
	$(BIN)/python -m benchmarks.quality --budget 100 --seeds 10 --problems all \
		--optimizers $(QUALITY_OPTIMIZERS),optuna-tpe-mv --jobs 2 \
		--json $(BENCH_OUT)/quality-full.json.gz \
		--output $(BENCH_OUT)/quality-full.md --plot $(BENCH_OUT)/quality-full.png
	$(BIN)/python benchmarks/sklearn/run.py

clean:
	rm -rf $(VENV) .pytest_cache build src/*.egg-info
