#!/usr/bin/env bash
# Sanitizer runs (issue 3): `make asan` and `make tsan` call this; CI runs both.
#
#   scripts/sanitize.sh asan   AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer)
#                              build of the whole tree in build-asan/; runs every ctest test:
#                              unit tests, fuzz corpus replays and interop tests.
#   scripts/sanitize.sh tsan   ThreadSanitizer build in build-tsan/ of parley and of the unit
#                              tests that run several threads; runs those unit tests and the
#                              interop tests (the harness starts parley with two workers).
#
# Environment: JOBS (build jobs, default nproc), CTEST_JOBS (default nproc),
#              SANITIZE_BUILD (build directory, default build-asan / build-tsan).
#
# Any report fails the run: every target is compiled with -fno-sanitize-recover=all and
# the *SAN_OPTIONS below halt at the first report, so a unit test exits non-zero; the
# interop harness scans parley's log for a report (and its exit code after SIGTERM,
# where LeakSanitizer reports). Suppressions: none; a report is a bug to fix.
set -euo pipefail

kind=${1:-}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=${JOBS:-$(nproc)}
ctest_jobs=${CTEST_JOBS:-$(nproc)}

# Unit tests that start threads (worker pools, the sharded stores): the TSan run.
tsan_units=(unit_net unit_auth unit_store unit_transaction unit_registrar unit_app)

case "$kind" in
  asan)
    build=${SANITIZE_BUILD:-$root/build-asan}
    flags=address,undefined
    # Interop tests run parley ~2x slower; the harness stretches its bounds.
    export PARLEY_TIME_SCALE=${PARLEY_TIME_SCALE:-2}
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    ;;
  tsan)
    build=${SANITIZE_BUILD:-$root/build-tsan}
    flags=thread
    export PARLEY_TIME_SCALE=${PARLEY_TIME_SCALE:-3}
    export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
    ;;
  *)
    echo "usage: $0 asan|tsan" >&2
    exit 2
    ;;
esac

log() { echo "sanitize($kind): $*"; }

bash "$root/scripts/deps.sh"

log "configuring $build (-fsanitize=$flags)"
cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
  -DPARLEY_SANITIZE="$flags" >/dev/null

# ThreadSanitizer maps its shadow memory at fixed addresses; with a kernel that
# randomises mmap more widely than it expects it stops with "unexpected memory
# mapping". Running without address randomisation (setarch -R) avoids that.
no_aslr=()
if [[ "$kind" == tsan ]] && setarch "$(uname -m)" -R true 2>/dev/null; then
  no_aslr=(setarch "$(uname -m)" -R)
fi

started=$(date +%s)
status=0
if [[ "$kind" == asan ]]; then
  log "building everything"
  cmake --build "$build" -j"$jobs"
  log "running every test"
  ctest --test-dir "$build" --output-on-failure --no-tests=error \
    -j"$ctest_jobs" --timeout 600 || status=$?
else
  log "building parley ${tsan_units[*]}"
  cmake --build "$build" -j"$jobs" --target parley "${tsan_units[@]}"
  for unit in "${tsan_units[@]}"; do
    log "running $unit"
    "${no_aslr[@]}" "$build/$unit" --gtest_brief=1 || status=1
  done
  log "running the interop tests"
  "${no_aslr[@]}" ctest --test-dir "$build" --output-on-failure --no-tests=error \
    -j"$ctest_jobs" --timeout 600 -L interop || status=1
fi

log "done in $(($(date +%s) - started))s: $([[ $status == 0 ]] && echo 'no reports, all passed' || echo FAILED)"
exit "$status"
