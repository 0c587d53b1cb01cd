"""Report figures: the matplotlib charts of a bnbench report, each saved as PNG and SVG.

Invariant: a figure is drawn only from data the results hold; a function returns None (and draws
nothing) when its data are absent, and the page says why. Colors are fixed per backend (sorted
name order) and per verdict, so every figure of a report uses the same legend.
"""
import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import ListedColormap, LogNorm  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from report_data import GOOD, SEVERITY  # noqa: E402

VERDICT_COLORS = {"PASSED": "#4caf50", "WARN": "#ffc107", "MISTRUSTED": "#9c27b0", "SKIPPED": "#d9d9d9",
                  "FAILED": "#e53935", "ERROR": "#212121", "TIMEOUT": "#5d4037", "CRASHED": "#000000"}
MISSING = "#ffffff"


def _backend_colors(backends):
    cmap = plt.get_cmap("tab10")
    return {b: cmap(i % 10) for i, b in enumerate(backends)}


def _save(fig, out_dir, stem):
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out_dir, f"{stem}.{ext}"), dpi=110, bbox_inches="tight",
                    metadata={"Date": None} if ext == "svg" else None)
    plt.close(fig)
    return stem


def gbps_by_shape(data, out_dir, direction):
    """Per shape, GB/s by backend, one panel per layout, with this run's one-pass ideal drawn in."""
    layouts = [l for (d, l) in data.groups() if d == direction]
    if not layouts:
        return None
    colors = _backend_colors(data.backends)
    keys = {l: [] for l in layouts}
    for c in data.timed():
        if c["direction"] == direction and c["layout"] in keys:
            key = (c["variant"], c["threads"])
            if key not in keys[c["layout"]]:
                keys[c["layout"]].append(key)
    widest = max(len(k) for k in keys.values())
    fig, axes = plt.subplots(len(layouts), 1, squeeze=False, layout="constrained",
                             figsize=(min(40, max(8, 0.22 * widest * len(data.backends) + 2)), 3.6 * len(layouts)))
    for ax, layout in zip(axes[:, 0], layouts):
        rows = keys[layout]
        width = 0.8 / len(data.backends)
        ideal_drawn = set()
        for j, backend in enumerate(data.backends):
            for i, key in enumerate(rows):
                case = next((c for c in data.timed() if c["direction"] == direction and c["layout"] == layout
                             and c["backend"] == backend and (c["variant"], c["threads"]) == key), None)
                if case is None or not case["gbps"]:
                    continue
                bad = case["status"] not in GOOD
                ax.bar(i + (j - (len(data.backends) - 1) / 2) * width, case["gbps"], width,
                       color=colors[backend], hatch="xx" if bad else ("//" if case["cache_resident"] else None),
                       edgecolor="#e53935" if bad else "white", linewidth=0.6)
                if case["ideal_gbps"] and (i, case["threads"]) not in ideal_drawn:
                    ideal_drawn.add((i, case["threads"]))
                    ax.hlines(case["ideal_gbps"], i - 0.45, i + 0.45, colors="black", linestyles="--", linewidth=1.2)
        ax.set_xticks(range(len(rows)))
        multi_threads = len({t for _, t in rows}) > 1
        ax.set_xticklabels([v + (f" t{t}" if multi_threads else "") for v, t in rows], rotation=30, ha="right",
                           fontsize=8)
        ax.set_ylabel("GB/s (minimal bytes)")
        ax.set_title(f"{direction}, {layout}", fontsize=10, loc="left")
        ax.grid(axis="y", alpha=0.3)
    handles = [Patch(color=colors[b], label=b) for b in data.backends]
    handles += [plt.Line2D([], [], color="black", linestyle="--", label="one-pass ideal"),
                Patch(facecolor="white", edgecolor="grey", hatch="//", label="cache-resident"),
                Patch(facecolor="white", edgecolor="#e53935", hatch="xx", label="verdict not PASSED/WARN")]
    axes[0, 0].legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle(f"{direction}: bandwidth per shape (higher is better; dashed: the one-pass ideal of this run's "
                 "streaming-store probe)", fontsize=10)
    return _save(fig, out_dir, f"gbps_{direction}")


