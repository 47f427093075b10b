#!/usr/bin/env python3
"""Prints the last criterion run as a table: each gdprkit figure beside its raw baselines from the
same run, with the ratio of throughputs (raw time / gdprkit time; 1.0 means as fast as raw)."""

import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")


def load(group, name):
    d = root / group / name / "new"
    est = json.loads((d / "estimates.json").read_text())
    bench = json.loads((d / "benchmark.json").read_text())
    median = est["median"]["point_estimate"]
    lo = est["median"]["confidence_interval"]["lower_bound"]
    hi = est["median"]["confidence_interval"]["upper_bound"]
    elements = (bench.get("throughput") or {}).get("Elements")
    return median, lo, hi, elements


def fmt_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def fmt_rate(elements, ns):
    rate = elements / (ns / 1e9)
    return f"{rate / 1e6:.3g} M/s" if rate >= 1e6 else f"{rate / 1e3:.3g} k/s"


print("| benchmark | gdprkit (median, 95% CI) | throughput | baseline | baseline median | ratio |")
print("|---|---|---|---|---|---|")
for group in sorted(p.name for p in root.iterdir() if (p / "gdprkit").is_dir()):
    ours, lo, hi, elements = load(group, "gdprkit")
    baselines = sorted(p.name for p in (root / group).iterdir() if p.name.startswith("raw"))
    for i, raw in enumerate(baselines):
        theirs, _, _, _ = load(group, raw)
        first = i == 0
        print(
            f"| {group if first else ''} | {f'{fmt_time(ours)} ({fmt_time(lo)}–{fmt_time(hi)})' if first else ''} "
            f"| {fmt_rate(elements, ours) if first and elements else ''} | {raw} | {fmt_time(theirs)} "
            f"| {theirs / ours:.2f} |"
        )
