#!/usr/bin/env bash
# Sanitizer CI: builds the `asan` preset (AddressSanitizer + UndefinedBehaviorSanitizer with leak
# checking, RelWithDebInfo) and runs the unit tests, the robustness CLI tests and ci_smoke under it.
#
# Usage: tests/run_asan.sh [extra ctest arguments]
#   BNBENCH_ASAN_BUILD  build folder (default build-asan, the preset's)
# Invariant: any sanitizer report fails the run (halt_on_error; LeakSanitizer exits non-zero).
# oneDNN and libtorch are left out of this build to keep CI short: they are prebuilt, uninstrumented
# Debian libraries (ASan cannot see inside them; only our thin glue would be checked) and the
# libtorch glue alone is minutes of compile time under ASan. They need no suppressions: a batch
# norm through each (oneDNN 2.6.3, libtorch 1.13) runs clean under ASan + UBSan with
# detect_leaks=1, and so does libgomp; `cmake --preset asan` alone builds them in.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BNBENCH_ASAN_BUILD:-$root/build-asan}"
jobs="$(nproc 2>/dev/null || echo 2)"
cd "$root"
cmake --preset asan -B "$build" -DBNBENCH_ONEDNN=OFF -DBNBENCH_PYTORCH=OFF -DBNBENCH_CUDA=OFF
cmake --build "$build" -j "$jobs"

export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Left out: the long end-to-end sweeps (default config, ci_numerics: minutes in Release, several
# times that under ASan) and the Python report and Google Benchmark export tests (no C++ of ours).
ctest --test-dir "$build" --output-on-failure -j "$jobs" \
  -E '^(cli\.default_config_runs_and_validates|cli\.ci_numerics_check|report\.|cli\.gbench)' "$@"
