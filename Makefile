# One command sets up and runs the app, one sets up and runs the tests (see README).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
# torch first, pinned, so pip takes the CPU build (a local wheel where one is provided)
# and never resolves the multi-gigabyte CUDA build as a dependency of sentence-transformers.
TORCH  ?= torch==2.13.0
WHEELS := $(wildcard /opt/wheels)
# torch alone comes from the PyTorch CPU wheel index (or a local wheel folder); everything else
# from pip's configured index.
PIP_FIND = $(if $(WHEELS),--find-links $(WHEELS),--index-url https://download.pytorch.org/whl/cpu)
STAMP   = $(VENV)/.installed
# The core's tests also run in a second environment without PySide6: proof that the core needs
# no Qt (the import-linter contracts check the imports; this checks what actually runs).
HEADLESS ?= .venv-headless
HEADLESS_STAMP = $(HEADLESS)/.installed

.PHONY: run test test-headless lint bench clean screenshot package

# $(1): the environment's folder. torch first, pinned, so the CPU build is what gets installed.
define make_venv
	test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --upgrade pip
	$(1)/bin/python -m pip install --quiet $(PIP_FIND) "$(TORCH)"
	$(1)/bin/python -m pip install --quiet -e ".[test]"
	@if $(1)/bin/python -m pip list 2>/dev/null | grep -qi '^nvidia'; then \
		echo "CUDA packages were pulled in; remove $(1) and install $(TORCH) (CPU) first" >&2; exit 1; fi
endef

$(STAMP): pyproject.toml
	$(call make_venv,$(VENV))
	touch $(STAMP)

$(HEADLESS_STAMP): pyproject.toml
	$(call make_venv,$(HEADLESS))
	$(HEADLESS)/bin/python -m pip uninstall --quiet --yes pyside6-essentials shiboken6 pytest-qt
	@if $(HEADLESS)/bin/python -c "import PySide6" 2>/dev/null; then \
		echo "PySide6 is still importable in $(HEADLESS)" >&2; exit 1; fi
	touch $(HEADLESS_STAMP)

run: $(STAMP)            ## set up, then open the desktop app
	$(BIN)/desktop-search

test: $(STAMP)           ## set up, then lint, check the core/GUI boundary and run every test
	$(BIN)/ruff check desktop_search tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy desktop_search/core
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

test-headless: $(HEADLESS_STAMP)  ## the core's tests in an environment without PySide6
	$(HEADLESS)/bin/python -m pytest tests/core

bench: $(STAMP)          ## quality, throughput and latency benchmarks (slow)
	$(BIN)/python -m benchmarks.quality
	$(BIN)/python -m benchmarks.throughput
	$(BIN)/python -m benchmarks.latency

screenshot: $(STAMP)     ## retake docs/screenshot.png under Xvfb
	$(BIN)/python scripts/screenshot.py

package:                 ## build the one-folder app and smoke-test it (slow)
	bash packaging/build.sh

clean:
	rm -rf $(VENV) $(HEADLESS) build dist .pytest_cache .ruff_cache .mypy_cache
