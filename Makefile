# chipsim — a thin wrapper over CMake. Every target first makes sure the Debian
# packages are there (installing them when run as root), then configures and
# builds. See README.md.
#
#   make run     build and run the default (for now the kernel demo)
#   make test    normal -Werror build + ASan/UBSan build, whole ctest suite on both
#   make bench   build and run the benchmarks
#   make clean

BUILD      ?= build
SAN_BUILD  ?= build-sanitize
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

.PHONY: all deps build build-sanitize run test bench format clean

all: build

deps:
	@scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCHIPSIM_WERROR=ON $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS)

build-sanitize: deps
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHIPSIM_WERROR=ON \
	      -DCHIPSIM_SANITIZE=ON -DCHIPSIM_BENCH=OFF $(CMAKE_ARGS)
	cmake --build $(SAN_BUILD) -j $(JOBS)

run: build
	$(BUILD)/cli/chipsim demo

test: build build-sanitize
	@echo "== tests: release build (-Werror) =="
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	@echo "== tests: AddressSanitizer + UndefinedBehaviorSanitizer build =="
	ctest --test-dir $(SAN_BUILD) --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/bench_mm1
	$(BUILD)/bench/bench_hold

format:
	clang-format -i $$(git ls-files "*.c" "*.h" | grep -v ziggurat_exp.c)

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
