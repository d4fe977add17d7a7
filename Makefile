# chipsim — a thin wrapper over CMake. Every target first makes sure the Debian
# packages are there (installing them when run as root), then configures and
# builds. See README.md.
#
#   make run     build; the default scenario against the baseline (compare, 20 replications)
#   make test    normal -Werror build + ASan/UBSan build, whole ctest suite on both;
#                ThreadSanitizer build, the threaded paths
#   make bench   build and run the benchmarks
#   make plots   the default scenario vs the baseline, rendered by scenarios/plots/*.gp
#   make fuzz    libFuzzer (clang) on the scenario loader, YAML and CSV readers, FUZZ_SECONDS each
#   make clean

BUILD      ?= build
SAN_BUILD  ?= build-sanitize
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

# make fuzz: clang's libFuzzer on the parsers of untrusted input, one after the
# other, FUZZ_SECONDS each. Corpora grow in $(FUZZ_BUILD)/corpus/<target>/,
# crashes land in $(FUZZ_BUILD)/artifacts/<target>/.
FUZZ_BUILD    ?= build-fuzz
FUZZ_SECONDS  ?= 60
CLANG_VERSION ?= 14
FUZZ_CC       ?= clang-$(CLANG_VERSION)
FUZZ_PKGS     ?= clang-$(CLANG_VERSION) libclang-rt-$(CLANG_VERSION)-dev
FUZZ_MAX_LEN_yaml_tree := 65536
FUZZ_MAX_LEN_csv_table := 65536
FUZZ_MAX_LEN_scenario  := 65536
FUZZ_TARGETS  ?= scenario yaml_tree csv_table
FUZZ_SEEDS_yaml_tree   := $(shell find tests/data/scenarios $(wildcard tests/bad) -type f \
                                   -name '*.yaml' 2>/dev/null)
FUZZ_SEEDS_csv_table   := $(shell find tests/data/scenarios tests/data/csv_table \
                                   $(wildcard tests/bad) -type f -name '*.csv' 2>/dev/null)

.PHONY: all deps build build-sanitize build-tsan run test bench fuzz format clean plots

all: build

deps:
	@scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCHIPSIM_WERROR=ON -DCHIPSIM_MPI=ON $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS)

build-sanitize: deps
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHIPSIM_WERROR=ON \
	      -DCHIPSIM_SANITIZE=ON -DCHIPSIM_BENCH=OFF $(CMAKE_ARGS)
	cmake --build $(SAN_BUILD) -j $(JOBS)

# ThreadSanitizer: only the command (its tests are the threaded paths: tests/threads_tsan.sh).
build-tsan: deps
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHIPSIM_WERROR=ON \
	      -DCHIPSIM_TSAN=ON -DCHIPSIM_BENCH=OFF $(CMAKE_ARGS)
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target chipsim

run: build
	$(BUILD)/cli/chipsim compare $(BASELINE_SCENARIO) $(DEFAULT_SCENARIO) -r 20 --force -o out/default

test: build build-sanitize build-tsan
	@echo "== tests: release build (-Werror) =="
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	@echo "== tests: AddressSanitizer + UndefinedBehaviorSanitizer build =="
	ctest --test-dir $(SAN_BUILD) --output-on-failure -j $(JOBS)
	@echo "== tests: ThreadSanitizer build (the threaded paths) =="
	ctest --test-dir $(TSAN_BUILD) --output-on-failure

# make plots: the default scenario against the baseline through compare, then every
# gnuplot script in scenarios/plots/ on the result (PNGs in $(PLOT_DIR)).
DEFAULT_SCENARIO  ?= scenarios/middle-east-2023-08.yaml
BASELINE_SCENARIO ?= scenarios/baseline.yaml
PLOT_REPS         ?= 20
PLOT_OUT          ?= out/plots-data
PLOT_DIR          ?= out/plots
PLOT_NAME         ?= $(basename $(notdir $(DEFAULT_SCENARIO)))

