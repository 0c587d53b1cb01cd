"""Headline tables for the README, printed as Markdown from bnbench result files.

  /usr/bin/python3 scripts/headline.py flagship RESULT.json [--backend welford_avx512] [--shapes S,...]
  /usr/bin/python3 scripts/headline.py networks RESULT.json [RESULT.json ...]

`flagship`: per case and thread count, the flagship's GB/s, its % of the one-pass ideal, the
two-pass bound (the best % a kernel that reads its inputs twice can reach with this run's probes)
and its speedup over every other backend on the same case, plus over oneDNN's blocked layout (a
peer's verdict is shown beside its ratio when it did not pass; its time still counts).
`networks`: the time of one pass over a network's layers (layer counts from configs/shapes) per
backend, direction, layout and thread count, with the share of cases that passed.

Invariant: every figure is computed from the result files (timings and the run's own bandwidth
probes); nothing is typed in by hand, so the README tables can be regenerated from the committed
results.
"""
import argparse
import math
import sys
from collections import OrderedDict

from report_data import DIRECTIONS, GOOD, ReportData, ReportError

MEMORY_BOUND = "n32c64h112w112,n32c256h56w56,n32c512h28w28"


def two_pass_bound(case, read_gbps):
    """% of the one-pass ideal reachable when the statistics pass reads x (and dy) from memory and
    the second pass reads them again: those inputs at the `read` probe, then the one-pass traffic
    at the case's own ideal bandwidth (streaming-store probe)."""
    if case["direction"] == "fwd_inference" or not read_gbps or not case["ideal_gbps"]:
        return None
    ideal_bytes = 12.0 if case["direction"].startswith("bwd") else 8.0
    reread = ideal_bytes - 4.0  # every input once more; the output is written once
    ideal = ideal_bytes / case["ideal_gbps"]
    return 100 * ideal / (reread / read_gbps + ideal)


def _speed(flag, other):
    """The other backend's time over the flagship's; its verdict beside it when it did not pass."""
    if not other:
        return "-"
    verdict = "" if other["status"] in GOOD else f" ({other['status']})"
    return f"{other['median_s'] / flag['median_s']:.2f}x{verdict}"


def flagship(data, backend, shapes):
    cases = {(c["id"], c["threads"], c["backend"]): c for c in data.timed()}
    flag_cases = sorted((c for c in data.timed() if c["backend"] == backend and c["shape"] in shapes),
                        key=lambda c: (DIRECTIONS.index(c["direction"]), shapes.index(c["shape"]),
                                       c["layout"], c["threads"]))
    ids = {c["id"] for c in flag_cases}
    peers = [b for b in data.backends if b != backend and any(k[0] in ids and k[2] == b for k in cases)]
    header = ["case", "threads", f"{backend} GB/s", "% of ideal", "two-pass bound"]
    header += [f"vs {p}" for p in peers] + ["vs onednn nchw16c"]
    rows, logs = [], {p: [] for p in peers + ["onednn nchw16c"]}
    for f in flag_cases:
        bound = two_pass_bound(f, (data.probes[f["run"]].get(f["threads"]) or {}).get("read"))
        blocked_id = f["id"].replace(f"/{f['layout']}/", "/nchw16c/")
        others = [(p, cases.get((f["id"], f["threads"], p))) for p in peers]
        others.append(("onednn nchw16c", cases.get((blocked_id, f["threads"], "onednn"))))
        for p, o in others:
            if o:
                logs[p].append(math.log(o["median_s"] / f["median_s"]))
        rows.append([f"`{f['id']}`", str(f["threads"]), f"{f['gbps']:.1f}",
                     "-" if f["percent"] is None else f"{f['percent']:.0f}%",
                     "-" if bound is None else f"{bound:.0f}%"] + [_speed(f, o) for _, o in others])
    geo = ["geometric mean", "", "", "", ""]
    geo += [f"{math.exp(sum(v) / len(v)):.2f}x" if v else "-" for v in logs.values()]
    return header, rows + [geo]


def networks(data):
    totals = OrderedDict()
    for t in sorted(data.network_totals(), key=lambda t: (t["variant"], t["threads"], t["seconds"])):
        totals.setdefault((t["variant"], t["threads"]), []).append(t)
    header = ["pass", "threads", "fastest", "time per network pass", "others (time, all passed)"]
    rows = []
    for (variant, threads), ts in totals.items():
        bases = [t["backend"].split("@")[0] for t in ts]
        # backend@N (one backend in several files) reads as the plain name when the thread count
        # already tells the files apart.
        name = {t["backend"]: b if bases.count(b) == 1 else t["backend"] for t, b in zip(ts, bases)}
        best = ts[0]
        rest = ", ".join(f"{name[t['backend']]} {1e3 * t['seconds']:.1f} ms{'' if t['all_passed'] else ' (not all passed)'}"
                         for t in ts[1:])
        rows.append([f"`{variant}`", str(threads), name[best["backend"]] + ("" if best["all_passed"] else " (not all passed)"),
                     f"{1e3 * best['seconds']:.1f} ms", rest])
    return header, rows


def to_markdown(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("table", choices=["flagship", "networks"])
    parser.add_argument("results", nargs="+")
    parser.add_argument("--backend", default="welford_avx512")
    parser.add_argument("--shapes", default=MEMORY_BOUND, help="comma-separated shapes (flagship)")
    args = parser.parse_args(argv)
    try:
        data = ReportData(args.results)
    except ReportError as e:
        print(f"headline: {e}", file=sys.stderr)
        return 2
    if args.table == "flagship":
        if args.backend not in data.backends:
            print(f"headline: no case of backend '{args.backend}'", file=sys.stderr)
            return 2
        header, rows = flagship(data, args.backend, args.shapes.split(","))
    else:
        header, rows = networks(data)
    if not rows:
        print("headline: nothing to tabulate in these results", file=sys.stderr)
        return 2
    print(to_markdown(header, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