def percent_of_ideal(data, out_dir):
    """Median % of the one-pass ideal per backend and direction (memory-bound cases only)."""
    table, memory_bound = data.percent_table()
    if not table:
        return None
    directions = [d for d in data.directions if any((b, d) in table for b in data.backends)]
    backends = [b for b in data.backends if any((b, d) in table for d in directions)]
    grid = [[table.get((b, d), math.nan) for d in directions] for b in backends]
    fig, ax = plt.subplots(figsize=(1.8 * len(directions) + 2.5, 0.55 * len(backends) + 1.6))
    top = max([100.0] + [v for row in grid for v in row if not math.isnan(v)])
    image = ax.imshow(grid, cmap="viridis", vmin=0, vmax=top, aspect="auto")
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            ax.text(j, i, "-" if math.isnan(v) else f"{v:.0f}%", ha="center", va="center",
                    color="white" if not math.isnan(v) and v < 0.6 * top else "black", fontsize=9)
    ax.set_xticks(range(len(directions)), directions)
    ax.set_yticks(range(len(backends)), backends)
    fig.colorbar(image, ax=ax, label="% of one-pass ideal")
    ax.set_title("How close to the memory limit: median % of ideal\n" +
                 ("(cases larger than the LLC, PASSED or WARN)" if memory_bound else
                  "(every case fits the LLC: cache bandwidth, not a memory-limit figure)"), fontsize=10)
    return _save(fig, out_dir, "percent_of_ideal")


def speedup(data, out_dir, baseline):
    """Geometric-mean speedup of every backend over the baseline, per direction and layout."""
    table = data.speedups(baseline)
    groups = [g for g in data.groups() if g in table]
    backends = [b for b in data.backends if any(b in table[g] for g in groups)]
    if not groups or not backends:
        return None
    grid = [[table[g].get(b, math.nan) for g in groups] for b in backends]
    finite = [v for row in grid for v in row if not math.isnan(v)]
    span = max(2.0, max(max(finite), 1 / min(finite)))
    fig, ax = plt.subplots(figsize=(1.5 * len(groups) + 2.5, 0.55 * len(backends) + 1.8))
    image = ax.imshow(grid, cmap="RdBu", norm=LogNorm(1 / span, span), aspect="auto")
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            ax.text(j, i, "-" if math.isnan(v) else f"{v:.2f}x", ha="center", va="center", fontsize=9)
    ax.set_xticks(range(len(groups)), [f"{d}\n{l}" for d, l in groups], fontsize=8)
    ax.set_yticks(range(len(backends)), backends)
    bar = fig.colorbar(image, ax=ax, label=f"speedup over {baseline} (log scale)")
    ticks = [t for t in (0.125, 0.25, 0.5, 1, 2, 4, 8, 16) if 1 / span <= t <= span]
    bar.ax.minorticks_off()
    bar.set_ticks(ticks, labels=[f"{t:g}x" for t in ticks])
    ax.set_title(f"Speedup over {baseline}: geometric mean of {baseline} time / backend time\n"
                 "(blue: faster than the baseline, red: slower)", fontsize=10)
    return _save(fig, out_dir, f"speedup_over_{baseline}")


