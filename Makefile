# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test test-postgres lint format translations-extract translations-update \
        translations-compile db-upgrade demo bench clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

translations-compile: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d translations --statistics 2>&1 | tail -n 1

db-upgrade: $(STAMP)
	LMS_ENV=$${LMS_ENV:-development} $(FLASK) db upgrade

demo: db-upgrade
	LMS_ENV=$${LMS_ENV:-development} $(FLASK) demo load

# Starts the portal with the demo data on SQLite at http://127.0.0.1:5000
run: translations-compile demo
	LMS_ENV=$${LMS_ENV:-development} LMS_SECURE_COOKIES=0 $(FLASK) run --host $(HOST) --port $(PORT)

# The whole test suite (browser tests are skipped, with a message, when chromium is missing)
test: translations-compile
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 -q

test-postgres: translations-compile
	LMS_TEST_DATABASE_URL=$${LMS_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(BIN)/pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

translations-extract: $(STAMP)
	$(FLASK) translations extract

translations-update: translations-extract
	$(FLASK) translations update

clean:
	rm -rf $(VENV) instance .pytest_cache
