# Vigie — the two commands: `make run` (portal on demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install browser lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 ou plus est requis") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the portal on the embedded SQLite database with the demo portfolio.
## The port is Streamlit's: STREAMLIT_SERVER_PORT (default 8501).
run: install
	$(BIN)/vigie init
	$(BIN)/vigie seed-demo --if-empty
	$(BIN)/vigie run

## Install what the tests need, then run them all.
test: install browser
	$(BIN)/python -m pytest

## Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installation de Chromium (apt-get)…"; \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Chromium absent et non installable ici : les tests navigateur seront sautés."; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## The benchmarks' own tests (left out of `make test`), then the figures.
bench: install
	$(BIN)/python -m pytest -m bench -q
	$(BIN)/vigie bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
