#!/usr/bin/python3
"""bnbench report: turns one or more result files into a folder a reader understands without
running anything: index.html, report.md and figures/ (PNG and SVG).

    /usr/bin/python3 scripts/report.py RESULT.json [MORE.json ...] [--out DIR] [--baseline BACKEND]

The default folder is results/reports/<first result's name>/. Shows which backend wins each shape
and direction, how close each gets to the memory limit (% of the one-pass ideal, when the run has
bandwidth probes), speedups over a baseline backend (default onednn, else naive), the accuracy of
every case, network totals, and the machine, build and noise warnings.

Invariant: index.html and report.md carry the same sections, built once as a list of blocks; a
section whose data are absent says so in place of its figure. Exit 0 on success, 2 on unusable
input (unreadable file, another schema major, unknown baseline).
"""
import argparse
import html
import os
import sys

import report_figures as figures
from report_data import GOOD, ReportData, ReportError, time_ratio

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def _fmt_time(s):
    return f"{s:.2f} s" if s >= 1 else f"{s * 1e3:.3f} ms" if s >= 1e-3 else f"{s * 1e6:.2f} us"


def _pct(v):
    return "-" if v is None else f"{v:.0f}%"


def _header_blocks(data):
    rows = []
    for path, doc in zip(data.paths, data.docs):
        m, b, r, c = (doc.get(k) or {} for k in ("machine", "build", "run", "config"))
        rows.append([os.path.basename(path), c.get("name", "?"), r.get("started", "?"),
                     f"{m.get('cpu_model', '?')}, {m.get('logical_cpus', '?')} CPUs, host {m.get('hostname', '?')}",
                     f"{b.get('type', '?')} {b.get('compiler', '?')} {b.get('flags', '')}, commit {b.get('git_commit', '?')}",
                     str(len(doc.get("cases", [])))])
    blocks = [("table", ["result", "config", "started", "machine", "build", "cases"], rows)]
    for i, probes in enumerate(data.probes):
        sources = [c.get("ideal_source") for c in data.docs[i].get("cases", []) if c.get("ideal_gbps")]
        in_turns = sum(1 for v in sources if v == "interleaved_probe")
        judged = (f"{in_turns} of its {len(sources)} cases with an ideal were judged by the probe passes timed in "
                  f"turns with them (ideal_source interleaved_probe), the others (within the last-level cache, or not "
                  f"interleaved) by these start figures"
                  if in_turns else "every case with an ideal was judged by these start figures")
        for threads, kernels in sorted(probes.items()):
            text = ", ".join(f"{k} {v:.1f}" for k, v in kernels.items() if v)
            blocks.append(("p", f"Bandwidth probes of {os.path.basename(data.paths[i])} at the start, {threads} threads "
                                f"(GB/s): {text}. The one-pass ideal is copy_nt (forward) or triad_nt (backward); "
                                f"{judged}."))
    return blocks


def _winner_blocks(data):
    rows = []
    for (d, l), winners in data.winners().items():
        for (variant, threads), best in winners.items():
            others = [c for c in data.timed() if c["id"] == best["id"] and c["threads"] == threads
                      and c["backend"] != best["backend"] and c["status"] in GOOD]
            second = min(others, key=lambda c: c["median_s"], default=None)
            rows.append([d, l, variant, str(threads), f"**{best['backend']}**", f"{best['gbps']:.1f}",
                         _pct(best["percent"]) + (" (LLC)" if best["cache_resident"] else ""),
                         _fmt_time(best["median_s"]),
                         f"{second['backend']} {time_ratio(second, best):.2f}x slower" if second else "-"])
    if not rows:
        return [("p", "No case was timed with a PASSED or WARN verdict.")]
    return [("p", "The fastest backend with a PASSED or WARN verdict on each case. (LLC): the working set fits the "
                  "last-level cache, so its % of ideal is not a memory-bandwidth figure."),
            ("table", ["direction", "layout", "case", "threads", "fastest", "GB/s", "% of ideal", "time",
                       "runner-up"], rows)]


def _failure_blocks(data):
    bad = [c for c in data.cases if c["status"] not in GOOD and c["status"] != "SKIPPED"]
    if not bad:
        return [("p", "Every case that ran PASSED or WARNed.")]
    rows = [[c["backend"], c["id"], str(c["threads"]), c["status"], c["worst_tensor"],
             "-" if c["worst_ratio"] is None else f"{c['worst_ratio']:.3g}", c["reason"]] for c in bad]
    return [("p", f"{len(bad)} case(s) did not pass:"),
            ("table", ["backend", "case", "threads", "verdict", "worst tensor", "ratio", "reason"], rows)]


def _figure(stem, alt, missing):
    if stem is None:
        return [("p", f"*No figure: {missing}*")]
    return [("img", stem, alt)]


