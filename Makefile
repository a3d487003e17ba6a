# edupulse — the two commands the README leads with:
#
#   make demo   generate a sample business, ingest it into SQLite, run every capability, write a report
#   make test   everything CI checks: Rust tests, Python tests, formatting, lints
#
# Both work on a fresh machine (Rust toolchain + CPython 3.9+, nothing else): `make test` creates a
# local virtualenv in .venv, installs the Python test dependencies into it and builds the bindings
# with maturin into the same target/ directory as cargo, so the bindings reuse every dependency
# the Rust tests compiled (only crates whose features differ, such as ndarray under numpy, build
# twice, side by side, with no invalidation either way).

SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV ?= .venv
VENV_PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.edupulse-deps
# Python packages of the development venv (loose pins; see bindings/python/pyproject.toml).
PY_DEV_DEPS := "maturin>=1.9.4,<2" "pytest>=7" "numpy>=1.24" "pandas>=2.0" "polars>=1.0" \
	"mypy>=1.10" "pandas-stubs>=2.0" \
	"scikit-learn>=1.3" "pyarrow>=14" "tqdm>=4" \
	"dask[distributed]>=2024.1" "nbclient>=0.9" "ipykernel>=6" "matplotlib>=3.7" \
	"pynacl>=1.5" "rfc8785>=0.1.4" "base58>=2.1"
# maturin shares cargo's target dir (a fresh clone compiles the dependencies once, not twice).
MATURIN_TARGET_DIR ?= $(CURDIR)/target
# `dev` (the default) builds in about half the time of `release` on 2 cores; use
# `make develop MATURIN_PROFILE=release` for an optimised install in a notebook venv.
MATURIN_PROFILE ?= dev
DEMO_DIR ?= demo-out

.PHONY: help demo test venv develop test-rust test-python test-slow fmt-check clippy deps-check \
	bench-deps bench-learn

help:
	@echo "make demo     run the end-to-end demo into $(DEMO_DIR)/"
	@echo "make test     cargo test + pytest + cargo fmt --check + cargo clippy -D warnings"
	@echo "make venv     create $(VENV) with maturin, pytest, numpy, pandas, polars, mypy"
	@echo "make develop  build the Python bindings and install them into $(VENV)"
	@echo "make test-slow  the slow-marked Python tests (Airflow, Dask cluster)"
	@echo "make bench-learn  edupulse-learn against linfa, scikit-learn and LightGBM (docs/benchmarks.md)"

demo:
	cargo run --release -p edupulse-cli -- demo --dir $(DEMO_DIR)

test: fmt-check clippy test-rust test-python deps-check

venv: $(VENV_STAMP)

$(VENV_STAMP): Makefile
	test -x $(VENV_PY) || $(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --upgrade pip
	$(VENV_PY) -m pip install --quiet $(PY_DEV_DEPS)
	touch $@

develop: venv
	VIRTUAL_ENV=$(abspath $(VENV)) CARGO_TARGET_DIR=$(MATURIN_TARGET_DIR) \
		$(VENV)/bin/maturin develop --quiet --profile $(MATURIN_PROFILE) \
		--manifest-path bindings/python/Cargo.toml

# The PostgreSQL tests run against a throw-away server on loopback that scripts/with-postgres.sh
# installs (Debian package, if missing), starts in a temp dir and stops afterwards. The report's
# browser test (crates/edupulse-report/tests/browser.rs) opens the demo report in headless
# Chromium, which scripts/with-chromium.sh installs (Debian package `chromium`) when missing.
test-rust:
	scripts/with-postgres.sh scripts/with-chromium.sh cargo test --workspace --exclude edupulse-python
	cargo test -p edupulse-learn --features linfa
	CARGO_TARGET_DIR=$(CURDIR)/target cargo run --quiet --manifest-path examples/linfa-consumer/Cargo.toml

# pytest, then mypy's stubtest: the .pyi stubs must match what the package really exports.
test-python: develop
	scripts/with-postgres.sh $(VENV_PY) -m pytest bindings/python/tests -q
	MYPY_CACHE_DIR=$(CURDIR)/target/mypy-cache $(VENV_PY) -m mypy.stubtest edupulse

# Tests marked slow (real `airflow dags test`, Dask LocalCluster at scale): optional tools are
# used when installed, and skipped otherwise.
test-slow: develop
	$(VENV_PY) -m pytest bindings/python/tests -q -m slow

fmt-check:
	cargo fmt --all -- --check

clippy:
	cargo clippy --workspace --all-targets -- -D warnings

# DEPENDENCIES.md: linfa needs ndarray 0.16; a second ndarray version in the graph means the
# lock pin was lost (`cargo update -p ndarray@0.17.2 --precise 0.16.1` restores it).
deps-check:
	@tree="$$(cargo tree --workspace -d -e normal --prefix none 2>/dev/null)" || { echo "error: cargo tree failed"; exit 1; }; \
	dups="$$(grep '^ndarray ' <<<"$$tree" | sort -u || true)"; \
	if [ -n "$$dups" ]; then echo "error: more than one ndarray version in the graph:"; echo "$$dups"; exit 1; fi; \
	echo "deps-check: at most one ndarray version in the graph"

# Peers of the learning engine (scripts/bench_learn.py): their own small venv, so LightGBM stays out
# of `make test`'s dependencies; the edupulse side is a Rust example (no bindings needed).
BENCH_VENV ?= .venv-bench
BENCH_PY_DEPS := "numpy>=1.24" "pandas>=2.0" "scikit-learn>=1.3" "lightgbm>=4.0"

bench-deps: $(BENCH_VENV)/.edupulse-bench-deps

$(BENCH_VENV)/.edupulse-bench-deps: Makefile
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet $(BENCH_PY_DEPS)
	touch $@

bench-learn: bench-deps
	$(BENCH_VENV)/bin/python scripts/bench_learn.py
