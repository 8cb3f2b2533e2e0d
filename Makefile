# The project's entry points. `make run` and `make test` do every set-up step that is
# missing (system packages when root, a Python venv with its tools, the builds), so
# both work on a fresh clone with only Rust, Python 3 and apt.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
CARGO ?= cargo
# Rust crates whose tests run with `cargo test`. The Python extension crates and their
# pyo3 glue have no Rust tests (pytest tests them): left out, they are compiled only
# once, by maturin's release build. `mpi` stays on, as the extension builds the core.
RUST_TEST_FLAGS := --workspace --exclude legate-python --exclude legate-sparse-python \
	--exclude legate-hello-python --exclude legate-python-abi --features legate-core/mpi
EXAMPLE_N ?= 2000000

.PHONY: dist run run-rust test test-rust test-python test-template test-ranks test-fuzz test-soak fuzz soak build build-python bench bench-numeric bench-scale venv sysdeps clean

# The main example: Black-Scholes on legate_numeric, then the same on NumPy.
run: build-python
	LEGATE_CONFIG="$${LEGATE_CONFIG:---cpus $$(nproc)}" $(VPY) examples/black_scholes.py --package legate
	$(VPY) examples/black_scholes.py --package numpy

# The Rust template library's example.
run-rust: build
	$(CARGO) run --release -q -p legate-hello --example variance -- $(EXAMPLE_N)

test: test-rust test-python test-template test-ranks test-fuzz test-soak

test-rust: sysdeps
	$(CARGO) test $(RUST_TEST_FLAGS) 2>&1 | tee target/rust-test.log; test $${PIPESTATUS[0]} -eq 0

# Python tests: the driver, Jupyter and examples once; legate_numeric against NumPy
# under 1, 2 and 4 processors (LEGATE_TEST=1 splits even tiny arrays), then once with
# the default chunk size (small arrays run as one inline task, the common case).
test-python: build-python
	@# The driver/library/example tests, and the legate_numeric and legate_sparse suites
	@# on 1, 2 and 4 processors (numeric also at the default chunk size), two runs at a
	@# time (see tests/run_suites.py).
	$(VPY) tests/run_suites.py top:- numeric:1 numeric:2 numeric:4 numeric:2:default sparse:1 sparse:2 sparse:4

# A library as its author starts one: `legate new-library` generates it afresh (in
# target/template/mylib), it is built in a fresh venv that holds only the legate-rs wheel
# (and pytest), against the ABI sources that wheel carries (written out to a fresh cache
# directory: no path of this repository is used), and its test runs there. The paths
# are fixed and the library's Cargo.lock is the workspace's, so the compiled
# dependencies in target/template/target stay valid between runs.
TEMPLATE_DIR := target/template
test-template: build-python
	@set -e; start=$$(date +%s); tdir=$(CURDIR)/$(TEMPLATE_DIR); \
	rm -rf "$$tdir/wheels" "$$tdir/venv" "$$tdir/mylib" "$$tdir/cache"; mkdir -p "$$tdir"; \
	(cd python && $(CURDIR)/$(VENV)/bin/maturin build --release -q -i $(CURDIR)/$(VPY) --compatibility linux --auditwheel skip --compression-method stored -o "$$tdir/wheels"); \
	$(PYTHON) -m venv "$$tdir/venv"; \
	"$$tdir/venv/bin/pip" install -q "$$tdir"/wheels/legate_rs-*.whl pytest; \
	export XDG_CACHE_HOME="$$tdir/cache"; unset LEGATE_ABI_PATH; \
	"$$tdir/venv/bin/legate" new-library mylib "$$tdir/mylib"; \
	cp Cargo.lock "$$tdir/mylib/"; \
	cd "$$tdir/mylib"; \
	CARGO_TARGET_DIR="$$tdir/target" VIRTUAL_ENV="$$tdir/venv" $(CURDIR)/$(VENV)/bin/maturin develop --release -q --compression-method stored; \
	LEGATE_TEST=1 LEGATE_CONFIG="--cpus 2" "$$tdir/venv/bin/python" -m pytest -q -p no:cacheprovider tests; \
	echo "test-template: passed in $$(( $$(date +%s) - start )) s"

# The differential fuzzers (tests/python/fuzz: hypothesis against NumPy), briefly: a fixed
# seed and few examples per property (profile `ci`), split into tiny tasks, on 2 and 4
# processors. `make fuzz` runs the same properties long (FUZZ_EXAMPLES per property,
# random seeds, failures kept in .hypothesis/ and replayed first).
FUZZ_EXAMPLES ?= 1000
FUZZ_CPUS ?= 2
test-fuzz: build-python
	@# The fuzzers (profile ci) on 2 and 4 processors; random programs, view programs and
	@# fusion tests with fusion off (LEGATE_WINDOW_SIZE=1); two runs at a time.
	$(VPY) tests/run_suites.py fuzz:2:HYPOTHESIS_PROFILE=ci fuzz:4:HYPOTHESIS_PROFILE=ci \
		fuzz/test_fuzz_programs.py:2:HYPOTHESIS_PROFILE=ci,LEGATE_WINDOW_SIZE=1 \
		numeric/test_view_programs.py:2:LEGATE_WINDOW_SIZE=1 numeric/test_fusion.py:2:LEGATE_WINDOW_SIZE=1

fuzz: build-python
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_COUNTS=target/fuzz-counts.jsonl LEGATE_TEST=1 \
		LEGATE_CONFIG="--cpus $(FUZZ_CPUS)" $(VPY) -m pytest -q tests/python/fuzz

