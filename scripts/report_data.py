"""Report data: bnbench result files read into flat cases and the tables a report shows.

Invariant: every number here comes from the result files (or configs/shapes for a network's
layer list); nothing is estimated. A field a result lacks (probes, % of ideal, network totals)
stays None and the report says so instead of guessing. Several files merge into one list of cases;
a backend that appears in more than one file is named `backend@N` (N = the file's position,
from 1) so that two runs of one backend stay apart.
"""
import json
import math
import os
from collections import OrderedDict, defaultdict

SCHEMA_MAJOR = 1
DIRECTIONS = ["fwd_training", "fwd_inference", "bwd", "bwd_data"]
LAYOUTS = ["nchw", "nhwc", "nchw16c"]
SEVERITY = ["PASSED", "WARN", "MISTRUSTED", "SKIPPED", "FAILED", "ERROR", "TIMEOUT", "CRASHED"]
GOOD = ("PASSED", "WARN")
NOISY = 0.05  # IQR / median above this is a noisy timing (measure.h's default limit)
DRIFT = 0.10  # probe bandwidth change between start and end that makes a run suspect
SHAPES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs", "shapes")


class ReportError(Exception):
    """An input the report cannot use (exit 2)."""


def _number(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    if value in ("inf", "nan", "-inf"):
        return float(value)
    return None


def _load(path):
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise ReportError(f"{path}: {e}")
    major = (doc.get("schema_version") or {}).get("major") if isinstance(doc, dict) else None
    if major != SCHEMA_MAJOR:
        raise ReportError(f"{path}: result schema major {major}; this report reads major {SCHEMA_MAJOR}")
    return doc


def _probe_table(doc):
    """{threads: {kernel: GB/s}} from the start probes (the ones % of ideal uses)."""
    probes = (doc.get("run") or {}).get("probes") or {}
    table = {}
    for p in probes.get("start", []) if isinstance(probes, dict) else probes:
        table[p.get("threads")] = {k: v.get("gbps") for k, v in (p.get("kernels") or {}).items()}
    return table


def _case(raw, run_index, series, probes):
    parts = raw["id"].split("/")
    problem = raw.get("problem") or {}
    timing = raw.get("timing") or {}
    check = raw.get("check") or {}
    direction = problem.get("direction", parts[0])
    case = {
        "id": raw["id"], "backend": series, "threads": raw.get("threads", 1), "run": run_index,
        "status": raw.get("status", "ERROR"), "direction": direction,
        "layout": problem.get("layout", parts[2] if len(parts) > 2 else "?"),
        "variant": "/".join(p for i, p in enumerate(parts) if i not in (0, 2)),
        "shape": parts[3] if len(parts) > 3 else raw["id"],
        "median_s": _number(timing.get("median_s")), "noise": _number(timing.get("noise")),
        "gbps": _number(raw.get("gbps")), "worst_ratio": _number(check.get("worst_ratio")),
        "worst_tensor": check.get("worst_tensor", ""), "reason": raw.get("reason", ""),
        "shape_set": raw.get("shape_set"), "layer_count": raw.get("layer_count", 1),
        "cache_resident": raw.get("cache_resident"), "percent": _number(raw.get("percent_of_ideal")),
        "ideal_gbps": _number(raw.get("ideal_gbps")),
        "samples": [v for v in timing.get("samples_s") or [] if isinstance(v, (int, float))],
        "interleaved": timing.get("schedule") == "interleaved",
    }
    if case["ideal_gbps"] is None and case["threads"] in probes:
        kernel = "triad_nt" if direction.startswith("bwd") else "copy_nt"
        case["ideal_gbps"] = _number(probes[case["threads"]].get(kernel))
    if case["percent"] is None and case["gbps"] and case["ideal_gbps"]:
        case["percent"] = 100 * case["gbps"] / case["ideal_gbps"]
    return case


def time_ratio(slow, fast):
    """slow's time over fast's. Cases of one run sampled in turns (timing.schedule "interleaved",
    the same number of rounds) are paired round by round, and the ratio is the median of the
    per-round ratios: each pair shared the machine's conditions of its moment, so a burst of the
    neighbours' load cancels out. Otherwise, the ratio of the medians."""
    a, b = slow["samples"], fast["samples"]
    if slow["interleaved"] and fast["interleaved"] and slow["run"] == fast["run"] and a and len(a) == len(b):
        ratios = sorted(x / y for x, y in zip(a, b) if y > 0)
        if len(ratios) == len(a):
            mid = len(ratios) // 2
            return ratios[mid] if len(ratios) % 2 else 0.5 * (ratios[mid - 1] + ratios[mid])
    return slow["median_s"] / fast["median_s"]


class ReportData:
    def __init__(self, paths):
        self.paths = list(paths)
        self.docs = [_load(p) for p in self.paths]
        seen = defaultdict(set)
        for i, doc in enumerate(self.docs):
            for c in doc.get("cases", []):
                seen[c.get("backend")].add(i)
        self.probes = [_probe_table(doc) for doc in self.docs]
        self.cases = []
        for i, doc in enumerate(self.docs):
            for raw in doc.get("cases", []):
                name = raw.get("backend", "?")
                series = f"{name}@{i + 1}" if len(seen[name]) > 1 else name
                self.cases.append(_case(raw, i, series, self.probes[i]))
        self.backends = sorted({c["backend"] for c in self.cases})
        self.directions = [d for d in DIRECTIONS if any(c["direction"] == d for c in self.cases)]
        self.layouts = [l for l in LAYOUTS if any(c["layout"] == l for c in self.cases)]
        self.has_probes = any(self.probes)
        self.has_percent = any(c["percent"] is not None for c in self.cases)

    def timed(self):
        return [c for c in self.cases if c["median_s"]]

    def groups(self):
        """(direction, layout) pairs that have timed cases, in a fixed order."""
        have = {(c["direction"], c["layout"]) for c in self.timed()}
        return [(d, l) for d in DIRECTIONS for l in LAYOUTS if (d, l) in have]

    def winners(self):
        """{(direction, layout): OrderedDict(variant@threads -> winning case)} among PASSED/WARN."""
        out = OrderedDict()
        for d, l in self.groups():
            rows = OrderedDict()
            for c in self.timed():
                if (c["direction"], c["layout"]) != (d, l) or c["status"] not in GOOD:
                    continue
                key = (c["variant"], c["threads"])
                if key not in rows or c["median_s"] < rows[key]["median_s"]:
                    rows[key] = c
            out[(d, l)] = rows
        return out

    def default_baseline(self):
        for name in ("onednn", "naive"):
            if name in self.backends:
                return name
        return self.backends[0] if self.backends else None

    def speedups(self, baseline):
        """{(direction, layout): {backend: geomean speedup over baseline}} and the case count."""
        base = {(c["id"], c["threads"]): c for c in self.timed() if c["backend"] == baseline}
        logs = defaultdict(list)
        for c in self.timed():
            b = base.get((c["id"], c["threads"]))
            if c["backend"] != baseline and b:
                logs[(c["direction"], c["layout"], c["backend"])].append(math.log(time_ratio(b, c)))
        table = defaultdict(dict)
        for (d, l, backend), values in logs.items():
            table[(d, l)][backend] = math.exp(sum(values) / len(values))
        return table

    def percent_table(self):
        """({(backend, direction): median % of ideal}, memory_bound): over the PASSED/WARN cases that
        are not cache-resident, or over all of them (memory_bound False) when every case fits the LLC."""
        with_percent = [c for c in self.timed() if c["percent"] is not None and c["status"] in GOOD]
        memory_bound = [c for c in with_percent if not c["cache_resident"]]
        values = defaultdict(list)
        for c in memory_bound or with_percent:
            values[(c["backend"], c["direction"])].append(c["percent"])
        return {k: sorted(v)[len(v) // 2] for k, v in values.items()}, bool(memory_bound)

    def network_totals(self):
        """Rows {shape_set, backend, variant, threads, layers, seconds, all_passed}: the files' own
        totals when they have them, else sums of median x layer_count over complete shape sets."""
        rows = []
        for i, doc in enumerate(self.docs):
            for t in doc.get("network_totals") or []:
                series = [c["backend"] for c in self.cases if c["run"] == i and
                          c["backend"].split("@")[0] == t["backend"]]
                rows.append(dict(t, backend=series[0] if series else t["backend"]))
        return rows if rows else self._computed_totals()

    def _computed_totals(self):
        sums = OrderedDict()
        for c in self.timed():
            if not c["shape_set"]:
                continue
            variant = "/".join("*" if i == 3 else p for i, p in enumerate(c["id"].split("/")))
            key = (c["shape_set"], variant, c["threads"], c["backend"])
            s = sums.setdefault(key, {"shape_set": c["shape_set"], "backend": c["backend"], "variant": variant,
                                      "direction": c["direction"], "threads": c["threads"], "layers": 0,
                                      "seconds": 0.0, "all_passed": True, "shapes": set()})
            s["shapes"].add(c["shape"])
            s["layers"] += c["layer_count"]
            s["seconds"] += c["median_s"] * c["layer_count"]
            s["all_passed"] = s["all_passed"] and c["status"] in GOOD
        rows = []
        for s in sums.values():
            if len(s["shapes"]) == _set_size(s["shape_set"], sums):
                rows.append(dict(s, shapes=len(s["shapes"])))
        return rows

    def warnings(self):
        """Lines about machines, builds, noise and probes a reader must know before trusting a number."""
        out = []
        machines = {(d.get("machine") or {}).get("cpu_model", "?") + " / " +
                    str((d.get("machine") or {}).get("hostname", "?")) for d in self.docs}
        if len(machines) > 1:
            out.append("results come from different machines: " + "; ".join(sorted(machines)))
        builds = {json.dumps({k: (d.get("build") or {}).get(k) for k in ("type", "compiler", "flags")},
                             sort_keys=True) for d in self.docs}
        if len(builds) > 1:
            out.append("results come from different builds (type, compiler or flags differ)")
        for path, doc in zip(self.paths, self.docs):
            name = os.path.basename(path)
            build = doc.get("build") or {}
            if build.get("type") not in (None, "Release"):
                out.append(f"{name}: {build.get('type')} build: timings say little")
            if (doc.get("run") or {}).get("status") != "complete":
                out.append(f"{name}: the run did not finish (status {(doc.get('run') or {}).get('status')})")
            for h in (doc.get("run") or {}).get("noise_hazards") or []:
                out.append(f"{name}: {h}")
        noisy = [c for c in self.timed() if c["noise"] is not None and c["noise"] > NOISY]
        if noisy:
            out.append(f"{len(noisy)} of {len(self.timed())} timed cases are noisy (IQR / median above "
                       f"{100 * NOISY:.0f}%): read small differences between backends as ties")
        if self.timed() and not self.has_percent:
            out.append("no bandwidth probes in these results: % of the one-pass ideal cannot be shown")
        return out


def _set_size(name, sums):
    """Shapes of a set: configs/shapes/<name>.json when readable, else every shape seen for it."""
    try:
        with open(os.path.join(SHAPES_DIR, name + ".json")) as f:
            return len(json.load(f)["shapes"])
    except (OSError, ValueError, KeyError):
        return max(len(s["shapes"]) for s in sums.values() if s["shape_set"] == name)
