# diffprog — the two commands a person needs are `make tutorial` and `make test`.
# Everything is installed into .venv (made with $(PYTHON) when missing).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
T      ?=
PYTEST_ARGS ?=

.PHONY: help tutorial docs check-site test lint sync bench clean

help:
	@echo "make tutorial [T=02]  execute the tutorials (what changed; or one) and build the site in build/site/"
	@echo "make docs [T=02]      the same (an alias)"
	@echo "make check-site       open the built site in headless Chromium and check every page"
	@echo "make test             install the test extra and run the whole suite (tutorials included)"
	@echo "make lint             ruff check + format check, and mypy on the packages"
	@echo "make sync             regenerate tutorials/*.ipynb from their .md text twins"
	@echo "make bench [QUICK=1]  benchmarks against plain jax, numpy, numdifftools, PyTorch, TensorFlow"
	@echo "make clean            remove build/ and caches (keeps .venv)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamp files: reinstall when pyproject.toml changes.
# The `compare` extra (PyTorch + TensorFlow CPU builds, for tutorial 08 and tests/test_compare.py)
# is asked for always; its environment markers make it install on Python 3.11 only (about 2.2 GB,
# 1-2 minutes); on Python >= 3.12 it installs nothing and those tests skip with the reason printed.
$(VENV)/.tutorials: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[tutorials,compare]"
	@touch $@

$(VENV)/.test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test,compare]"
	@touch $@ $(VENV)/.tutorials

# Executes the tutorials whose code changed (jupyter-cache in build/jupyter_cache), then Sphinx.
tutorial: $(VENV)/.tutorials
	$(PY) tutorials/book.py build $(if $(T),--only $(T))

docs: tutorial

# Open the built site in headless Chromium (Debian's chromium) and check every page.
check-site: $(VENV)/.test
	$(PY) tutorials/check_site.py build/site $(if $(T),--only $(T))

test: $(VENV)/.test
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test
	$(PY) -m ruff check diffprog diffprog_course tests tutorials benchmarks docs
	$(PY) -m ruff format --check diffprog diffprog_course tests tutorials benchmarks docs
	$(PY) -m mypy

$(VENV)/.bench: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[bench,compare]"
	@touch $@

bench: $(VENV)/.bench
	$(PY) benchmarks/run.py $(if $(QUICK),--quick)

sync: $(VENV)/.tutorials
	$(PY) tutorials/book.py sync

clean:
	rm -rf build .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +
