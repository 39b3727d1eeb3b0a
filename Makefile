# evalconsole developer tasks. `make run` needs nothing but Python; `make test` starts
# PostgreSQL and Redis on loopback through scripts/services.sh (installing them if missing).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

PY := .venv/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: venv run services services-down test test-sqlite bench bench-rating bench-report bench-export check lock clean

venv: .venv/.installed

.venv/.installed: requirements/base.txt requirements/dev.txt
	python3 -m venv .venv
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements/base.txt -r requirements/dev.txt
	touch $@

# Embedded default: SQLite, Celery tasks in-process, demo data, dev server.
run: venv
	export DEBUG=true; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py seed_demo; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

services:
	bash scripts/services.sh up

services-down:
	bash scripts/services.sh down

# STATIC_MANIFEST=false: serve static/ directly, no collectstatic before tests (see settings).
test: venv services
	source "$$(bash scripts/services.sh env)"; \
	export SECRET_KEY=insecure-test-only-key HTTPS=false CELERY_EAGER=true STATIC_MANIFEST=false \
	       ALLOWED_HOSTS=127.0.0.1,localhost,testserver DJANGO_ALLOW_ASYNC_UNSAFE=true; \
	$(PY) -m pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-sqlite

# The embedded default (make run) runs on SQLite, where the engine takes a lease and stores a submit
# in several statements rather than one: the rating and sign-in tests run there too.
SQLITE_TESTS ?= tests/raters tests/evalconsole/test_authentication.py tests/evalconsole/test_seed_demo.py
test-sqlite: venv
	env -u DATABASE_URL -u REDIS_URL SECRET_KEY=insecure-test-only-key HTTPS=false CELERY_EAGER=true \
	    STATIC_MANIFEST=false ALLOWED_HOSTS=127.0.0.1,localhost,testserver \
	    $(PY) -m pytest -p no:cacheprovider -q $(SQLITE_TESTS)

# Speed and memory figures (bench/README.md); BENCH_ARGS="--serps 5000" for a quick run.
bench: venv services
	source "$$(bash scripts/services.sh env)"; \
	export SECRET_KEY=insecure-bench-only-key HTTPS=false CELERY_EAGER=true STATIC_MANIFEST=false \
	       ALLOWED_HOSTS=127.0.0.1,localhost; \
	$(PY) -m bench.pool_import $(BENCH_ARGS)

# Raters over HTTP against gunicorn: judgments/s and next-task latency at 8 and 50 raters.
bench-rating: venv services
	source "$$(bash scripts/services.sh env)"; \
	export SECRET_KEY=insecure-bench-only-key HTTPS=false CELERY_EAGER=true STATIC_MANIFEST=false \
	       ALLOWED_HOSTS=127.0.0.1,localhost; \
	$(PY) -m bench.rating_load $(BENCH_ARGS)

# A full report over 1,000,000 judgments / 10,000,000 ratings: wall time and worker peak RSS.
bench-report: venv services
	source "$$(bash scripts/services.sh env)"; \
	export SECRET_KEY=insecure-bench-only-key HTTPS=false CELERY_EAGER=true STATIC_MANIFEST=false \
	       ALLOWED_HOSTS=127.0.0.1,localhost; \
	$(PY) -m bench.report_build $(BENCH_ARGS)

# One client streaming the judgments CSV of 1,000,000 judgments from gunicorn: rows/s and worker RSS growth.
bench-export: venv services
	source "$$(bash scripts/services.sh env)"; \
	export SECRET_KEY=insecure-bench-only-key HTTPS=false CELERY_EAGER=true STATIC_MANIFEST=false \
	       ALLOWED_HOSTS=127.0.0.1,localhost; \
	$(PY) -m bench.export_csv $(BENCH_ARGS)

# Checks the development configuration unless the environment says otherwise.
check: venv
	DEBUG="$${DEBUG:-true}" $(PY) manage.py check

# Recompile the pinned requirements from the .in files (run inside requirements/ so the
# headers and the `-c base.txt` constraint stay relative). uv omits index URLs by default.
lock: venv
	test -x .venv/bin/uv || $(PY) -m pip install uv
	cd requirements && ../.venv/bin/uv pip compile --quiet --python-version 3.11 base.in -o base.txt
	cd requirements && ../.venv/bin/uv pip compile --quiet --python-version 3.11 dev.in -o dev.txt
	! grep -nE 'index-url|find-links|https?://|file://' requirements/base.txt requirements/dev.txt

clean:
	rm -rf .venv staticfiles