def accuracy_map(data, out_dir):
    """Worst tolerance ratio per backend x case, colored by verdict."""
    first = {}
    for c in data.cases:
        first.setdefault((c["direction"], c["layout"], c["variant"], c["threads"]), len(first))
    cases = sorted(first, key=lambda k: (data.directions.index(k[0]) if k[0] in data.directions else 9, k[1],
                                         first[k]))
    if not cases:
        return None
    index = {k: i for i, k in enumerate(cases)}
    codes = [[-1] * len(cases) for _ in data.backends]
    ratios = [[None] * len(cases) for _ in data.backends]
    for c in data.cases:
        i, j = data.backends.index(c["backend"]), index[(c["direction"], c["layout"], c["variant"], c["threads"])]
        codes[i][j] = SEVERITY.index(c["status"]) if c["status"] in SEVERITY else len(SEVERITY) - 1
        ratios[i][j] = c["worst_ratio"]
    cmap = ListedColormap([MISSING] + [VERDICT_COLORS[v] for v in SEVERITY])
    fig, ax = plt.subplots(figsize=(min(40, max(8, 0.32 * len(cases) + 3)), 0.6 * len(data.backends) + 2.4))
    ax.imshow([[v + 1 for v in row] for row in codes], cmap=cmap, vmin=0, vmax=len(SEVERITY), aspect="auto",
              interpolation="nearest")
    if len(cases) <= 80:
        for i, row in enumerate(ratios):
            for j, r in enumerate(row):
                if r is not None:
                    ax.text(j, i, f"{r:.2g}", ha="center", va="center", fontsize=6, rotation=90)
        ax.set_xticks(range(len(cases)), [f"{d[:7]}/{l}/{v}" + (f" t{t}" if t != 1 else "")
                                          for d, l, v, t in cases], rotation=90, fontsize=6)
    else:
        starts = [i for i, k in enumerate(cases) if i == 0 or k[:2] != cases[i - 1][:2]]
        ax.set_xticks(starts, [f"{cases[i][0]}/{cases[i][1]}" for i in starts], rotation=90, fontsize=7)
    ax.set_yticks(range(len(data.backends)), data.backends)
    present = sorted({c["status"] for c in data.cases}, key=lambda v: SEVERITY.index(v) if v in SEVERITY else 99)
    ax.legend(handles=[Patch(color=VERDICT_COLORS.get(v, "black"), label=v) for v in present] +
              [Patch(facecolor=MISSING, edgecolor="grey", label="not run")],
              fontsize=7, ncol=len(present) + 1, loc="lower left", bbox_to_anchor=(0, 1.02))
    ax.set_title("Accuracy: worst tensor's error / tolerance per case (numbers; <= 1 passes), colored by verdict",
                 fontsize=10, pad=28)
    return _save(fig, out_dir, "accuracy_map")


def network_totals(data, out_dir):
    """Time of one pass over every batch-norm layer of a network, per backend and variant."""
    rows = data.network_totals()
    if not rows:
        return None
    colors = _backend_colors(data.backends)
    variants = []
    for r in rows:
        key = (r["shape_set"], r["variant"], r["threads"])
        if key not in variants:
            variants.append(key)
    backends = [b for b in data.backends if any(r["backend"] == b for r in rows)]
    height = 0.8 / max(1, len(backends))
    fig, ax = plt.subplots(figsize=(10, 0.3 * len(variants) * len(backends) + 1.5))
    for j, backend in enumerate(backends):
        for i, key in enumerate(variants):
            r = next((r for r in rows if (r["shape_set"], r["variant"], r["threads"]) == key and
                      r["backend"] == backend), None)
            if r is None:
                continue
            ax.barh(i + (j - (len(backends) - 1) / 2) * height, 1e3 * r["seconds"], height, color=colors[backend],
                    hatch=None if r["all_passed"] else "xx", edgecolor="white" if r["all_passed"] else "#e53935")
    ax.set_yticks(range(len(variants)), [f"{s}: {v} t{t}" for s, v, t in variants], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("ms per pass over all batch-norm layers (lower is better)")
    handles = [Patch(color=colors[b], label=b) for b in backends]
    handles.append(Patch(facecolor="white", edgecolor="#e53935", hatch="xx", label="not every layer PASSED/WARN"))
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.grid(axis="x", alpha=0.3)
    ax.set_title("Network totals: sum over the shape set of median x layer count", fontsize=10)
    return _save(fig, out_dir, "network_totals")
