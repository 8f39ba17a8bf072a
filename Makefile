# zoufang — two commands: `make run` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo shows the 2017 campaign in progress: "today" is pinned inside it.
export ZOUFANG_TODAY ?= 2017-06-15
export ZOUFANG_DEMO_PASSWORD ?= zoufang-demo
CHROMIUM := /usr/bin/chromium
HEADLESS_SHELL := /usr/bin/chromium-headless-shell
# Python's own bytecode cache, even where the machine's environment turns it off (PYTHONDONTWRITEBYTECODE): every
# worker and subprocess of the suite would otherwise compile the project's modules again, and pytest would rewrite
# the assertions of every test module again, a few seconds of CPU each.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: openapi run test setup static migrate demo lint typecheck migrations-check pytest collect bench browser clean

# --no-compile: pip would compile every installed package's modules (half of the install's 33 s here); Python
# compiles the ones a process imports on first use instead, into the same cache (PYTHONDONTWRITEBYTECODE is
# unexported above): 1.5 s for what `zoufang check` imports, once, then read from the cache.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-compile -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP) static migrate

# Browser libraries (the charts' ECharts) come from npm at set-up, pinned by package-lock.json; only the
# file the pages load is copied to var/vendor/, which collectstatic serves as a hashed, compressed file. The
# devDependencies are the browser tests' checkers (axe-core, the W3C's vnu.jar), read from node_modules/ and never
# served. --ignore-scripts: none of them needs one, and vnu-jar's would fetch a Java runtime from the internet.
ECHARTS := var/vendor/echarts/echarts.min.js
$(ECHARTS): package-lock.json
	@command -v npm >/dev/null || { echo "需要 Node.js 和 npm（安装图表库）"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts
	mkdir -p $(@D)
	cp node_modules/echarts/dist/echarts.min.js $@

static: $(STAMP) $(ECHARTS)
	@if compgen -G "zoufang/locale/*/LC_MESSAGES/*.po" >/dev/null; then $(BIN)/zoufang compilemessages --ignore=.venv -v0; fi
	$(BIN)/zoufang collectstatic --noinput -v0

migrate: $(STAMP)
	$(BIN)/zoufang migrate --noinput -v0

demo: setup
	$(BIN)/zoufang loaddemo --if-empty

# The web server and the task worker (docs/jobs.md) start together and stop together: Ctrl-C (or either one
# exiting) stops both. Downloads of a whole town are built by the worker, not in a request, so gunicorn's
# timeout is a normal 30 s. ZOUFANG_TASKS_BACKEND=rq (with REDIS_URL) runs rq's worker instead of the database's.
TASK_WORKER = $(if $(filter rq,$(ZOUFANG_TASKS_BACKEND)),rqworker default --with-scheduler --job-class django_tasks_rq.Job,db_worker --no-reload)
run: demo
	@echo ""
	@echo "走访平台已启动：http://$(HOST):$(PORT)/"
	@$(BIN)/zoufang demoaccounts
	@$(BIN)/zoufang jobs schedule
	@trap 'trap - EXIT INT TERM; kill $$worker $$web 2>/dev/null; wait' EXIT INT TERM; \
	  $(BIN)/zoufang $(TASK_WORKER) & worker=$$!; \
	  $(BIN)/gunicorn zoufang.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --timeout 30 --access-logfile - & web=$$!; \
	  wait -n $$worker $$web

# Browser tests drive the system Chromium; install it (and a CJK font, so screenshots show
# Chinese rather than boxes; and its Chinese locale, so its own widgets — date fields, validation bubbles — read
# as on the users’ phones: zoufang/conftest.py starts it in Chinese) from Debian's packages when missing. The documents' page tests print the
# 通报 through LibreOffice and read the PDF with poppler, from the same packages; the printed tables' test prints an
# xlsx export through LibreOffice Calc, in Carlito (Calibri's metric twin) so that it lays a workbook out as Excel does.
BROWSER_PACKAGES := chromium chromium-driver chromium-headless-shell chromium-l10n fonts-noto-cjk libreoffice-writer-nogui \
  libreoffice-calc-nogui poppler-utils default-jre-headless fonts-crosextra-carlito
browser:
	@if [ ! -x $(CHROMIUM) ] || [ ! -x $(HEADLESS_SHELL) ] || [ ! -d /usr/share/fonts/opentype/noto ] || \
	    [ ! -x /usr/bin/soffice ] || [ ! -f /usr/lib/libreoffice/program/libsclo.so ] || [ ! -x /usr/bin/pdftotext ] || \
	    [ ! -f /usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf ] || \
	    [ ! -f /usr/lib/chromium/locales/zh-CN.pak ] || \
	    [ ! -x /usr/bin/java ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null; }; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check zoufang

typecheck: $(STAMP)
	$(BIN)/mypy zoufang

migrations-check: $(STAMP)
	$(BIN)/zoufang makemigrations --check --dry-run -v1

# The suite on SQLite always, and again on PostgreSQL when DATABASE_URL is set; on every core (pytest-xdist,
# one test database per worker). --dist load hands tests out by index: loadscope/loadgroup key them by
# node id, and schemathesis gives its 43 API operations one node id (all but one would not run).
# On SQLite, one worker more than the cores: the last one runs the transactional tests (live servers and the
# browser, which wait more than they compute) beside the others (zoufang/core/testlanes.py). On PostgreSQL the
# server's own work fills those waits (the cores stay busy with one worker a core), and a third worker only
# builds the module fixtures once more: one worker a core.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
PYTEST_PG_WORKERS ?= $(shell nproc)
PYTEST_OPTIONS := -q --dist load --durations=15
PYTEST := $(BIN)/pytest $(PYTEST_OPTIONS) -n $(PYTEST_WORKERS)
PYTEST_PG := $(BIN)/pytest $(PYTEST_OPTIONS) -n $(PYTEST_PG_WORKERS)
# The suite runs on the real day (tests pin the days they need): not on the demo's ZOUFANG_TODAY exported above.
# The halves run one after the other: side by side (tried in stop 21) they took as long, the cores being busy.
# The PostgreSQL half takes no screenshots: its pages are the SQLite half's (core/testwidths.py). Its browser tests
# run in Chromium's headless shell (the same Debian Chromium, without the full browser's per-frame compositing:
# decision 0017); the SQLite half's, which take the screenshots, in the full browser.
# With both halves, a test marked one_database runs in its half only (ZOUFANG_BOTH_HALVES; decision 0046); without
# DATABASE_URL the SQLite half runs every test.
define SUITE
	env -u DATABASE_URL -u ZOUFANG_TODAY ZOUFANG_BOTH_HALVES=$${DATABASE_URL:+1} $(PYTEST)
	@if [ -n "$$DATABASE_URL" ]; then echo "== PostgreSQL: $$DATABASE_URL"; env -u ZOUFANG_TODAY ZOUFANG_BOTH_HALVES=1 ZOUFANG_NO_SHOTS=1 ZOUFANG_CHROMIUM=$(HEADLESS_SHELL) $(PYTEST_PG); fi
endef
pytest: $(STAMP) static browser
	$(SUITE)

# The checks and the set-up the suite needs run side by side (each mostly one core, or waiting on the disk or
# the network), each target's output kept together (-Otarget); then the suite. `collect` fills Python's bytecode
# cache and pytest's cache of rewritten test modules once, beside the checks: the suite's first workers would
# otherwise each compile the same modules at once, on the cores the tests need.
test: $(STAMP)
	@$(MAKE) --no-print-directory -j4 -Otarget lint typecheck migrations-check static browser collect
	$(SUITE)

collect: $(STAMP)
	@out=$$(env -u DATABASE_URL $(BIN)/pytest --collect-only -q -p no:cacheprovider 2>&1) || { echo "$$out" | tail -40; exit 1; }; echo "$$out" | tail -1

# The committed OpenAPI document; a test fails when the API changes without it.
openapi: $(STAMP)
	$(BIN)/zoufang openapi

bench: setup
	$(BIN)/python -m zoufang.bench
	$(BIN)/python -m zoufang.planning.bench
	$(BIN)/zoufang integrity simulate
	$(BIN)/python -m zoufang.oversight.bench
	$(BIN)/python -m zoufang.pagebench
	$(BIN)/python -m zoufang.ratings.bench
	$(BIN)/python -m zoufang.visits.loadbench
	$(BIN)/python -m zoufang.exportbench

clean:
	rm -rf $(VENV) var node_modules