def build_blocks(data, out_dir, baseline):
    fig_dir = os.path.join(out_dir, "figures")
    os.makedirs(fig_dir, exist_ok=True)
    names = ", ".join(sorted({(d.get("config") or {}).get("name", "?") for d in data.docs}))
    blocks = [("h1", f"bnbench report: {names}")] + _header_blocks(data)
    warnings = data.warnings()
    blocks += [("h2", "Warnings"), ("ul", warnings or ["none"])]
    blocks.append(("h2", "How close to the memory limit"))
    blocks += _figure(figures.percent_of_ideal(data, fig_dir), "% of ideal per backend and direction",
                      "no % of ideal in these results (bnbench run records it with its bandwidth probes)")
    blocks.append(("h2", f"Speedup over {baseline}"))
    blocks += _figure(figures.speedup(data, fig_dir, baseline), f"speedup over {baseline}",
                      f"no case timed on both {baseline} and another backend")
    speedups = data.speedups(baseline)
    rows = [[d, l] + [f"{speedups[(d, l)][b]:.2f}x" if b in speedups[(d, l)] else "-"
                      for b in data.backends if b != baseline] for d, l in data.groups() if (d, l) in speedups]
    if rows:
        blocks.append(("table", ["direction", "layout"] + [b for b in data.backends if b != baseline], rows))
    blocks.append(("h2", "Accuracy"))
    blocks += _figure(figures.accuracy_map(data, fig_dir), "accuracy map", "no case")
    blocks += _failure_blocks(data)
    blocks += [("h2", "Which backend wins each case")] + _winner_blocks(data)
    blocks.append(("h2", "Bandwidth per shape"))
    for d in data.directions:
        blocks += _figure(figures.gbps_by_shape(data, fig_dir, d), f"GB/s per shape, {d}",
                          f"no timed {d} case")
    blocks.append(("h2", "Network totals"))
    blocks += _figure(figures.network_totals(data, fig_dir), "network totals",
                      "no case from a shape set with layer counts (configs/shapes), or no complete set")
    totals = data.network_totals()
    if totals:
        blocks.append(("table", ["shape set", "variant", "threads", "backend", "layers", "time per pass", "all passed"],
                       [[t["shape_set"], t["variant"], str(t["threads"]), t["backend"], str(t["layers"]),
                         _fmt_time(t["seconds"]), "yes" if t["all_passed"] else "**no**"] for t in totals]))
    return blocks


def to_markdown(blocks):
    out = []
    for b in blocks:
        if b[0] == "h1":
            out.append(f"# {b[1]}\n")
        elif b[0] == "h2":
            out.append(f"## {b[1]}\n")
        elif b[0] == "p":
            out.append(b[1] + "\n")
        elif b[0] == "ul":
            out.append("\n".join(f"- {item}" for item in b[1]) + "\n")
        elif b[0] == "table":
            cells = lambda row: "| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |"  # noqa: E731
            out.append("\n".join([cells(b[1]), "|" + "---|" * len(b[1])] + [cells(r) for r in b[2]]) + "\n")
        elif b[0] == "img":
            out.append(f"![{b[2]}](figures/{b[1]}.png) ([SVG](figures/{b[1]}.svg))\n")
    return "\n".join(out)


def _inline(text):
    text = html.escape(text)
    while text.count("**") >= 2:
        text = text.replace("**", "<b>", 1).replace("**", "</b>", 1)
    while text.count("*") >= 2:
        text = text.replace("*", "<i>", 1).replace("*", "</i>", 1)
    return text


STYLE = """body{font-family:sans-serif;max-width:1400px;margin:1em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0;font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px}
th{background:#f0f0f0}img{max-width:100%;border:1px solid #eee}h2{border-bottom:1px solid #ddd}"""


def to_html(blocks):
    out = ["<!DOCTYPE html>", "<html><head><meta charset='utf-8'>",
           f"<title>{html.escape(blocks[0][1])}</title><style>{STYLE}</style></head><body>"]
    for b in blocks:
        if b[0] in ("h1", "h2"):
            out.append(f"<{b[0]}>{_inline(b[1])}</{b[0]}>")
        elif b[0] == "p":
            out.append(f"<p>{_inline(b[1])}</p>")
        elif b[0] == "ul":
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in b[1]) + "</ul>")
        elif b[0] == "table":
            head = "".join(f"<th>{_inline(h)}</th>" for h in b[1])
            body = "".join("<tr>" + "".join(f"<td>{_inline(str(c))}</td>" for c in r) + "</tr>" for r in b[2])
            out.append(f"<table><tr>{head}</tr>{body}</table>")
        elif b[0] == "img":
            out.append(f"<p><a href='figures/{b[1]}.svg'><img src='figures/{b[1]}.png' alt='{html.escape(b[2])}'>"
                       "</a></p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", help="bnbench result files (JSON)")
    parser.add_argument("--out", help="report folder (default: results/reports/<first result's name>)")
    parser.add_argument("--baseline", help="backend the speedups are over (default: onednn, else naive)")
    args = parser.parse_args(argv)
    try:
        data = ReportData(args.results)
    except ReportError as e:
        print(f"report: {e}", file=sys.stderr)
        return 2
    baseline = args.baseline or data.default_baseline()
    if baseline not in data.backends:
        print(f"report: no case of backend '{baseline}' (backends: {', '.join(data.backends)})", file=sys.stderr)
        return 2
    out_dir = args.out or os.path.join(ROOT, "results", "reports",
                                       os.path.splitext(os.path.basename(args.results[0]))[0])
    blocks = build_blocks(data, out_dir, baseline)
    with open(os.path.join(out_dir, "report.md"), "w") as f:
        f.write(to_markdown(blocks))
    with open(os.path.join(out_dir, "index.html"), "w") as f:
        f.write(to_html(blocks))
    print(os.path.join(os.path.abspath(out_dir), "index.html"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
