# Maillage — two commands: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
BENCH_LOCK := benchmarks/requirements-bench.lock
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cat $(BENCH_LOCK) 2>/dev/null | cksum | cut -d' ' -f1)
DEV_SETTINGS := DJANGO_SETTINGS_MODULE=config.settings.dev
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/0
PORT ?= 8000

.PHONY: run install admin test lint format test-postgres test-browser test-scaleout bench lock lock-bench clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 ou plus récent est requis (trouvé " + sys.version.split()[0] + ").")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

## make run: install, migrate, load the reference data and the demo (first time only), serve on 127.0.0.1:$(PORT)
run: $(STAMP)
	$(DEV_SETTINGS) $(BIN)/maillage serve --port $(PORT)

## make admin: create an administrator account for the local site (e-mail and password asked)
admin: $(STAMP)
	$(DEV_SETTINGS) $(BIN)/maillage migrate --no-input --verbosity 0
	$(DEV_SETTINGS) $(BIN)/maillage createsuperuser

## make test: linters then the whole test suite on SQLite
test: lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/djlint --check --quiet maillage
	$(BIN)/djlint --lint --quiet maillage
	$(BIN)/mypy maillage config
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test
	SECRET_KEY=check-deploy-$(shell date +%s)-not-a-real-secret-but-long-enough-for-the-check EMAIL_HOST=smtp.example.invalid \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING --settings=config.settings.prod

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/djlint --reformat --quiet maillage || true

## make test-postgres: the same suite against PostgreSQL (DATABASE_URL, default the local server)
test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(POSTGRES_URL)} $(BIN)/pytest

## make test-browser: Playwright in Debian's headless Chromium (/usr/bin/chromium)
test-browser: $(STAMP)
	$(BIN)/pytest -m browser -o addopts="--strict-markers -p no:cacheprovider" tests/browser

## make test-scaleout: two gunicorn servers and one worker against PostgreSQL and Redis
test-scaleout: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(POSTGRES_URL)} REDIS_TEST_URL=$(REDIS_TEST_URL) \
	  $(BIN)/pytest -m scaleout -o addopts="--strict-markers -p no:cacheprovider" tests/scaleout

# Benchmark-only packages (spopt and its geographic stack), wheels only, never for run/test.
$(BENCH_STAMP): $(STAMP) $(BENCH_LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
	  --only-binary :all: -r $(BENCH_LOCK)
	@rm -f $(VENV)/.bench-installed-*
	@touch $@

## make bench: speed figures written to docs/benchmarks.md (installs the bench lock first)
bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run

## make lock: re-resolve requirements.lock from pyproject.toml (needs the registry)
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --extra dev --generate-hashes --allow-unsafe --strip-extras \
	  --output-file requirements.lock pyproject.toml

## make lock-bench: re-resolve the bench lock, constrained by requirements.lock
lock-bench: $(STAMP)
	cd benchmarks && ../$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --output-file requirements-bench.lock requirements-bench.in

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
