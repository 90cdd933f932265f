# Parley on Debian 12: `make run` starts a server, `make test` runs every test.
# Both install what is missing first (scripts/deps.sh, as root or through sudo).

BUILD_DIR     ?= build
BUILD_TYPE    ?= RelWithDebInfo
JOBS          ?= $(shell nproc)
# Interop tests bind their own free loopback ports, so tests can run side by side.
CTEST_JOBS    ?= $(shell nproc)
CTEST_TIMEOUT ?= 300
PARLEY        := ./$(BUILD_DIR)/parley

.PHONY: all deps configure build test unit interop run clean

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
