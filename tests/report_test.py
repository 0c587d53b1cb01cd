#!/usr/bin/python3
"""scripts/report.py on fixed results: every figure from a full fixture, and a partial result
(two backends, no probes, no shape sets) that still gives a complete page saying what is missing;
scripts/headline.py's two-pass bound and network totals on the full fixture; the paired ratio of
cases sampled in turns.

Usage: report_test.py OUT_DIR   (writes OUT_DIR/full and OUT_DIR/partial)
Invariant: each figure exists as non-empty PNG and SVG and index.html and report.md link it.
"""
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
FIGURES = ["gbps_fwd_training", "gbps_fwd_inference", "gbps_bwd", "percent_of_ideal", "speedup_over_onednn",
           "accuracy_map", "network_totals"]


def report(out, *args):
    cmd = ["/usr/bin/python3", os.path.join(ROOT, "scripts", "report.py"), *args, "--out", out]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, f"{cmd} exited {done.returncode}: {done.stderr}"
    assert done.stdout.strip() == os.path.join(os.path.abspath(out), "index.html"), done.stdout
    return [open(os.path.join(out, name)).read() for name in ("index.html", "report.md")]


def check_time_ratio():
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    from report_data import time_ratio

    def case(samples, interleaved, run=0):
        ordered = sorted(samples)
        return {"samples": samples, "interleaved": interleaved, "run": run, "median_s": ordered[len(ordered) // 2]}
    # Round 2 was a burst that slowed both: paired, every round says 2x. The same slow case against
    # a fast one not sampled in turns falls back to the ratio of medians, 10 / 4.
    slow, fast = case([4.0, 4.0, 20.0, 10.0, 10.0], True), case([2.0, 2.0, 10.0, 5.0, 5.0], True)
    assert time_ratio(slow, fast) == 2.0
    fast_seq = dict(fast, interleaved=False, samples=[2.0, 2.0, 10.0, 4.0, 4.0], median_s=4.0)
    assert time_ratio(slow, fast_seq) == 10.0 / 4.0
    assert time_ratio(slow, dict(fast, run=1)) == slow["median_s"] / fast["median_s"]


def main(out_dir):
    check_time_ratio()
    full = os.path.join(out_dir, "full")
    page, markdown = report(full, os.path.join(ROOT, "tests", "data", "report_run.json"), "--baseline", "onednn")
    for stem in FIGURES:
        for ext in ("png", "svg"):
            path = os.path.join(full, "figures", f"{stem}.{ext}")
            assert os.path.getsize(path) > 1000, f"{path} missing or empty"
        assert f"figures/{stem}.png" in page and f"figures/{stem}.png" in markdown, f"{stem} not linked"
    assert "No figure" not in markdown, "the full fixture should draw every figure"
    assert "probe bandwidth changed" in markdown and "FAILED" in markdown

    partial = os.path.join(out_dir, "partial")
    page, markdown = report(partial, os.path.join(ROOT, "tests", "data", "compare_new.json"))
    assert "No figure: no % of ideal" in markdown and "No figure: no case from a shape set" in markdown
    assert "figures/speedup_over_onednn.png" in markdown and "figures/accuracy_map.png" in markdown

    bad = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "report.py"),
                          os.path.join(ROOT, "tests", "data", "bad_layout.json"), "--out",
                          os.path.join(out_dir, "bad")], capture_output=True, text=True)
    assert bad.returncode == 2 and "schema major" in bad.stderr, (bad.returncode, bad.stderr)
    headline = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "headline.py"), "flagship",
                               os.path.join(ROOT, "tests", "data", "report_run.json"), "--backend", "pytorch",
                               "--shapes", "n32c256h56w56"], capture_output=True, text=True)
    assert headline.returncode == 0, headline.stderr
    # fwd_training at 2 threads: read 37.2 GB/s, copy_nt 71.5 GB/s in the fixture's start probes, so
    # a two-pass kernel reaches (8 / 71.5) / (4 / 37.2 + 8 / 71.5) = 51% of the one-pass ideal.
    row = next(l for l in headline.stdout.splitlines() if "fwd_training/f32/nchw/n32c256h56w56" in l)
    assert "| 51% |" in row and "vs onednn" in headline.stdout, headline.stdout
    networks = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "headline.py"), "networks",
                               os.path.join(ROOT, "tests", "data", "report_run.json")], capture_output=True, text=True)
    assert networks.returncode == 0 and "`fwd_training/f32/nhwc/*` | 2 | pytorch (not all passed)" in networks.stdout, \
        networks.stdout
    print("report: every figure drawn; partial result handled; headline tables computed")


if __name__ == "__main__":
    main(sys.argv[1])
