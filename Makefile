# Parley on Debian 12: `make run` starts a server, `make test` runs every test.
# Both install what is missing first (scripts/deps.sh, as root or through sudo).

BUILD_DIR     ?= build
BUILD_TYPE    ?= RelWithDebInfo
JOBS          ?= $(shell nproc)
# Interop tests bind their own free loopback ports, so tests can run side by side.
CTEST_JOBS    ?= $(shell nproc)
CTEST_TIMEOUT ?= 300
PARLEY        := ./$(BUILD_DIR)/parley

.PHONY: all deps configure build test unit interop run clean asan tsan fuzz ci

all: build

deps:
	@bash scripts/deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure --no-tests=error \
	  -j$(CTEST_JOBS) --timeout $(CTEST_TIMEOUT)

# Only the unit tests, or only the interop tests (real SIP peers against a real parley).
unit: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure --no-tests=error \
	  -j$(CTEST_JOBS) --timeout $(CTEST_TIMEOUT) -L unit

interop: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure --no-tests=error \
	  -j$(CTEST_JOBS) --timeout $(CTEST_TIMEOUT) -L interop

# Sanitizers (scripts/sanitize.sh): ASan+UBSan over every test in build-asan/, and
# TSan over the threaded unit tests and the interop tests in build-tsan/.
asan:
	@bash scripts/sanitize.sh asan

tsan:
	@bash scripts/sanitize.sh tsan

# Every libFuzzer target for FUZZ_SECONDS each (clang build in build-fuzz/).
FUZZ_SECONDS ?= 30
fuzz:
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

# What CI runs (.ci/run): every test, then the sanitizer builds and a short fuzz run.
ci: test asan tsan fuzz

# Google Benchmark microbenchmarks of the SIP parser and serializer (bench/README.md, "Microbenchmarks"),
# built with BUILD_TYPE (use BUILD_TYPE=Release for numbers). MICRO_ARGS go to each binary,
# e.g. MICRO_ARGS="--benchmark_repetitions=3 --benchmark_filter=parse/".
MICRO_BINS ?= micro_sip micro_auth
MICRO_ARGS ?=
.PHONY: micro
micro: build
	@for b in $(MICRO_BINS); do \
	  echo "== $$b"; ./$(BUILD_DIR)/bench/micro/$$b $(MICRO_ARGS) || exit 1; \
	done

# Parley and Kamailio side by side under SIPp load (bench/bench.py; about 20 minutes,
# installs kamailio through scripts/deps.sh if missing); the table goes to
# bench/results/latest.md. BENCH_ARGS e.g. "--quick" (3 minutes) or "--scenarios invite-udp".
BENCH_ARGS ?=
.PHONY: bench
bench: build
	python3 bench/bench.py --bin $(PARLEY) $(BENCH_ARGS)

run: build
	@echo
	@echo "Parley: the embedded default configuration (domain parley.test, data in ./data)."
	@echo "Add a user (another terminal, or before starting):"
	@echo "    $(PARLEY) user add alice@parley.test --password secret"
	@echo "Clients trust the CA in data/pki/ca.crt ($(PARLEY) cert init prints its path)."
	@echo
	$(PARLEY) serve

clean:
	rm -rf $(BUILD_DIR)
