#!/usr/bin/env bash
# Robustness through the real executable: crash isolation, SIGKILL then --resume, concurrent
# writers, and every kind of bad input with its message and exit code 2.
#
# Usage: tests/cli_robustness.sh BNBENCH_EXE isolate|resume|concurrent|bad_input|bad_npy
# Run from the repository root (ctest does). Invariant guarded: a sweep survives broken backends
# and SIGKILL without losing a finished case, two runs never corrupt each other's result files,
# and unusable input is refused before anything runs with a message that says what to fix.
set -uo pipefail
bnbench="$1"
section="$2"
py=/usr/bin/python3
work="$(mktemp -d "${TMPDIR:-/tmp}/bnbench_robust.XXXXXX")"
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect_exit CODE PATTERN ARGS...: bnbench ARGS exits with CODE and prints PATTERN (grep -E).
expect_exit() {
  local code="$1" pattern="$2"
  shift 2
  local output rc
  output="$("$bnbench" "$@" 2>&1)"
  rc=$?
  if [ "$rc" -ne "$code" ]; then
    fail "bnbench $* exited $rc, expected $code; output:"$'\n'"$output"
  elif ! grep -qE -- "$pattern" <<<"$output"; then
    fail "bnbench $*: output lacks /$pattern/:"$'\n'"$output"
  else
    echo "ok: exit $code /$pattern/: bnbench $*"
  fi
}

# A config file in $work with the given JSON text.
config() {
  printf '%s\n' "$2" >"$work/$1"
  echo "$work/$1"
}

section_isolate() {
  local out="$work/isolate.json"
  expect_exit 1 "1 passed.*2 crashed, 1 timed out" check --case fwd_training/f32/nchw/n2c3h4w4 \
    --backends test_crash_segv,naive,test_crash_abort,test_crash_hang --case-timeout 3 --out "$out"
  $py scripts/validate_result.py "$out" || fail "isolate result does not validate"
  $py - "$out" <<'EOF' || fail "isolate statuses"
import json, sys
cases = json.load(open(sys.argv[1]))["cases"]
got = [(c["backend"], c["status"]) for c in cases]
assert got == [("test_crash_segv", "CRASHED"), ("naive", "PASSED"),
               ("test_crash_abort", "CRASHED"), ("test_crash_hang", "TIMEOUT")], got
assert "SIGABRT" in cases[2]["reason"], cases[2]["reason"]
assert "SIGSEGV" in cases[0]["reason"] or "exited with status" in cases[0]["reason"], cases[0]
EOF
  expect_exit 2 "case-timeout must be a positive" check --case fwd_training/f32/nchw/n2c3h4w4 \
    --backend naive --case-timeout -1
  expect_exit 2 "case-timeout must be a positive" check --case fwd_training/f32/nchw/n2c3h4w4 \
    --backend naive --case-timeout nan
}