plots: build
	@scripts/deps.sh gnuplot-nox
	$(BUILD)/cli/chipsim compare $(BASELINE_SCENARIO) $(DEFAULT_SCENARIO) -r $(PLOT_REPS) --force -q -o $(PLOT_OUT)
	mkdir -p $(PLOT_DIR)
	cd scenarios/plots && for s in compute_by_channel fill_rate blocked_diverted china_supply; do \
	  gnuplot -e "in='$(CURDIR)/$(PLOT_OUT)/timeseries.csv'; out='$(CURDIR)/$(PLOT_DIR)/$$s.png'; scenario='$(PLOT_NAME)'" $$s.gp || exit 1; done
	cd scenarios/plots && gnuplot -e "in='$(CURDIR)/$(PLOT_OUT)/compare.csv'; out='$(CURDIR)/$(PLOT_DIR)/compare.png'" compare.gp
	@echo "plots: $(PLOT_DIR)/*.png"

# make bench: bench_load, then bench/compare.sh, which runs bench_mm1, bench_model_mm1,
# bench_hold, the SimPy M/M/1 and chipsim run on the scenarios, prints the table
# against the targets and writes it to bench/results.md. BENCH_ARGS go to compare.sh
# (e.g. BENCH_ARGS="--simpy-customers 200000 --reps 100").
BENCH_ARGS ?=

bench: build
	$(BUILD)/bench/bench_load
	bash bench/compare.sh $(BUILD) $(BENCH_ARGS)

# make scale: synthetic worlds of 10^2..10^5 sites (bench/gen.c), load and run time,
# events/s and peak memory, and a 10^4-site world over 1..8 years; writes
# bench/scale.md and bench/img/scale_*.png (see bench/scale.sh).
.PHONY: scale
scale: build
	bench/scale.sh $(BUILD)

# Seeds are copied (path flattened into the name) into $(FUZZ_BUILD)/seeds/;
# libFuzzer reads them and tests/fuzz/regressions/<target>/ and writes new
# inputs only to the corpus folder, its first argument.
fuzz:
	@scripts/deps.sh $(FUZZ_PKGS)
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=$(FUZZ_CC) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	      -DCHIPSIM_FUZZ=ON -DCHIPSIM_SANITIZE=OFF -DCHIPSIM_WERROR=ON -DCHIPSIM_BENCH=OFF \
	      $(CMAKE_ARGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@set -u; status=0; \
	for t in $(FUZZ_TARGETS); do \
	  case $$t in \
	    yaml_tree) seeds="$(FUZZ_SEEDS_yaml_tree)"; max=$(FUZZ_MAX_LEN_yaml_tree); dict=yaml;; \
	    scenario) seeds="$(FUZZ_SEEDS_yaml_tree)"; max=$(FUZZ_MAX_LEN_scenario); dict=yaml;; \
	    csv_table) seeds="$(FUZZ_SEEDS_csv_table)"; max=$(FUZZ_MAX_LEN_csv_table); dict=csv;; \
	  esac; \
	  rm -rf $(FUZZ_BUILD)/seeds/$$t; \
	  mkdir -p $(FUZZ_BUILD)/seeds/$$t $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/artifacts/$$t; \
	  for f in $$seeds; do cp "$$f" "$(FUZZ_BUILD)/seeds/$$t/$$(echo "$$f" | tr / _)"; done; \
	  echo "== fuzz_$$t: $(FUZZ_SECONDS) s, log in $(FUZZ_BUILD)/fuzz_$$t.log =="; \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp \
	    $(FUZZ_BUILD)/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$$max \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -dict=tests/fuzz/$$dict.dict \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t/ $(FUZZ_BUILD)/corpus/$$t \
	    $(FUZZ_BUILD)/seeds/$$t tests/fuzz/regressions/$$t > $(FUZZ_BUILD)/fuzz_$$t.log 2>&1 \
	    || { status=1; echo "fuzz_$$t FAILED; the end of its log:"; \
	         tail -n 40 $(FUZZ_BUILD)/fuzz_$$t.log; }; \
	done; \
	echo "== fuzz summary (last libFuzzer status line; crashes in $(FUZZ_BUILD)/artifacts/) =="; \
	for t in $(FUZZ_TARGETS); do \
	  printf '%s: %s\n' "fuzz_$$t" "$$(grep -aE '^#[0-9]+' $(FUZZ_BUILD)/fuzz_$$t.log | tail -n 1)"; \
	  printf '%s  corpus: %s files\n' "fuzz_$$t" "$$(ls $(FUZZ_BUILD)/corpus/$$t | wc -l)"; \
	done; \
	exit $$status

format:
	clang-format -i $$(git ls-files "*.c" "*.h" | grep -v ziggurat_exp.c)

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(TSAN_BUILD)