# Mixed random workloads from several threads under a small --sysmem, every result
# checked against NumPy, memory watched (tests/soak/soak.py). `make soak` runs
# SOAK_SECONDS; `make test` runs it for 20 s.
SOAK_SECONDS ?= 300
SOAK_SYSMEM ?= 256
SOAK_THREADS ?= 4
test-soak: build-python
	LEGATE_CONFIG="--cpus 2 --sysmem $(SOAK_SYSMEM)" $(VPY) tests/soak/soak.py --seconds 20 --threads $(SOAK_THREADS)

soak: build-python
	LEGATE_CONFIG="--cpus 2 --sysmem $(SOAK_SYSMEM)" $(VPY) tests/soak/soak.py --seconds $(SOAK_SECONDS) --threads $(SOAK_THREADS)

# One program on several ranks (tests/ranks): under `mpirun -n 2` and `-n 4`
# (oversubscribed), every example, a subset of the legate_numeric suite, printing once,
# random streams, divergence and rank-death reports, memory per rank. About 5 minutes on
# the 2-core VM.
# The two MPI tests of legate-core are built with test-rust's flags: `-p legate-core`
# alone would resolve num-traits, num-complex and half with fewer features (the other
# crates ask for more) and so compile legate-core and its dependencies a second time.
test-ranks: build-python
	$(VPY) -m pytest -q -p no:cacheprovider tests/ranks
	@for t in mpi_transport images_mpi; do \
		exe=$$($(CARGO) test -q $(RUST_TEST_FLAGS) --test $$t --no-run --message-format=json 2>/dev/null \
			| $(VPY) -c 'import sys, json; print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("executable")][-1])') || exit 1; \
		echo "Rust test $$t under mpirun -n 2"; \
		OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 mpirun -n 2 $$exe -q || exit 1; \
	done

build: sysdeps
	$(CARGO) build --release -p legate-hello --example variance

# The extension modules are abi3 (`*.abi3.so`): Python would import a version-specific
# build left from before (`*.cpython-311-*.so`) in their place, so those go.
build-python: sysdeps venv
	rm -f python/legate/_legate.cpython-*.so python/legate_hello/_legate_hello.cpython-*.so python/legate_sparse/_legate_sparse.cpython-*.so
	cd python && ../$(VPY) -m maturin develop --release -q --compression-method stored
	cd python-hello && ../$(VPY) -m maturin develop --release -q --compression-method stored
	cd python-sparse && ../$(VPY) -m maturin develop --release -q --compression-method stored

# Wheels of legate-rs, legate-hello and legate-sparse in dist/ for Linux x86-64, each
# for every CPython from 3.11 on (abi3; `pip install dist/*.whl`; the version is
# Cargo.toml's). They package `build-python`'s release build: the same profile,
# features and interpreter, so cargo finds nothing to compile again. They link the
# system's OpenMPI, which must match the launcher's, so it is not bundled: tagged
# linux_x86_64, no auditwheel repair.
DIST_FLAGS := --release -q --compatibility linux --auditwheel skip -i $(abspath $(VPY)) -o ../dist
dist: build-python
	cd python && ../$(VPY) -m maturin build $(DIST_FLAGS)
	cd python-hello && ../$(VPY) -m maturin build $(DIST_FLAGS)
	cd python-sparse && ../$(VPY) -m maturin build $(DIST_FLAGS)

bench: build
	$(CARGO) bench -p legate-core --bench core_overhead

bench-numeric: build-python
	LEGATE_CONFIG="$${LEGATE_CONFIG:---cpus $$(nproc)}" $(VPY) benches/numeric.py

# Stencil and dense CG on 1, 2 and 4 ranks: time, bytes moved and memory per rank.
bench-scale: build-python
	$(VPY) benches/scale.py

# A venv with the Python build and test tools (only what is missing is installed).
# The stamp is named after the tool list's version: bump it when the list changes, so
# an existing venv gets the new tools too.
VENV_STAMP := $(VENV)/.ready-4
venv: $(VENV_STAMP)
$(VENV_STAMP):
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q "maturin>=1.9,<2" pytest numpy scipy jupyter_client ipykernel hypothesis pyarrow array-api-strict jax
	touch $@

# System packages: a C compiler; OpenMPI and libclang (the Python extension is built
# with MPI: `mpi` links OpenMPI and generates its bindings with libclang); clang and
# Highway's headers (legate-numeric's 1-d sort compiles Highway's AVX-512 quicksort with
# them; without them it sorts with its own radix sort); Chromium (the
# profile page's browser test) and GraphViz (PDFs of dataflow graphs). apt installs what
# is missing when run as root; otherwise the tests that need Chromium or GraphViz are
# skipped, and a missing compiler, OpenMPI or libclang stops the build.
SYSTEM_PACKAGES := build-essential libopenmpi-dev openmpi-bin libclang-dev clang libhwy-dev chromium graphviz
sysdeps:
	@mkdir -p target
	@missing=""; \
	command -v cc >/dev/null || missing="$$missing build-essential"; \
	command -v mpicc >/dev/null || missing="$$missing libopenmpi-dev"; \
	command -v mpirun >/dev/null || missing="$$missing openmpi-bin"; \
	ls /usr/lib/llvm-*/lib/libclang.so >/dev/null 2>&1 || missing="$$missing libclang-dev"; \
	ls /usr/bin/clang++* >/dev/null 2>&1 || missing="$$missing clang"; \
	test -f /usr/include/hwy/contrib/sort/vqsort-inl.h || missing="$$missing libhwy-dev"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v dot >/dev/null || missing="$$missing graphviz"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; \
		else echo "missing system packages:$$missing (install them with apt)"; \
			command -v cc >/dev/null && command -v mpicc >/dev/null && command -v mpirun >/dev/null || exit 1; fi; \
	fi

clean:
	$(CARGO) clean
	rm -rf $(VENV)
