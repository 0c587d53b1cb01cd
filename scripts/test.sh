#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (packages, Release build) and runs the whole test suite:
# unit tests, the backend conformance test and the shipped CI configs, through ctest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bnbench_ensure_packages
bnbench_build
cd "$BNBENCH_BUILD"
ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)" "$@"
