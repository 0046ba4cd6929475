# The two commands that matter: `make run` and `make test`. Both set up from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench demo preview setup clean content-check lock

# Development installs everything (requirements-dev.lock: runtime, the demo's simcord, test and
# lint tools). A server needs only requirements.lock: README, "Two installs".
$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

## Run the bot. Without DISCORD_TOKEN (in the environment or .env) it plays the offline demo.
run: $(STAMP)
	$(BIN)/resilience-bot run

demo: $(STAMP)
	$(BIN)/resilience-bot demo

## The demo's simulated group as a page in your browser (simcord's preview), until Ctrl-C.
## PORT=8765 pins the port (default: a free one, printed).
preview: $(STAMP)
	$(BIN)/resilience-bot preview $(if $(PORT),--port $(PORT))

## Lint, type check, then every test.
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check bot cogs tests benchmarks
	$(BIN)/ruff format --check bot cogs tests benchmarks
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

## Tests run in parallel, one worker per core (pytest-xdist); WORKERS=0 runs them in one process.
WORKERS ?= auto
unit: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(WORKERS)

content-check: $(STAMP)
	$(BIN)/resilience-bot content check

bench: $(STAMP)
	$(BIN)/python -m benchmarks

## Re-pin both locks from pyproject.toml, hashes included; pins already there move only when they must.
LOCK := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" --quiet
lock: $(STAMP)
	$(LOCK) -o requirements.lock
	$(LOCK) --extra demo --extra dev -c requirements.lock -o requirements-dev.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
