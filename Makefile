# Two commands: `make run` and `make test`. Both set up .venv on a fresh machine and are cheap the second time.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck index eval bench clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/assistant index
	$(BIN)/assistant serve --host $(HOST) --port $(PORT)

index: $(STAMP)
	$(BIN)/assistant index

lint: $(STAMP)
	$(BIN)/ruff check assistant tests bench
	$(BIN)/ruff format --check assistant tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/assistant eval

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data
