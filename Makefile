# The project's entry points. `make run` and `make test` do every set-up step that is
# missing (system packages when root, a Python venv with its tools, the builds), so
# both work on a fresh clone with only Rust, Python 3 and apt.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
CARGO ?= cargo
# Rust crates whose tests run with `cargo test` (the Python extension is tested by pytest).
RUST_TEST_FLAGS := --workspace
EXAMPLE_N ?= 2000000

.PHONY: run test test-rust test-python build build-python bench setup venv sysdeps clean

run: build
	$(CARGO) run --release -q -p legate-hello --example variance -- $(EXAMPLE_N)

test: test-rust test-python

test-rust: sysdeps
	$(CARGO) test $(RUST_TEST_FLAGS) 2>&1 | tee target/rust-test.log; test $${PIPESTATUS[0]} -eq 0

# Python tests appear with the Python package (python/pyproject.toml).
test-python: build-python
	@if [ -f python/pyproject.toml ] && [ -d tests/python ]; then \
		$(VPY) -m pytest -q tests/python; \
	else echo "no Python package yet: skipping Python tests"; fi

build: sysdeps
	$(CARGO) build --release -p legate-hello --example variance

build-python: venv
	@if [ -f python/pyproject.toml ]; then \
		cd python && ../$(VPY) -m maturin develop --release -q; \
	fi

bench: build
	$(CARGO) bench -p legate-core --bench core_overhead

# A venv with the Python build and test tools (only what is missing is installed).
venv: $(VENV)/.ready
$(VENV)/.ready:
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q "maturin>=1.8,<2" pytest numpy
	touch $@

# System packages: none are needed yet beyond a C compiler; apt installs it when root.
sysdeps:
	@mkdir -p target
	@command -v cc >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q build-essential; \
		else echo "please install a C compiler (build-essential)"; exit 1; fi; }

clean:
	$(CARGO) clean
	rm -rf $(VENV)
