"""Headline tables for the README, printed as Markdown from bnbench result files.

  /usr/bin/python3 scripts/headline.py flagship RESULT.json [--backend welford_avx512] [--shapes S,...]
  /usr/bin/python3 scripts/headline.py networks RESULT.json [RESULT.json ...]
  /usr/bin/python3 scripts/headline.py targets RESULT.json [--backend welford_avx512]

`flagship`: per case and thread count, the flagship's GB/s, its % of the one-pass ideal, the
two-pass bound (the best % a kernel that reads its inputs twice can reach with this run's probes)
and its speedup over every other backend on the same case, plus over oneDNN's blocked layout (a
peer's verdict is shown beside its ratio when it did not pass; its time still counts). A ratio
between cases sampled in turns is the median of their per-round ratios (report_data.time_ratio).
`targets`: issue 5's targets counted over the memory-bound and the cache-resident shapes: forward
inference at >= 90% of the ideal, forward training and backward at >= 75%, and on how many cases
the flagship is faster than every peer that passed (oneDNN's blocked layout included), with the
peers that beat it.
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

from report_data import DIRECTIONS, GOOD, ReportData, ReportError, time_ratio

MEMORY_BOUND = "n32c64h112w112,n32c256h56w56,n32c512h28w28"
CACHE_RESIDENT = "n32c1024h14w14,n32c2048h7w7,n1024c2048,n2c32d32h32w32"


def two_pass_bound(case, probes):
    """% of the one-pass ideal reachable when the statistics pass reads x (and dy) from memory and
    the second pass reads them again: those inputs at the `read` probe, then the one-pass traffic
    at the streaming-store probe, both from the run's start probe at the case's thread count (a
    bound is a ratio of the two, so it holds whichever probe judged the case's %)."""
    kernel = "triad_nt" if case["direction"].startswith("bwd") else "copy_nt"
    read_gbps, ideal_gbps = probes.get("read"), probes.get(kernel)
    if case["direction"] == "fwd_inference" or not read_gbps or not ideal_gbps:
        return None
    ideal_bytes = 12.0 if case["direction"].startswith("bwd") else 8.0
    reread = ideal_bytes - 4.0  # every input once more; the output is written once
    ideal = ideal_bytes / ideal_gbps
    return 100 * ideal / (reread / read_gbps + ideal)


def _speed(flag, other):
    """The other backend's time over the flagship's; its verdict beside it when it did not pass."""
    if not other:
        return "-"
    verdict = "" if other["status"] in GOOD else f" ({other['status']})"
    return f"{time_ratio(other, flag):.2f}x{verdict}"


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
        bound = two_pass_bound(f, data.probes[f["run"]].get(f["threads"]) or {})
        blocked_id = f["id"].replace(f"/{f['layout']}/", "/nchw16c/")
        others = [(p, cases.get((f["id"], f["threads"], p))) for p in peers]
        others.append(("onednn nchw16c", cases.get((blocked_id, f["threads"], "onednn"))))
        for p, o in others:
            if o:
                logs[p].append(math.log(time_ratio(o, f)))
        rows.append([f"`{f['id']}`", str(f["threads"]), f"{f['gbps']:.1f}",
                     "-" if f["percent"] is None else f"{f['percent']:.0f}%",
                     "-" if bound is None else f"{bound:.0f}%"] + [_speed(f, o) for _, o in others])
    geo = ["geometric mean", "", "", "", ""]
    geo += [f"{math.exp(sum(v) / len(v)):.2f}x" if v else "-" for v in logs.values()]
    return header, rows + [geo]


def _peer_ratios(data, flag, backend):
    """{peer: its time over the flagship's} for the peers of flag's case that passed, oneDNN's
    blocked layout as "onednn nchw16c"."""
    out = {}
    blocked_id = flag["id"].replace(f"/{flag['layout']}/", "/nchw16c/")
    for c in data.timed():
        if c["threads"] != flag["threads"] or c["status"] not in GOOD or c["backend"] == backend:
            continue
        if c["id"] == flag["id"]:
            out[c["backend"]] = time_ratio(c, flag)
        elif c["id"] == blocked_id and c["backend"] == "onednn":
            out["onednn nchw16c"] = time_ratio(c, flag)
    return out


def targets(data, backend):
    lines = []
    for label, shapes, judge_percent in (("memory-bound", MEMORY_BOUND, True),
                                         ("cache-resident", CACHE_RESIDENT, False)):
        flags = [c for c in data.timed() if c["backend"] == backend and c["shape"] in shapes.split(",")]
        if not flags:
            continue
        beaten = OrderedDict()
        fastest = 0
        for f in flags:
            losses = {p: r for p, r in _peer_ratios(data, f, backend).items() if r < 1}
            fastest += not losses
            for p, r in losses.items():
                beaten.setdefault(p, []).append(r)
        line = f"{label}: fastest on {fastest}/{len(flags)}"
        if beaten:
            line += " (slower than " + ", ".join(
                f"{p} on {len(r)} ({min(r):.2f}-{max(r):.2f}x)" for p, r in beaten.items()) + ")"
        if judge_percent:
            for directions, bar in ((("fwd_inference",), 90), (("fwd_training", "bwd"), 75)):
                judged = [f for f in flags if f["direction"] in directions and f["percent"] is not None]
                met = sum(f["percent"] >= bar for f in judged)
                line += f"; {'/'.join(directions)} >= {bar}% of ideal on {met}/{len(judged)}"
        lines.append(line)
    return lines


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
    parser.add_argument("table", choices=["flagship", "networks", "targets"])
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
    elif args.table == "targets":
        lines = targets(data, args.backend)
        print("\n".join(lines) if lines else f"headline: no {args.backend} case on the target shapes")
        return 0 if lines else 2
    else:
        header, rows = networks(data)
    if not rows:
        print("headline: nothing to tabulate in these results", file=sys.stderr)
        return 2
    print(to_markdown(header, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
