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
	bench-deps bench-learn oulad-eval gbstats-venv bench-experiments fsrs-reference bench-content \
	implicit-venv bench-community forecast-venv bench-forecast bench-feedback

help:
	@echo "make demo     run the end-to-end demo into $(DEMO_DIR)/"
	@echo "make test     cargo test + pytest + cargo fmt --check + cargo clippy -D warnings"
	@echo "make venv     create $(VENV) with maturin, pytest, numpy, pandas, polars, mypy"
	@echo "make develop  build the Python bindings and install them into $(VENV)"
	@echo "make test-slow  the slow-marked Python tests (Airflow, Dask cluster)"
	@echo "make bench-learn  edupulse-learn against linfa, scikit-learn and LightGBM (docs/benchmarks.md)"
	@echo "make oulad-eval   dropout on OULAD: the churn risk model against scikit-learn (docs/churn.md)"
	@echo "make bench-experiments  experiments vs gbstats 0.8.0: live parity + 100,000-analysis benchmark"
	@echo "make bench-feedback  Spanish sentiment vs sentiment-analysis-spanish and @nlpjs on real tweets + 1,000,000-message speed"
	@echo "make bench-content  content segmentation against NLTK TextTiling (quality and speed, same run)"
	@echo "make bench-community  recommenders against implicit 0.7 ALS / BPR / item-cosine (docs/community.md)"
	@echo "make bench-forecast  the forecaster against statsforecast AutoETS / SeasonalNaive (docs/forecast.md)"
	@echo "make fsrs-reference  FSRS-6 on random same-day sequences against py-fsrs 6.3.2, same run"

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
# EDUPULSE_CLI: the CLI binary `test-rust` built, so the Python ↔ CLI model-file test runs live
# (it skips only when the binary is absent, e.g. `make test-python` on its own on a fresh clone).
test-python: develop
	EDUPULSE_CLI="$${EDUPULSE_CLI:-$${CARGO_TARGET_DIR:-$(CURDIR)/target}/debug/edupulse}" \
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

# Dropout on OULAD (docs/churn.md): the churn risk model on the OULAD importer's tables, trained on
# 2013, scored on 2014, against scikit-learn on the same features in the same run.
OULAD_DIR ?= $(abspath $(CURDIR)/../shared/data/oulad)
oulad-eval: venv
	$(VENV_PY) scripts/oulad_eval.py $(OULAD_DIR)

# Implicit-feedback recommenders (docs/community.md): edupulse's ALS / item kNN / popularity against
# `implicit` 0.7.3 (ALS, BPR, cosine, BM25) on the same splits in the same run, on 2 threads each:
# 100k users × 10k items with planted preferences (≈1M training interactions), then OULAD
# student × assessment submissions. Its own venv (implicit wheels pin their own numpy/scipy).
IMPLICIT_VENV ?= .venv-implicit
IMPLICIT_PY_DEPS := "implicit==0.7.3" "numpy==2.4.6" "scipy==1.17.1" "pandas==3.1.1" "threadpoolctl==3.8.0"

implicit-venv: $(IMPLICIT_VENV)/.edupulse-implicit-deps

