# Everyday commands. The build itself is CMake; see README.md.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
SUITE ?= ../shared/testsuite/wasm-2.0
FUZZ_SECONDS ?= 10
PREFIX ?= /usr/local

.PHONY: all build build-asan build-fuzz run test deps deps-build install spec spec-asan unit fuzz fuzz-smoke bench clean

all: build

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

build-asan/CMakeCache.txt:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DWELD_SANITIZE=ON

build-asan: build-asan/CMakeCache.txt
	cmake --build build-asan -j $(JOBS)

build-fuzz/CMakeCache.txt:
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DWELD_FUZZ=ON

build-fuzz: build-fuzz/CMakeCache.txt
	cmake --build build-fuzz -j $(JOBS)

# Build, then run the example module. `deps-build` makes it work on a fresh machine.
run: deps-build
	$(MAKE) build
	./examples/run.sh $(BUILD)/weld

# Install what the tests need, build every flavour, run every test, print the total.
test: deps
	$(MAKE) build build-asan build-fuzz
	WELD_BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) SUITE=$(SUITE) ./tests/run.sh

# The Debian packages the tests need (and the build's, a subset: deps-build).
deps:
	./tests/deps.sh test

deps-build:
	./tests/deps.sh build

# The library, headers, `weld`, weld.pc and the CMake package under PREFIX (DESTDIR=DIR
# stages the install for packaging).
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

unit: build
	$(BUILD)/weld_unit

spec: build
	WELD=$(BUILD)/weld ./tests/spec/run.sh $(SUITE)

spec-asan: build-asan
	WELD=build-asan/weld ./tests/spec/run.sh $(SUITE)

fuzz: build-fuzz
	SUITE=$(SUITE) ./tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: build
	./bench/run.sh

clean:
	rm -rf build build-asan build-fuzz
