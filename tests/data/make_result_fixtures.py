#!/usr/bin/python3
"""Writes the small, fixed result files the compare and report tests read.

compare_base.json / compare_new.json: two runs of a few cases built so that every label of
`bnbench compare` occurs once or more (SAME, FASTER, SLOWER, NEW, GONE, STATUS-CHANGED both ways,
a case inside the noise band, a case with too few repetitions for the U test, a skipped case) and
the build and thread counts differ. report_run.json: one run with probes, % of ideal, cache
residency, network totals, shape sets and a failed case, so that scripts/report.py draws every
figure. Invariant: no randomness and no clock: rerunning this script rewrites identical bytes.
Run it after a schema change, then refresh the expected Markdown (see tests/test_compare_runs.cpp).
"""
import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SPREAD = [-0.012, -0.008, -0.004, -0.002, 0.0, 0.003, 0.006, 0.01, 0.02, 0.035, 0.05]


def quantile(sorted_values, q):
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def timing(median, reps=9, scale=1.0):
    offsets = SPREAD[:reps]
    mid = sorted(offsets)[reps // 2]
    samples = [median * (1 + scale * (o - mid)) for o in offsets]
    s = sorted(samples)
    n = len(s)
    mean = sum(s) / n
    std = (sum((x - mean) ** 2 for x in s) / (n - 1)) ** 0.5 if n > 1 else 0.0
    q1, q3 = quantile(s, 0.25), quantile(s, 0.75)
    med = quantile(s, 0.5)
    return {"samples_s": samples, "median_s": med, "min_s": s[0], "max_s": s[-1], "mean_s": mean,
            "stddev_s": std, "q1_s": q1, "q3_s": q3, "iqr_s": q3 - q1, "noise": (q3 - q1) / med,
            "inner_iterations": 10, "warmup_iterations": 10, "warmup_s": 0.01, "repetitions": n,
            "timer": "host_steady_clock", "cache": "warm", "stop_reason": "repetitions",
            "total_s": 10 * median * n, "noise_limit": 0.05, "noisy": (q3 - q1) / med > 0.05}


def shape_of(text):
    n = int(text[1:text.index("c")])
    rest = text[text.index("c") + 1:]
    digits = ""
    while rest and rest[0].isdigit():
        digits, rest = digits + rest[0], rest[1:]
    spatial = []
    while rest:
        rest = rest[1:]
        d = ""
        while rest and rest[0].isdigit():
            d, rest = d + rest[0], rest[1:]
        spatial.append(int(d))
    return n, int(digits), spatial


def record(direction, layout, shape, backend, threads=2, status="PASSED", median=None, reps=9,
           scale=1.0, ratio=0.05, extras="", shape_set=None, layer_count=1):
    n, c, spatial = shape_of(shape)
    elements = n * c
    for d in spatial:
        elements *= d
    per_activation = extras == "per_activation"
    s = 1
    for d in spatial:
        s *= d
    case_id = f"{direction}/f32/{layout}/{shape}" + (f"/{extras}" if extras else "")
    r = {"id": case_id, "backend": backend,
         "problem": {"direction": direction, "mode": "per_activation" if per_activation else "spatial",
                     "dtype": "f32", "layout": layout, "n": n, "c": c, "spatial": spatial,
                     "eps": 1e-05, "momentum": 0.1, "affine": True, "running_stats": True,
                     "global_stats": False, "inplace": False, "fill": "normal",
                     "reduction_size": n if per_activation else n * s,
                     "features": c * s if per_activation else c},
         "threads": threads, "seed": 1, "status": status,
         "reason": "" if status == "PASSED" else f"{status.lower()} in this fixture",
         "command": f"bnbench check --case '{case_id}' --backend {backend} --seed 1 --threads {threads}",
         "bytes_moved": float((3 if direction.startswith("bwd") else 2) * elements * 4),
         "details": {}, "check_seconds": 0.01}
    if shape_set:
        r["shape_set"], r["layer_count"] = shape_set, layer_count
    if status == "SKIPPED":
        r["reason"] = "not supported in this fixture"
        return r
    worst = "dx" if direction.startswith("bwd") else "y"
    verdict = "WARN" if status == "WARN" else status
    r["check"] = {"verdict": verdict, "reason": r["reason"], "worst_tensor": worst, "worst_ratio": ratio,
                  "tensors": [{"tensor": worst, "layer": "end_to_end", "verdict": verdict, "ratio": ratio,
                               "ratio_warn": ratio / 4, "peak": {"index": 0, "n": 0, "c": 0, "s": 0,
                                                                 "expected": 1.0, "got": 1.0},
                               "max_abs_error": 1e-7, "max_rel_error": 1e-7, "max_ulps": 1.0,
                               "rel_l1": 1e-8, "rel_l2": 1e-8, "rel_linf": 1e-7, "count": elements,
                               "nan_expected": 0, "nan_got": 0, "inf_expected": 0, "inf_got": 0,
                               "nan_hidden": 0, "pattern_mismatches": 0}]}
    if median is not None:
        r["timing"] = timing(median, reps, scale)
        r["gbps"] = r["bytes_moved"] / r["timing"]["median_s"] / 1e9
    return r


def header(config, commit, flags, started):
    return {"schema_version": {"major": 1, "minor": 0},
            "tool": {"name": "bnbench", "version": "0.1.0"},
            "build": {"type": "Release", "flags": flags, "compiler": "GNU 12.2.0", "git_commit": commit},
            "machine": {"hostname": "fixture-host", "cpu_model": "AMD EPYC 9004 (fixture)",
                        "isa_flags": ["avx2", "avx512f"], "logical_cpus": 2,
                        "caches": [{"level": 2, "type": "Unified", "bytes": 1048576},
                                   {"level": 3, "type": "Unified", "bytes": 33554432}],
                        "memory_bytes": 8589934592, "kernel": "Linux 6.1 x86_64", "governor": "unknown",
                        "hypervisor": True, "load_average_1m": 0.5},
            "config": {"path": f"configs/{config}.json", "name": config, "seed": 1, "case_count": 0, "raw": {}},
            "settings": {"threads": 0, "max_memory_bytes": 4294967296},
            "backends": [{"name": "naive", "description": "textbook loops", "version": "bnbench", "device": "cpu"},
                         {"name": "onednn", "description": "oneDNN primitives", "version": "2.6.3", "device": "cpu"}],
            "run": {"mode": "run", "command_line": "bnbench run", "started": started, "finished": started,
                    "status": "complete",
                    "noise_hazards": ["running under a hypervisor: other guests share the memory system"]}}


def compare_runs():
    shape = "n2c32h5w5"
    base_cases = [
        record("fwd_training", "nchw", shape, "naive", median=1.0e-3),
        record("fwd_training", "nchw", shape, "onednn", median=0.5e-3),
        record("fwd_training", "nhwc", shape, "naive", median=1.0e-3),
        record("fwd_training", "nhwc", shape, "onednn", median=0.4e-3, scale=8),
        record("bwd", "nchw", shape, "naive", median=2.0e-3, reps=5),
        record("bwd", "nchw", shape, "onednn", median=1.0e-3),
        record("bwd", "nhwc", shape, "onednn", status="FAILED", median=0.8e-3, ratio=7.5),
        record("bwd", "nhwc", shape, "naive", median=1.5e-3),
        record("fwd_inference", "nchw", shape, "naive", median=0.3e-3),
        record("fwd_training", "nhwc", "n2c17l5", "onednn", status="SKIPPED", extras="per_activation"),
    ]
    new_cases = [
        record("fwd_training", "nchw", shape, "naive", median=1.25e-3),
        record("fwd_training", "nchw", shape, "onednn", median=0.505e-3),
        record("fwd_training", "nhwc", shape, "naive", median=0.8e-3),
        record("fwd_training", "nhwc", shape, "onednn", median=0.43e-3, scale=8),
        record("bwd", "nchw", shape, "naive", median=2.3e-3, reps=5),
        record("bwd", "nchw", shape, "onednn", status="FAILED", median=1.0e-3, ratio=3.2),
        record("bwd", "nhwc", shape, "onednn", median=0.8e-3),
        record("bwd", "nhwc", shape, "naive", median=1.5e-3),
        record("fwd_inference", "nchw", shape, "naive", threads=1, median=0.5e-3),
        record("fwd_training", "nhwc", "n2c17l5", "onednn", status="SKIPPED", extras="per_activation"),
    ]
    base = header("compare_fixture", "aaaaaaaaaaaa", "-O3 -DNDEBUG -march=native", "2026-01-01T00:00:00Z")
    new = header("compare_fixture", "bbbbbbbbbbbb", "-O3 -DNDEBUG -march=native -funroll-loops",
                 "2026-01-02T00:00:00Z")
    base["cases"], new["cases"] = base_cases, new_cases
    for doc in (base, new):
        doc["config"]["case_count"] = len(doc["cases"])
    return base, new


def probe_set(threads, scale):
    kernels = {"read": 20.0, "copy": 25.9, "triad": 25.9, "copy_nt": 38.4, "triad_nt": 36.3}
    return {"threads": threads, "array_bytes": 134217728, "arrays": 3, "llc_bytes": 33554432, "passes": 2,
            "beyond_llc": True, "seconds": 1.0,
            "kernels": {k: {"gbps": v * scale, "bytes_per_element": {"read": 4, "copy": 8, "copy_nt": 8}.get(k, 12),
                            "best_s": 0.01, "median_s": 0.011} for k, v in kernels.items()}}


# GB/s of the peers on the minimal byte model at 2 threads (perf-anchors.md), per direction.
PEERS = {("onednn", "nchw"): (5.8, 11.5, 8.8), ("onednn", "nhwc"): (17.1, 50.9, 17.6),
         ("pytorch", "nchw"): (8.2, 66.3, 27.9), ("pytorch", "nhwc"): (27.1, 59.7, 28.8),
         ("naive", "nchw"): (7.9, 35.2, 17.3), ("naive", "nhwc"): (12.3, 40.1, 17.9)}
RESNET = [("n32c256h56w56", 4), ("n32c512h28w28", 5), ("n32c2048h7w7", 3)]


def report_run():
    doc = header("report_fixture", "cccccccccccc", "-O3 -DNDEBUG -march=native", "2026-01-03T00:00:00Z")
    doc["backends"].append({"name": "pytorch", "description": "ATen CPU kernels", "version": "1.13", "device": "cpu"})
    doc["run"]["probes"] = {"start": [probe_set(2, 71.5 / 38.4)], "end": [probe_set(2, 0.85 * 71.5 / 38.4)]}
    doc["run"]["noise_hazards"].append("probe bandwidth changed 15% between start and end (copy_nt)")
    cases = []
    for d_index, direction in enumerate(["fwd_training", "fwd_inference", "bwd"]):
        for layout in ["nchw", "nhwc"]:
            for shape, count in RESNET:
                for backend in ["naive", "onednn", "pytorch"]:
                    status, ratio = "PASSED", 0.02 + 0.1 * d_index
                    if backend == "pytorch" and layout == "nhwc" and direction == "fwd_training":
                        status, ratio = "FAILED", 6.3
                    if backend == "onednn" and direction == "bwd" and shape == "n32c2048h7w7":
                        status, ratio = "WARN", 1.8
                    n, c, spatial = shape_of(shape)
                    elements = n * c * spatial[0] * spatial[1]
                    bytes_moved = (3 if direction == "bwd" else 2) * elements * 4
                    gbps = PEERS[(backend, layout)][d_index]
                    cache_resident = shape == "n32c2048h7w7"
                    if cache_resident:
                        gbps *= 2.2
                    r = record(direction, layout, shape, backend, median=bytes_moved / gbps / 1e9, reps=5,
                               status=status, ratio=ratio, shape_set="resnet50", layer_count=count)
                    ideal = probe_set(2, 71.5 / 38.4)["kernels"]["triad_nt" if direction == "bwd" else "copy_nt"]["gbps"]
                    r.update({"ideal_kernel": "triad_nt" if direction == "bwd" else "copy_nt", "ideal_gbps": ideal,
                              "percent_of_ideal": 100 * r["gbps"] / ideal,
                              "working_set_bytes": float(elements * 4 * (3 if direction == "bwd" else 2)),
                              "cache_resident": cache_resident, "pin": "compact"})
                    cases.append(r)
    doc["cases"] = cases
    doc["config"]["case_count"] = len(cases)
    totals = {}
    for r in cases:
        variant = r["id"].split("/")
        variant[3] = "*"
        key = (r["backend"], "/".join(variant), r["threads"])
        t = totals.setdefault(key, {"shape_set": "resnet50", "backend": r["backend"], "variant": "/".join(variant),
                                    "direction": r["problem"]["direction"], "threads": r["threads"],
                                    "shapes": 0, "layers": 0, "seconds": 0.0, "all_passed": True})
        t["shapes"] += 1
        t["layers"] += r["layer_count"]
        t["seconds"] += r["timing"]["median_s"] * r["layer_count"]
        t["all_passed"] = t["all_passed"] and r["status"] in ("PASSED", "WARN")
    doc["network_totals"] = sorted(totals.values(), key=lambda t: (t["variant"], t["threads"], t["seconds"]))
    return doc


def write(name, doc, compact=False):
    """compact: one line per case and per list entry, to keep a large fixture small."""
    with open(os.path.join(HERE, name), "w") as f:
        if not compact:
            json.dump(doc, f, indent=1, sort_keys=True)
        else:
            lines = []
            for key in sorted(doc):
                value = doc[key]
                if isinstance(value, list) and value:
                    items = ",\n".join("  " + json.dumps(v, sort_keys=True) for v in value)
                    lines.append(f' "{key}": [\n{items}\n ]')
                else:
                    lines.append(f' "{key}": {json.dumps(value, sort_keys=True)}')
            f.write("{\n" + ",\n".join(lines) + "\n}")
        f.write("\n")


if __name__ == "__main__":
    base, new = compare_runs()
    write("compare_base.json", base)
    write("compare_new.json", new)
    write("report_run.json", report_run(), compact=True)
