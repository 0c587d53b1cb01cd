#!/usr/bin/python3
"""scripts/report.py on fixed results: every figure from a full fixture, and a partial result
(two backends, no probes, no shape sets) that still gives a complete page saying what is missing.

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


def main(out_dir):
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
    print("report: every figure drawn; partial result handled")


if __name__ == "__main__":
    main(sys.argv[1])
