# The two set-up commands of the README, both idempotent on a fresh machine:
#   make book   # venv + install + the `mini` profile end to end + the HTML book
#   make test   # venv + install + ruff + pytest over tests/ and --nbval-lax over book/
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# torch and torchvision are pinned as a pair (an unpinned torchvision silently swaps torch); see README
ifeq ($(shell uname -m),aarch64)
TORCH_PAIR ?= torch==2.9.1 torchvision==0.24.1
else
TORCH_PAIR ?= torch==2.14.1 torchvision==0.29.1
endif
PROFILE ?= mini
JOBS ?= 2  # runs at once in `make book` (tiny CPU models: two fill two cores)

.PHONY: install book test lab book-html book-check clean-book

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install $(TORCH_PAIR)
	$(BIN)/python -m pip install -e ".[dev,book]" $(TORCH_PAIR)
	touch $@

install: $(STAMP)

book: $(STAMP)
	$(BIN)/ppma reproduce --profile $(PROFILE) --jobs $(JOBS)
	@echo "book: $(CURDIR)/_build/html/index.html"

book-html: $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo "book: $(CURDIR)/_build/html/index.html"

test: $(STAMP)
	$(BIN)/ruff check ppma_lib tests tools
	$(BIN)/python -m pytest --nbval-lax tests book

lab: $(STAMP)
	$(BIN)/jupyter lab

clean-book:
	rm -rf _build

# open the built book in headless Chromium (Debian package), save screenshots, fail on broken pages
book-check: $(STAMP)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(BIN)/python -m ppma_lib.bookcheck
