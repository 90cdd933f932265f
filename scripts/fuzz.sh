#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz/ for a while.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 30)
#
# Environment:
#   FUZZ_TARGETS  targets to run (default: all nine, see below)
#   FUZZ_BUILD    build directory (default: build-fuzz, next to this script's repo)
#   JOBS          build jobs (default 2)
#   FUZZ_KEEP_GOING=1  do not stop a target at its first crash (libFuzzer
#                 -fork=1 -ignore_crashes=1), to find more than one bug per run
#
# What it does:
#  1. installs clang and the compiler-rt development files (libFuzzer itself:
#     libclang-rt-dev, which Debian 12's clang-14 does not pull in) through apt,
#     only when a test program cannot be linked with -fsanitize=fuzzer;
#  2. configures a build directory of its own with clang, -DPARLEY_FUZZ=ON and
#     every library instrumented: CMAKE_CXX_FLAGS = -fsanitize=address,undefined
#     -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link, -O1 -g with
#     asserts on (tests/fuzz/CMakeLists.txt links the fuzz_* binaries with
#     -fsanitize=fuzzer);
#  3. builds the fuzz_* targets and runs each for SECONDS_PER_TARGET seconds
#     (-max_len=8192) on a copy of its seed corpus tests/fuzz/corpus/<target>/
#     in a temporary directory (plus tests/data/rfc4475 and rfc5118 as extra
#     seeds for the message and framing targets), so the checked-in corpus is
#     never modified.
#
# Exit status: 0 when no target crashed; 1 otherwise, after printing the path
# of each crashing input, kept under <build>/fuzz-artifacts/<target>/. Replay
# one with <build>/tests/fuzz/<target> <file> (or replay_<target> <file> in a
# g++ build). Once the parser is fixed, add the input to the target's corpus.
set -euo pipefail

seconds=${1:-30}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds == 0)); then
  echo "usage: $0 [SECONDS_PER_TARGET]" >&2
  exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
jobs=${JOBS:-2}
read -r -a targets <<<"${FUZZ_TARGETS:-fuzz_sip_message fuzz_sip_uri fuzz_framing fuzz_auth_header fuzz_sdp fuzz_ntlm fuzz_lync_xml fuzz_presence fuzz_conferencing}"

log() { echo "fuzz: $*"; }

# --- 1. clang with libFuzzer -------------------------------------------------
probe_dir=$(mktemp -d)
work_root=$(mktemp -d)
trap 'rm -rf "$probe_dir" "$work_root"' EXIT

can_link_fuzzer() {
  command -v clang++ >/dev/null 2>&1 || return 1
  printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
    'extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }' \
    >"$probe_dir/probe.cpp"
  clang++ -fsanitize=fuzzer,address,undefined "$probe_dir/probe.cpp" -o "$probe_dir/probe" \
    >/dev/null 2>&1
}

if ! can_link_fuzzer; then
  log "installing clang and libFuzzer"
  bash "$root/scripts/deps.sh" clang libclang-rt-dev
  if ! can_link_fuzzer; then
    log "clang++ still cannot link -fsanitize=fuzzer" >&2
    exit 1
  fi
fi

# --- 2. configure and build --------------------------------------------------
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link"
log "configuring $build"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
  -DPARLEY_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
  "-DCMAKE_CXX_FLAGS=$sanitize" >/dev/null
log "building ${targets[*]}"
cmake --build "$build" --target "${targets[@]}" -j"$jobs"

# --- 3. run --------------------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for target in "${targets[@]}"; do
  corpus="$work_root/$target"
  artifacts="$build/fuzz-artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  cp -R "$root/tests/fuzz/corpus/$target/." "$corpus/"
  seeds=()
  case "$target" in
    fuzz_sip_message | fuzz_framing)
      seeds=("$root/tests/data/rfc4475" "$root/tests/data/rfc5118") ;;
  esac
  keep_going=()
  if [[ "${FUZZ_KEEP_GOING:-0}" == 1 ]]; then
    keep_going=(-fork=1 -ignore_crashes=1)
  fi
  log "running $target for ${seconds}s"
  started=$(date +%s)
  touch "$work_root/$target.start"
  status=0
  "$build/tests/fuzz/$target" \
    -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${keep_going[@]}" \
    "$corpus" "${seeds[@]}" >"$build/fuzz-artifacts/$target.log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - started))
  # Executions: the final stats, or (fork mode) the last status line.
  units=$( { grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/fuzz-artifacts/$target.log" \
    || grep -o '^#[0-9]*' "$build/fuzz-artifacts/$target.log"; } | tail -1 | grep -o '[0-9]*$' || true)
  found=$(find "$corpus" -type f | wc -l)
  mapfile -t crashes < <(find "$artifacts" -type f -newer "$work_root/$target.start" | sort)
  if ((status != 0 || ${#crashes[@]} > 0)); then
    failed+=("$target")
    log "$target FAILED after ${elapsed}s (exit $status); log: $build/fuzz-artifacts/$target.log"
    grep -E 'ERROR: |runtime error|fuzz check failed|SUMMARY' "$build/fuzz-artifacts/$target.log" \
      | sort | uniq -c | sort -rn | head -8 | sed 's/^/  /' || true
    for f in "${crashes[@]}"; do
      log "  crashing input: $f ($(stat -c %s "$f") bytes)"
    done
  else
    log "$target ok: ${units:-?} runs in ${elapsed}s, corpus grew to $found inputs"
  fi
done

if ((${#failed[@]} > 0)); then
  log "crashes in: ${failed[*]}"
  exit 1
fi
log "no crashes"