# Starts a timed sweep, SIGKILLs it once the result file holds >= 6 cases, checks the file still
# parses with them, then --resume completes it: every case of `bnbench list` once, in list order,
# the killed file's cases carried over with what they measured unchanged (timing samples too).
section_resume() {
  local out="$work/killed.json"
  local args=(run configs/ci_smoke.json --backends naive --filter '^fwd_(training|inference)/f32/'
              --repetitions 3 --min-time 0.002 --warmup 0 --threads 1 --quiet)
  $py - "$bnbench" "$out" "${args[@]}" <<'EOF' || fail "SIGKILL mid-sweep lost a finished case"
import json, os, signal, subprocess, sys, time
exe, out, args = sys.argv[1], sys.argv[2], sys.argv[3:]
proc = subprocess.Popen([exe] + args + ["--out", out], stdout=subprocess.DEVNULL)
deadline = time.time() + 120
count = 0
while time.time() < deadline and proc.poll() is None:
    try:
        count = len(json.load(open(out))["cases"])
    except (OSError, ValueError):
        count = 0
    if count >= 6:
        break
    time.sleep(0.005)
assert proc.poll() is None, "the sweep ended before it could be killed"
os.kill(proc.pid, signal.SIGKILL)
proc.wait()
doc = json.load(open(out))
assert doc["run"]["status"] == "running", doc["run"]["status"]
assert len(doc["cases"]) >= count >= 6, (len(doc["cases"]), count)
json.dump(doc, open(out + ".killed", "w"))
print(f"killed with {len(doc['cases'])} cases recorded")
EOF
  "$bnbench" "${args[@]}" --resume "$out" >"$work/resume.log" 2>&1 || fail "resume exited $?"
  grep -q "recorded cases of .* are carried over" "$work/resume.log" || fail "resume message"
  "$bnbench" list configs/ci_smoke.json --backends naive --filter '^fwd_(training|inference)/f32/' \
    --threads 1 >"$work/list.txt" || fail "list"
  $py scripts/validate_result.py "$out" || fail "resumed result does not validate"
  $py - "$out" "$work/list.txt" <<'EOF' || fail "resumed file differs from the full sweep"
import json, sys
doc = json.load(open(sys.argv[1]))
killed = json.load(open(sys.argv[1] + ".killed"))["cases"]
listed = [line.split()[1:4] for line in open(sys.argv[2]) if line.startswith(("run ", "skip "))]
got = [[c["backend"], c["id"], "t%d" % c["threads"]] for c in doc["cases"]]
assert got == listed, (len(got), len(listed))
assert doc["run"]["status"] == "complete"
assert doc["run"]["resumed_from"]["cases"] == len(killed)
by_key = {(c["id"], c["backend"], c["threads"]): c for c in doc["cases"]}
measured = ("status", "reason", "check", "timing", "details", "check_seconds", "command")
for c in killed:  # what the case measured is carried; roofline % is redone on this run's probes
    carried = by_key[(c["id"], c["backend"], c["threads"])]
    assert all(carried.get(k) == c.get(k) for k in measured), c["id"]
print(f"resumed: {len(killed)} carried + {len(got) - len(killed)} run = {len(got)} cases")
EOF
  expect_exit 2 "made by .bnbench run., this is .bnbench check." check configs/ci_smoke.json \
    --backends naive --resume "$out"
  expect_exit 2 "made with seed 1, this run uses seed 9" run configs/ci_smoke.json --backends naive \
    --seed 9 --resume "$out"
  echo '{"cases": [' >"$work/garbage.json"
  expect_exit 2 "not a result file" check configs/ci_smoke.json --resume "$work/garbage.json"
}

