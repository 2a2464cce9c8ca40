# Kota Pintar: everyday commands. Needs only Python 3.11+ and make; everything else goes into .venv.
#
#   make run     platform with demo data at http://127.0.0.1:8000 (PORT=8080 make run to change it)
#   make test    test suite (SQLite; DATABASE_URL=postgres://... make test for PostgreSQL)
#   make lint    ruff
#   make bench   benchmarks (print figures)
#   make clean   remove .venv and caches (keeps the data in var/); make distclean removes var/ too

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

# The platform's data (SQLite database, documents) for `make run`: kept between runs.
DATA_DIR := $(CURDIR)/var

.DEFAULT_GOAL := help
.PHONY: help run test lint bench clean distclean

help:
	@echo "make run        start Kota Pintar with demo data at http://127.0.0.1:$${PORT:-8000}/ (PORT changes it)"
	@echo "make test       run the tests (PYTEST_ARGS='-k audit' passes options to pytest;"
	@echo "                DATABASE_URL=postgres://postgres@127.0.0.1:5432/kotapintar make test uses PostgreSQL)"
	@echo "make lint       ruff check"
	@echo "make bench      run the benchmarks in benchmarks/ and print their figures"
	@echo "make clean      remove .venv and caches (keeps var/, the data of make run)"
	@echo "make distclean  clean, and remove var/ too"

# The virtual environment. Its python is the marker: created once, kept afterwards.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall only when pyproject.toml is newer than the last install.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --progress-bar off -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --progress-bar off -e '.[test]'
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --progress-bar off -e '.[bench]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	KOTAPINTAR_DATA_DIR="$(DATA_DIR)" $(BIN)/kotapintar run

test: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/bench_memory.py
	$(BIN)/python benchmarks/bench_tenant_scoping.py
	$(BIN)/python benchmarks/bench_permit_pdf.py
	$(BIN)/python benchmarks/bench_permits.py
	$(BIN)/python benchmarks/bench_complaints.py --name bench_complaints_make --keep
	$(BIN)/python benchmarks/bench_complaints_open311_post.py --reuse bench_complaints_make --drop
	$(BIN)/python benchmarks/bench_exchange.py
	$(BIN)/python benchmarks/bench_make_run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis benchmarks/out
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf var
