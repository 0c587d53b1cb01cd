#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer + UBSan + leak checking) in their own
# build folder and runs each one for a bounded time over its corpus: the config reader, the
# case-string parser and the .npy reader.
#
# Usage: tests/fuzz/run_fuzz.sh [SECONDS_PER_TARGET (default 20)] [TARGET...]
#   BNBENCH_FUZZ_BUILD  build folder (default build-fuzz at the repository root)
#   CXX_FUZZ            the clang++ to use (default clang++; Debian 12: clang 14)
# Invariant: the seed corpus in tests/fuzz/corpus/<target>/ is only read; new inputs go to
# $BNBENCH_FUZZ_BUILD/corpus/<target>/ and a crash, leak, timeout or out-of-memory input to
# $BNBENCH_FUZZ_BUILD/artifacts/, printed with the command that replays it. Exit 1 on any finding.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-20}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(config case_string npy)
build="${BNBENCH_FUZZ_BUILD:-$root/build-fuzz}"
cxx="${CXX_FUZZ:-clang++}"
if [ -z "${CXX_FUZZ:-}" ]; then
  source "$root/scripts/common.sh"
  bnbench_ensure_packages clang libclang-rt-14-dev libomp-14-dev
fi

# Harness sources each target compiles directly (no CMake, no backends).
declare -A sources=(
  [config]="config.cpp nearest_name.cpp problem.cpp fill.cpp reference.cpp tensor.cpp huge_pages.cpp"
  [case_string]="problem.cpp"
  [npy]="npy.cpp problem.cpp"
)
flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -fopenmp -I"$root/harness"
       -fsanitize=address,undefined -fno-sanitize-recover=undefined
       "-DBNBENCH_SOURCE_DIR=\"$root\"")

# Compiles one source into build/obj/ unless the object is newer than it and every harness header.
compile() {
  local src="$1" obj="$2"
  if [ -f "$obj" ] && [ "$obj" -nt "$src" ] &&
     [ -z "$(find "$root/harness" "$root/tests/fuzz" -name '*.h' -newer "$obj")" ]; then
    return 0
  fi
  "$cxx" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
}

mkdir -p "$build/obj" "$build/artifacts"
status=0
for t in "${targets[@]}"; do
  [ -n "${sources[$t]+x}" ] || { echo "run_fuzz: unknown target '$t'" >&2; exit 2; }
  objs=()
  for s in ${sources[$t]}; do
    compile "$root/harness/$s" "$build/obj/${s%.cpp}.o"
    objs+=("$build/obj/${s%.cpp}.o")
  done
  compile "$root/tests/fuzz/fuzz_$t.cpp" "$build/obj/fuzz_$t.o"
  "$cxx" "${flags[@]}" -fsanitize=fuzzer "$build/obj/fuzz_$t.o" "${objs[@]}" -o "$build/fuzz_$t"
  mkdir -p "$build/corpus/$t"
  echo "run_fuzz: $t for ${seconds}s"
  if ! ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" \
      UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
      "$build/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
      -dict="$root/tests/fuzz/$t.dict" -artifact_prefix="$build/artifacts/$t-" \
      -print_final_stats=1 "$build/corpus/$t" "$root/tests/fuzz/corpus/$t" \
      >"$build/$t.log" 2>&1; then
    status=1
    tail -n 40 "$build/$t.log" >&2
    echo "run_fuzz: $t FOUND A PROBLEM; replay: $build/fuzz_$t $build/artifacts/$t-*" >&2
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/$t.log" | sed "s/^/  $t /"
  fi
done
exit $status
