# CareBridge: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export CAREBRIDGE_HOME ?= $(CURDIR)/var

.PHONY: run test test-browser bench lint format install migrate worker clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/carebridge migrate --noinput -v0

run: migrate
	HOST=$(HOST) PORT=$(PORT) $(BIN)/carebridge serve

worker: migrate
	$(BIN)/carebridge worker

test: install
	$(BIN)/pytest -n auto --dist loadgroup -q $(PYTEST_ARGS)

bench: migrate
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var
