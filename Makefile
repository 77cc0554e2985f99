# The two set-up commands. Each creates .venv when it is missing and installs what it needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

CHROMIUM := /usr/bin/chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	$(BIN)/python -c "from descentlab.training.kernels import compile_kernels; compile_kernels()"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -c "from descentlab.training.kernels import compile_kernels; compile_kernels()"
	touch $@ $(VENV)/.installed-demo

demo: $(VENV)/.installed-demo
	$(BIN)/descentlab demo

# Debian's Chromium for the playground's browser tests (Playwright cannot download browsers here): only when
# /usr/bin/chromium is missing; apt-get update first (a stale list has an old build or a dead link);
# --no-install-recommends (about 20 packages instead of 108).
$(CHROMIUM):
	@if [ "$$(id -u)" -ne 0 ]; then echo "make test: need root to apt-get install chromium (the browser tests)" >&2; exit 1; fi
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
	@test -x $@

test: $(VENV)/.installed-test | $(CHROMIUM)
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build src/*.egg-info
