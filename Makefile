# dangjian: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres test-browser install seed bench messages clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit("dangjian needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@mkdir -p var
	$(BIN)/dangjian migrate --noinput -v 0
	$(BIN)/dangjian seed --preset demo --if-empty
	$(BIN)/dangjian runserver --insecure 127.0.0.1:$(PORT)

seed: $(STAMP)
	$(BIN)/dangjian seed --preset $(or $(PRESET),demo)

# SQLite always; PostgreSQL again when DATABASE_URL points at it; browser tests when
# Chromium is installed. What is skipped is said plainly.
test: $(STAMP)
	@bash scripts/test.sh

bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

messages: $(STAMP)
	$(BIN)/python scripts/messages.py $(if $(ENGLISH),--english $(ENGLISH))

clean:
	rm -rf $(VENV) var/test-*
