#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, -fsanitize=fuzzer,address,undefined, the
# torch-free core without LibTorch) in build/fuzz and runs each for a while from its seed corpus
# tests/fuzz/corpus/<target>/ (new inputs go to build/fuzz/corpus/<target>/, the repository's
# seeds are left alone). Installs clang and its runtimes first (tools/install-deps.sh --fuzz).
#   tools/fuzz.sh [seconds-per-target] [target ...]      default: 60 s, every target
#   GDL_FUZZ_RUNS=N tools/fuzz.sh 0 ...                  stop each target after N executions
# Prints one line per target with libFuzzer's count of executions; exits non-zero when a target
# crashed or a sanitizer reported (the input is kept under build/fuzz/artifacts/, the report in
# build/fuzz/<target>.log).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
shift || true
case "$SECONDS_PER_TARGET" in
  ''|*[!0-9]*) echo "fuzz.sh: seconds-per-target must be a whole number, not '$SECONDS_PER_TARGET'" >&2; exit 2 ;;
esac
RUNS=${GDL_FUZZ_RUNS:--1}

tools/install-deps.sh --fuzz
B=build/fuzz
mkdir -p "$B/artifacts"
if [ ! -f "$B/CMakeCache.txt" ] || [ CMakeLists.txt -nt "$B/CMakeCache.txt" ]; then
  cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
    -DGDL_FUZZ=ON -DGDL_WITH_TORCH=OFF >/dev/null
fi
ALL=$(cd tests/fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//')
TARGETS=${*:-$ALL}
for t in $TARGETS; do
  [ -f "tests/fuzz/$t.cpp" ] || { echo "fuzz.sh: unknown target '$t' (allowed: $(echo $ALL))" >&2; exit 2; }
done
cmake --build "$B" -j"$(nproc)" --target $TARGETS > "$B/build.log" 2>&1 || \
  { grep -E -A3 "error" "$B/build.log" | head -n 40; exit 1; }

# The parsers that take a path read a scratch file: on a RAM disk when there is one.
TMP_ROOT=/tmp
[ -w /dev/shm ] && TMP_ROOT=/dev/shm
export GDL_FUZZ_TMP
GDL_FUZZ_TMP=$(mktemp -d "$TMP_ROOT/gdl-fuzz.XXXXXX")
trap 'rm -rf "$GDL_FUZZ_TMP"' EXIT
# Every sanitizer report is fatal; leaks are checked (libFuzzer does it after each new input).
ASAN_OPTIONS_BASE=detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

status=0
for t in $TARGETS; do
  mkdir -p "$B/corpus/$t"
  # -close_fd_mask=2: htslib / libBigWig print a line for every bad file; libFuzzer keeps its
  # own output and the sanitizers' reports on a duplicate of stderr.
  extra=()
  if [ "$t" = fuzz_bigwig ]; then
    # libBigWig sizes its read buffer from the block size in the file's index, unchecked, and
    # handles a failed allocation (it returns an error, which BigWigReader reports). Such an
    # allocation (over 256 MB; blocks are kB) fails here as it would outside the sanitizer, instead of stopping
    # the fuzzer as an out-of-memory.
    extra=()
    export ASAN_OPTIONS="$ASAN_OPTIONS_BASE:allocator_may_return_null=1:max_allocation_size_mb=256"
    export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan-libbigwig.supp:print_suppressions=0"
  else
    unset LSAN_OPTIONS
    export ASAN_OPTIONS="$ASAN_OPTIONS_BASE"
  fi
  rc=0
  "$B/$t" "${extra[@]}" -max_total_time="$SECONDS_PER_TARGET" -runs="$RUNS" -timeout=10 -rss_limit_mb=2048 \
    -close_fd_mask=2 -print_final_stats=1 -artifact_prefix="$B/artifacts/$t-" \
    "$B/corpus/$t" "tests/fuzz/corpus/$t" > "$B/$t.log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/$t.log" | tail -n 1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$B/$t.log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$B/$t.log" | tail -n 1 | cut -d' ' -f2)
  if [ "$rc" -ne 0 ] || grep -qE "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:" "$B/$t.log"; then
    status=1
    echo "fuzz.sh: $t FAILED (rc $rc) after ${runs:-?} executions; report: $B/$t.log"
    grep -m1 -A15 -E "ERROR: |runtime error:" "$B/$t.log" || tail -n 20 "$B/$t.log"
  else
    printf 'fuzz.sh: %-14s %12s executions in %4s s, coverage %s edges, no crash or sanitizer report\n' \
      "$t" "${runs:-?}" "${secs:-?}" "${cov:-?}"
  fi
done
exit $status
