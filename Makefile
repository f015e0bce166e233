# The two commands: `make run` (set up and start everything on embedded defaults) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: run test install lint typecheck migrations-check pytest migrate seed sandbox-image clean mutation

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
	$(MANAGE) rerender  # rows imported before highlighting was stored, or by an older RENDER_VERSION

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

# Mutation testing of the pure-logic modules (not part of `make test`): mutmut mutates a fresh copy
# under mutants/ and runs tests/unit/ against each mutant (config: [tool.mutmut] in pyproject.toml);
# then the per-module table, benchmarks/mutation.md, and a failure if a module is below 90% killed.
MUTATION_JOBS ?= 2
mutation: install
	rm -rf mutants
	mkdir -p mutants
	DJANGO_SETTINGS_MODULE=annotation.settings $(BIN)/mutmut run --max-children $(MUTATION_JOBS) \
		> mutants/run.log 2>&1 || { tail -c 4000 mutants/run.log; exit 1; }
	$(BIN)/python benchmarks/mutation_report.py

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache mutants
