# CareBridge: `make run` to try it, `make test` to check it.
# HOST, PORT, CAREBRIDGE_HOME and DATABASE_URL are read from the environment (see .env.example).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HOST ?= 127.0.0.1
export PORT ?= 8000
export CAREBRIDGE_HOME ?= $(CURDIR)/var
CAREBRIDGE_DEMO ?= 1
DEMO_LOGINS := $(CAREBRIDGE_HOME)/demo-logins.json

.PHONY: run serve demo test test-browser bench lint format install migrate worker clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/carebridge migrate --noinput -v0

# The demo clinic is built once: its logins file marks that it exists.
demo: migrate
	@case "$(CAREBRIDGE_DEMO)" in \
	  0|false|no|off) echo "CAREBRIDGE_DEMO=$(CAREBRIDGE_DEMO): no demo clinic." ;; \
	  *) if [ ! -f "$(DEMO_LOGINS)" ]; then \
	       echo "First run: building the demo clinic (a minute or two)..."; \
	       $(BIN)/carebridge seed_demo; \
	     fi ;; \
	esac

run: demo
	$(BIN)/carebridge serve

serve: migrate
	$(BIN)/carebridge serve

worker: migrate
	$(BIN)/carebridge worker

# pytest exits 5 when it collected nothing; a suite that ran no test is a failure here.
test: install
	@$(BIN)/pytest -n auto --dist loadgroup -q $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

test-browser: install
	$(MAKE) test PYTEST_ARGS="-m browser $(PYTEST_ARGS)"

bench: migrate
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/carebridge makemigrations --check --dry-run -v0
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var
