# Two commands on a fresh machine with Python 3.11+:  make serve  and  make test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test lint benchmark

$(BIN)/workshop: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(BIN)/workshop

# make serve ARGS="--participant-port 9000 --support support.yaml"
serve: $(BIN)/workshop
	$(BIN)/workshop serve $(ARGS)

lint: $(BIN)/workshop
	$(BIN)/ruff check workshop tests benchmarks
	$(BIN)/ruff format --check workshop tests benchmarks
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

benchmark: $(BIN)/workshop
	$(BIN)/python benchmarks/joins.py
