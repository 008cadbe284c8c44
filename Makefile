# The two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup setup-dev run test lint check-flows goldens

setup:
	scripts/setup.sh

setup-dev:
	scripts/setup.sh --dev

run: setup  ## set up and start the service on its embedded defaults (SQLite, kiosk at /kiosk)
	$(BIN)/porte-voix serve

test: setup-dev  ## set up and run the whole test suite
	$(BIN)/python -m pytest -q

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

check-flows: setup
	$(BIN)/porte-voix flows check

goldens: setup-dev  ## after a deliberate change of the engine: rewrite tests/flows/golden/*.yml, then read the diff
	$(BIN)/python -m tests.flows.golden --update
