#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install packages, build Release, run the default
# sweep (configs/default.json, every enabled backend), write its report (scripts/report.py) and
# say where the result and the report went.
# Extra arguments go to `bnbench run` (e.g. --threads 1, --backends naive,onednn).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bnbench_ensure_packages
bnbench_build
cd "$BNBENCH_ROOT"
"$BNBENCH_BUILD/bnbench" info
out="results/$(date -u +%Y%m%d-%H%M%S)_$(uname -n)_default.json"
status=0
"$BNBENCH_BUILD/bnbench" run configs/default.json --out "$out" "$@" || status=$?
echo "result written to $BNBENCH_ROOT/$out"
if [ -f "$out" ]; then
  /usr/bin/python3 scripts/report.py "$out" | sed 's/^/report: /' ||
    echo "report: scripts/report.py failed on $out" >&2
fi
exit $status
