# A thin wrapper over CMake (like Neovim's). `make demo` and `make test` install the
# dependencies, configure, build, and run.
BUILD     ?= build
DEMO_BUILD ?= $(BUILD)-demo
PREFIX    ?= /usr/local
GENERATOR ?= Ninja
JOBS      ?= $(shell nproc)
CMAKE_ARGS ?=
VENV      ?= $(CURDIR)/.venv
# `make fuzz`: seconds each fuzz target runs (the nightly length; scripts/fuzz, docs/development.md).
FUZZ_SECONDS ?= 600
PYTHON    ?= $(VENV)/bin/python

export CIVITAS_VENV := $(VENV)

.PHONY: all deps configure build test demo bench fuzz install clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -G $(GENERATOR) -DPython3_EXECUTABLE=$(PYTHON) \
	  -DCIVITAS_SANITIZE_SUBBUILD=ON $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The demo builds only the core and the CLI, in a tree of its own, after installing only
# what they need: a newcomer sees it in a few minutes. `make test` builds everything.
demo:
	@scripts/install-deps --demo
	@cmake -S . -B $(DEMO_BUILD) -G $(GENERATOR) -DCIVITAS_PYTHON=OFF -DCIVITAS_JAVA=OFF \
	  -DCIVITAS_TESTS=OFF -DCIVITAS_EXAMPLES=OFF -DCIVITAS_BENCH=OFF -DCIVITAS_FUZZ=OFF \
	  -DCIVITAS_SANITIZE_SUBBUILD=OFF $(CMAKE_ARGS) >/dev/null
	@cmake --build $(DEMO_BUILD) -j $(JOBS) --target civitas_cli
	@scripts/demo $(DEMO_BUILD)

bench: build
	@scripts/bench $(BUILD)

fuzz: build
	@scripts/fuzz $(BUILD) $(FUZZ_SECONDS)

install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	@rm -rf $(BUILD)
