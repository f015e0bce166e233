# The two commands: `make run` (set up and start everything on embedded defaults) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: run test install lint typecheck migrations-check pytest migrate seed sandbox-image clean

run: install migrate seed
	@bash sandbox/build_image.sh || echo "WARNING: no sandbox image, so test runs will end 'unavailable'; start Docker, then run: make sandbox-image"
	$(MANAGE) run_platform

test: install lint typecheck migrations-check pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

migrate: install
	$(MANAGE) migrate --no-input

seed: install
	$(MANAGE) seed_demo

# The image annotators' tests run in: from sandbox/Dockerfile, or offline with debootstrap (see the script).
sandbox-image:
	bash sandbox/build_image.sh

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy .

migrations-check:
	$(MANAGE) makemigrations --check --dry-run

pytest:
	$(BIN)/pytest

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache
