# One command sets up and runs the app, one sets up and runs the tests (see README).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
# torch first, pinned, so pip takes the CPU build (a local wheel where one is provided)
# and never resolves the multi-gigabyte CUDA build as a dependency of sentence-transformers.
TORCH  ?= torch==2.13.0
WHEELS := $(wildcard /opt/wheels)
PIP_FIND = $(if $(WHEELS),--find-links $(WHEELS),--index-url https://download.pytorch.org/whl/cpu --extra-index-url https://pypi.org/simple)
STAMP   = $(VENV)/.installed

.PHONY: run test lint bench clean screenshot package

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(PIP_FIND) "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@if $(BIN)/python -m pip list 2>/dev/null | grep -qi '^nvidia'; then \
		echo "CUDA packages were pulled in; remove $(VENV) and install $(TORCH) (CPU) first" >&2; exit 1; fi
	touch $(STAMP)

run: $(STAMP)            ## set up, then open the desktop app
	$(BIN)/desktop-search

test: $(STAMP)           ## set up, then lint, check the core/GUI boundary and run every test
	$(BIN)/ruff check desktop_search tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy desktop_search/core
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

bench: $(STAMP)          ## quality, throughput and latency benchmarks (slow)
	$(BIN)/python -m benchmarks.quality
	$(BIN)/python -m benchmarks.throughput
	$(BIN)/python -m benchmarks.latency

screenshot: $(STAMP)     ## retake docs/screenshot.png under Xvfb
	$(BIN)/python scripts/screenshot.py

package:                 ## build the one-folder app and smoke-test it (slow)
	bash packaging/build.sh

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .mypy_cache