$(IMPLICIT_VENV)/.edupulse-implicit-deps: Makefile
	test -x $(IMPLICIT_VENV)/bin/python || $(PYTHON) -m venv $(IMPLICIT_VENV)
	$(IMPLICIT_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(IMPLICIT_VENV)/bin/python -m pip install --quiet $(IMPLICIT_PY_DEPS)
	touch $@

bench-community: implicit-venv
	@tgt="$${CARGO_TARGET_DIR:-$(CURDIR)/target}"; \
	cargo build --release -p edupulse-learn --example bench_implicit && \
	for d in planted oulad; do \
		$(IMPLICIT_VENV)/bin/python scripts/bench_community.py --data $$d --threads 2 \
			--edupulse-bin "$$tgt/release/examples/bench_implicit" --oulad $(OULAD_DIR) \
			--json "$$tgt/bench-community-$$d.json" || exit 1; \
	done

# GrowthBook's gbstats 0.8.0 (the reference of edupulse's experiment statistics, docs/experiments.md)
# pins numpy < 2 and pandas < 2, so it gets its own venv. `bench-experiments` regenerates a fresh
# reference fixture with gbstats (another seed than the committed one), runs the Rust parity test
# against it in the same run, then times 100,000 two-arm analyses: a gbstats loop vs edupulse.
GBSTATS_VENV ?= .venv-gbstats
GBSTATS_PY_DEPS := "gbstats==0.8.0" "numpy==1.26.4" "pandas==1.5.3"
BENCH_EXPERIMENTS_N ?= 100000

gbstats-venv: $(GBSTATS_VENV)/.edupulse-gbstats-deps

$(GBSTATS_VENV)/.edupulse-gbstats-deps: Makefile
	test -x $(GBSTATS_VENV)/bin/python || $(PYTHON) -m venv $(GBSTATS_VENV)
	$(GBSTATS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(GBSTATS_VENV)/bin/python -m pip install --quiet $(GBSTATS_PY_DEPS)
	touch $@

bench-experiments: gbstats-venv
	@tgt="$${CARGO_TARGET_DIR:-$(CURDIR)/target}"; mkdir -p "$$tgt" && \
	$(GBSTATS_VENV)/bin/python scripts/gbstats_reference.py fixture --cases 2000 --seed 4242 \
		--out "$$tgt/gbstats-live.json" && \
	EDUPULSE_GBSTATS_FIXTURE="$$tgt/gbstats-live.json" cargo test --release -p edupulse-core \
		--test gbstats_parity -- --nocapture && \
	cargo build --release -p edupulse-core --example bench_experiments && \
	$(GBSTATS_VENV)/bin/python scripts/gbstats_reference.py bench --analyses $(BENCH_EXPERIMENTS_N) \
		--tables "$$tgt/experiments-bench-tables.json" \
		--edupulse-bin "$$tgt/release/examples/bench_experiments"

# FSRS-6 against py-fsrs 6.3.2 in the same run: random rating/gap sequences with same-day reviews
# replayed by the reference (scripts/fsrs_same_day_vectors.py, its own small venv), then the Rust
# test that checks every path (scalar, scheduler, batch kernels, dual numbers) against that fresh
# file. `make test` runs the same test on the committed copy (testdata/fsrs/same_day_random.csv).
FSRS_VENV ?= .venv-fsrs
FSRS_OUT ?= $(FSRS_VENV)/same_day_random.csv

fsrs-reference:
	test -x $(FSRS_VENV)/bin/python || $(PYTHON) -m venv $(FSRS_VENV)
	$(FSRS_VENV)/bin/python -m pip install --quiet "fsrs==6.3.2"
	$(FSRS_VENV)/bin/python scripts/fsrs_same_day_vectors.py $(FSRS_OUT) 2000 $${SEED:-$$RANDOM}
	EDUPULSE_FSRS_SAME_DAY_VECTORS=$(abspath $(FSRS_OUT)) cargo test -p edupulse-core --lib \
		random_same_day_sequences_match_py_fsrs
	$(FSRS_VENV)/bin/python scripts/fsrs_same_day_vectors.py $(FSRS_VENV)/committed.csv 600 23
	cmp $(FSRS_VENV)/committed.csv crates/edupulse-core/testdata/fsrs/same_day_random.csv

# Content segmentation against NLTK's TextTiling and uts's C99 (scripts/bench_content.py): in its own small
# venv; the edupulse side is a Rust example in release mode.
CONTENT_VENV ?= .venv-bench-content

bench-content:
	test -x $(CONTENT_VENV)/bin/python || $(PYTHON) -m venv $(CONTENT_VENV)
	$(CONTENT_VENV)/bin/python -m pip install --quiet "nltk>=3.8,<4" "numpy>=1.24" setuptools wheel
	# uts 0.0.4 (C99): its setup.py imports the package, hence numpy, so no build isolation.
	$(CONTENT_VENV)/bin/python -m pip install --quiet --no-build-isolation "uts==0.0.4"
	$(CONTENT_VENV)/bin/python scripts/bench_content.py $${N:-10000} $${K:-20}

# The forecaster against statsforecast 2.1.1 AutoETS and SeasonalNaive on Prophet's Peyton Manning
# series, in the same run (docs/forecast.md): 5 rolling windows of 30 days at the end of the
# series; `make bench-forecast OFFSET=5` scores the windows 150 rows earlier (the tuning windows).
FORECAST_VENV ?= .venv-forecast
FORECAST_PY_DEPS := "statsforecast==2.1.1" "pandas>=2,<3" "numpy>=1.24,<3"
FORECAST_CSV ?= $(abspath $(CURDIR)/../shared/data/forecast/example_wp_log_peyton_manning.csv)
OFFSET ?= 0

forecast-venv: $(FORECAST_VENV)/.edupulse-forecast-deps

$(FORECAST_VENV)/.edupulse-forecast-deps: Makefile
	test -x $(FORECAST_VENV)/bin/python || $(PYTHON) -m venv $(FORECAST_VENV)
	$(FORECAST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(FORECAST_VENV)/bin/python -m pip install --quiet $(FORECAST_PY_DEPS)
	touch $@

bench-forecast: forecast-venv
	@tgt="$${CARGO_TARGET_DIR:-$(CURDIR)/target}"; \
	cargo build --release -p edupulse-core --example forecast_eval && \
	$(FORECAST_VENV)/bin/python scripts/forecast_bench.py "$$tgt/release/examples/forecast_eval" \
		$(FORECAST_CSV) --windows 5 --h 30 --offset $(OFFSET)
# Spanish sentiment (docs/feedback.md): the lexicon scorer against sentiment-analysis-spanish (PyPI,
# its own venv) and @nlpjs/sentiment (npm, run by node) on the labelled Spanish tweets the EvoMSA
# sdist ships (fetched by pip at run time), tuned on one half and scored on the other, then
# 1,000,000 messages timed against the peers in the same run, edupulse from Python (a release build
# of the bindings installed into the bench venv) and in pure Rust. Never part of `make test`.
FEEDBACK_VENV ?= .venv-bench-feedback
FEEDBACK_NODE ?= .node-bench-feedback
FEEDBACK_PY_DEPS := "sentiment-analysis-spanish==0.0.25" "scikit-learn>=1.3" "numpy>=1.24" \
	"pandas>=2.0" "polars>=1.0" "pyarrow>=14" "maturin>=1.9.4,<2"

$(FEEDBACK_VENV)/.edupulse-feedback-deps: Makefile
	test -x $(FEEDBACK_VENV)/bin/python || $(PYTHON) -m venv $(FEEDBACK_VENV)
	$(FEEDBACK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(FEEDBACK_VENV)/bin/python -m pip install --quiet $(FEEDBACK_PY_DEPS)
	touch $@

$(FEEDBACK_NODE)/.edupulse-feedback-deps: Makefile
	mkdir -p $(FEEDBACK_NODE)
	npm install --silent --no-audit --no-fund --prefix $(FEEDBACK_NODE) \
		@nlpjs/core@4.26.1 @nlpjs/lang-es@4.26.1 @nlpjs/sentiment@4.26.1
	touch $@

bench-feedback: $(FEEDBACK_VENV)/.edupulse-feedback-deps $(FEEDBACK_NODE)/.edupulse-feedback-deps
	cargo build --release -p edupulse-core --example bench_feedback
	VIRTUAL_ENV=$(abspath $(FEEDBACK_VENV)) $(FEEDBACK_VENV)/bin/maturin develop --quiet --release \
		--manifest-path bindings/python/Cargo.toml
	@tgt="$${CARGO_TARGET_DIR:-$(CURDIR)/target}"; \
	$(FEEDBACK_VENV)/bin/python scripts/bench_feedback.py \
		--edupulse-bin "$$tgt/release/examples/bench_feedback" \
		--node-modules "$(abspath $(FEEDBACK_NODE))/node_modules" --peer-n $${PEER_N:-100000}