# Two processes writing results at once: into one folder (default names differ by pid) and into
# the same explicit file (the last rename wins, the file is always one whole document).
section_concurrent() {
  local args=(run configs/ci_smoke.json --backends naive --filter '^bwd/f32/nchw/' --repetitions 2
              --min-time 0 --warmup 0 --threads 1 --quiet)
  mkdir -p "$work/results"
  "$bnbench" "${args[@]}" --out "$work/results" >/dev/null &
  local a=$!
  "$bnbench" "${args[@]}" --out "$work/results" >/dev/null &
  local b=$!
  "$bnbench" "${args[@]}" --out "$work/same.json" >/dev/null &
  local c=$!
  "$bnbench" "${args[@]}" --out "$work/same.json" >/dev/null &
  local d=$!
  wait $a || fail "writer a exited $?"
  wait $b || fail "writer b exited $?"
  wait $c || fail "writer c exited $?"
  wait $d || fail "writer d exited $?"
  local files=("$work"/results/*.json)
  [ "${#files[@]}" -eq 2 ] || fail "expected 2 result files, got ${#files[@]}: ${files[*]}"
  $py scripts/validate_result.py "${files[@]}" "$work/same.json" || fail "a result is corrupt"
  $py - "${files[@]}" "$work/same.json" <<'EOF' || fail "incomplete result"
import json, sys
docs = [json.load(open(p)) for p in sys.argv[1:]]
assert all(d["run"]["status"] == "complete" for d in docs)
assert len({len(d["cases"]) for d in docs}) == 1
print("concurrent writers: %d complete files of %d cases" % (len(docs), len(docs[0]["cases"])))
EOF
  ls "$work"/results | grep -q '\.tmp\.' && fail "temporary files left behind"
}

section_bad_input() {
  local bad_json ok_case=fwd_training/f32/nchw/n2c3h4w4
  bad_json="$(config malformed.json $'{\n  "shapes": ["n2c3",\n    ]\n}')"
  expect_exit 2 "malformed.json: line 3, column 5: malformed JSON" check "$bad_json"
  expect_exit 2 "unknown key 'layout' \(did you mean 'layouts'\?\)" check \
    "$(config key.json '{"shapes": ["n2c3"], "layout": ["nchw"]}')"
  expect_exit 2 "/layouts: expected a list" check \
    "$(config type.json '{"shapes": ["n2c3"], "layouts": "nchw"}')"
  expect_exit 2 "/threads/0: expected an integer" check \
    "$(config type2.json '{"shapes": ["n2c3"], "threads": [1.5]}')"
  expect_exit 2 "axis 'layouts' is empty" check \
    "$(config empty.json '{"shapes": ["n2c3"], "layouts": []}')"
  expect_exit 2 "unknown backend 'nosuch' \(known: naive" check configs/ci_smoke.json \
    --backends naive,nosuch
  expect_exit 2 "/momentum/0: must be in \[0, 1\]" check \
    "$(config range.json '{"shapes": ["n2c3"], "momentum": [1.5]}')"
  expect_exit 2 "malformed JSON" check "$(config nan.json '{"shapes": ["n2c3"], "eps": [NaN]}')"
  expect_exit 2 "huge.json: line 1, column 30: number out of range: 1e999" check \
    "$(config huge.json '{"shapes": ["n2c3"], "eps": [1e999]}')"
  expect_exit 2 "eps must be finite and >= 0 \(got nan\)" check --case "$ok_case/eps=nan" \
    --backend naive
  expect_exit 2 "momentum must be in \[0, 1\] \(got 2\)" check --case "$ok_case/momentum=2" \
    --backend naive
  expect_exit 2 "M = 1" check --case fwd_training/f32/nchw/n1c3 --backend naive
  expect_exit 2 "n99999999999999999999" check --case fwd_training/f32/nchw/n99999999999999999999c3 \
    --backend naive
  expect_exit 2 "threads must be >= 1" check --case "$ok_case" --backend naive --threads -1
  expect_exit 2 "max-memory must be positive" check --case "$ok_case" --backend naive --max-memory -5G
  expect_exit 0 "SKIPPED.*needs .* \([0-9]+ bytes\), over the memory limit" check \
    --case fwd_training/f32/nchw/n1024c1024h1024w1024 --backend naive
  $py -c 'import json, sys; json.dump({"shapes": ["n2c%dh3w3" % i for i in range(1, 41)],
    "eps": [i * 1e-3 for i in range(40)], "momentum": [i / 40 for i in range(40)],
    "threads": list(range(1, 41))}, open(sys.argv[1], "w"))' "$work/explode.json"
  expect_exit 2 "the axes multiply to more than 1000000 combinations" list "$work/explode.json"
  touch "$work/a_file"
  expect_exit 2 "a_file" check --case "$ok_case" --backend naive --out "$work/a_file/r.json"
  expect_exit 2 "cannot open" check "$work/absent.json"
}

# .npy inputs (`check --inputs DIR`): a wrong dtype, a wrong shape and a truncated body are each
# refused with the file and what is wrong.
section_bad_npy() {
  "$bnbench" check --case fwd_training/f32/nchw/n2c3h4w4 --backend naive --dump "$work/dump" \
    --dump-all >/dev/null || fail "dump"
  local bundle
  bundle="$(dirname "$(find "$work/dump" -name x.npy | head -1)")"
  [ -n "$bundle" ] || { fail "no bundle written"; return; }
  expect_exit 0 "PASSED" check --inputs "$bundle" --backend naive
  cp -r "$bundle" "$work/dtype" && cp -r "$bundle" "$work/shape" && cp -r "$bundle" "$work/trunc"
  $py - "$work" <<'EOF' || fail "making bad .npy files"
import numpy, sys
w = sys.argv[1]
x = numpy.load(w + "/dtype/x.npy")
numpy.save(w + "/dtype/x.npy", x.astype(numpy.float64))
numpy.save(w + "/shape/x.npy", x.reshape(2, 3, 16))
raw = open(w + "/trunc/x.npy", "rb").read()
open(w + "/trunc/x.npy", "wb").write(raw[:-10])
EOF
  expect_exit 2 "x.npy.*float32.*float64" check --inputs "$work/dtype" --backend naive
  expect_exit 2 "x.npy.*shape.*\(2, 3, 16\)" check --inputs "$work/shape" --backend naive
  expect_exit 2 "x.npy.*(truncated|short|bytes)" check --inputs "$work/trunc" --backend naive
}

case "$section" in
  isolate) section_isolate ;;
  resume) section_resume ;;
  concurrent) section_concurrent ;;
  bad_input) section_bad_input ;;
  bad_npy) section_bad_npy ;;
  *) echo "unknown section '$section'" >&2; exit 2 ;;
esac
if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "all ok"
