# Helpline: `make run` to try it, `make test` to check it.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
HELPLINE := $(VENV)/bin/helpline
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
PYTEST := $(VENV)/bin/pytest

.PHONY: run install test test-sqlite test-postgres test-redis test-browser lint bench clean messages

$(VENV)/.installed: pyproject.toml uv.lock
	test -x $(PY) || python3 -m venv $(VENV)
	test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check 'uv==0.13.9'
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --quiet
	touch $@

install: $(VENV)/.installed messages

messages: $(VENV)/.installed
	@if ls src/helpline/locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then \
		cd src/helpline && HELPLINE_DEV=true ../../$(HELPLINE) compilemessages -v0 --ignore=.venv; fi

run: install
	HELPLINE_DEV=true $(HELPLINE) run

lint: install
	$(VENV)/bin/ruff check src tests bench
	HELPLINE_DEV=true $(HELPLINE) check
	HELPLINE_DEV=true $(HELPLINE) makemigrations --check --dry-run -v0

test: install lint test-sqlite test-postgres test-redis

test-sqlite: install
	DATABASE_URL=sqlite:///var/test.sqlite3 $(PYTEST) -m "not redis"

test-postgres: install
	DATABASE_URL=$(PG_URL) $(PYTEST) -m "not redis and not browser"

test-redis: install
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(PYTEST) -m redis

# Each bench/NAME.py prints JSON, kept in var/bench/NAME.json; bench/_*.py are helpers.
bench: install
	@mkdir -p var/bench; for script in bench/[!_]*.py; do name=$$(basename $$script .py); \
		echo "== $$script" >&2; $(PY) $$script > var/bench/$$name.json || exit 1; \
		cat var/bench/$$name.json; done

clean:
	rm -rf $(VENV) var
