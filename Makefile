# A thin wrapper over CMake (like Neovim's). `make demo` and `make test` install the
# dependencies, configure, build, and run.
BUILD     ?= build
PREFIX    ?= /usr/local
GENERATOR ?= Ninja
JOBS      ?= $(shell nproc)
CMAKE_ARGS ?=
VENV      ?= $(CURDIR)/.venv
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

demo: build
	@scripts/demo $(BUILD)

bench: build
	@scripts/bench $(BUILD)

fuzz: build
	@scripts/fuzz $(BUILD)

install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	@rm -rf $(BUILD)
