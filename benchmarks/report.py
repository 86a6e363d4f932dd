#!/usr/bin/env python3
"""Turns one benchmark run into a Markdown report: Fluxbus against each peer, as ratios, checked against the
targets of the benchmarks issue.

Inputs are JMH's JSON result file (-rf json) and the JSON lines HandOffLatency prints. Only results of the
same run are compared: ratios between runs or machines mean little.

    python3 benchmarks/report.py --jmh results/jmh.json [--latency results/latency.jsonl]
                                 [--burst results/burst.jsonl]
                                 [--out summary.md] [--readme benchmarks/README.md] [--strict]

--readme replaces the text between the results markers of that file; --strict exits 1 when a target is missed
or a result is missing.
"""

import argparse
import datetime
import json
import os
import platform
import re
import sys

PACKAGE = "io.fluxbus.bench."
BEGIN = "<!-- results:begin -->"
END = "<!-- results:end -->"

# (key, title, benchmark class, method (None: every method of the class), parameters the results must have)
SCENARIOS = [
    ("sync1", "Sync publish, 1 subscriber", "SyncPublishBenchmark", None, {"subscribers": "1"}),
    ("sync4", "Sync fan-out, 4 subscribers", "SyncPublishBenchmark", None, {"subscribers": "4"}),
    ("async1", "Async hand-off, 1 producer → 1 subscription (end to end)", "AsyncHandOffBenchmark", "oneProducer", {}),
    ("async2", "Async, 2 producers → 1 subscription (end to end)", "ContendedHandOffBenchmark", "twoProducers", {}),
]

# Targets from the issues (16 supersedes 6), as (scenario, Fluxbus row, peer, minimum Fluxbus/peer ratio).
# "fluxbus" is publish(event) subscribed per event; "fluxbusTryPublish" the eager path.
RATIO_TARGETS = [
    ("sync1", "fluxbus", "sinksDirectBestEffort", 0.5),
    ("sync1", "fluxbusTryPublish", "sinksDirectBestEffort", 0.5),
    ("sync1", "fluxbus", "guavaEventBus", 3.0),
    ("sync4", "fluxbus", "sinksDirectBestEffort", 0.4),
    ("sync4", "fluxbusTryPublish", "sinksDirectBestEffort", 0.4),
    ("sync4", "fluxbus", "guavaEventBus", 3.0),
    ("async1", "fluxbus", "sinks", 1.0),
    ("async1", "fluxbus", "disruptor", 1.0),
    ("async2", "fluxbus", "sinks", 1.0),
]
# (scenario, Fluxbus row, maximum B/event)
ALLOC_TARGETS = [
    ("sync1", "fluxbus", 24.0),
    ("sync1", "fluxbusTryPublish", 0.0),
]
WILDCARD_MAX_RATIO = 1.2
LATENCY_P50_MAX_US = 20.0

PEER_NOTES = {
    "sinksDirectBestEffort": "Sinks.many().multicast().directBestEffort(), tryEmitNext",
    "guavaEventBus": "Guava EventBus.post",
    "sinks": "Sinks onBackpressureBuffer(1024) + publishOn",
    "guava": "Guava AsyncEventBus, 1-thread executor",
    "vertx": "Vert.x local EventBus",
    "disruptor": "Disruptor, BlockingWaitStrategy",
    "abq": "ArrayBlockingQueue(1024)",
    "fluxbusTryPublish": "Fluxbus tryPublish(event), no Mono",
    "fluxbusSourceless": "Fluxbus publish of an event without a source: stamped on a copy",
}
FLUXBUS_ROWS = ("fluxbus", "fluxbusTryPublish", "fluxbusSourceless")


def load_jmh(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load_latency(path):
    rows = []
    if not path or not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                rows.append(json.loads(line))
    return rows


def implementation(result):
    """The implementation a JMH result measured: the impl parameter, else the benchmark method's name."""
    impl = result.get("params", {}).get("impl")
    return impl if impl else result["benchmark"].rsplit(".", 1)[1]


def select(results, cls, method, params):
    """Results of one scenario, keyed by implementation, in the order JMH ran them."""
    chosen = {}
    for r in results:
        bench_cls, bench_method = r["benchmark"][len(PACKAGE):].rsplit(".", 1)
        if bench_cls != cls or (method and bench_method != method):
            continue
        if any(r.get("params", {}).get(k) != v for k, v in params.items()):
            continue
        chosen[implementation(r)] = r
    return chosen


def alloc(result):
    metric = result.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
    return metric["score"] if metric else None


def fmt_rate(score):
    return f"{score / 1e6:.2f} M/s" if score >= 1e5 else f"{score / 1e3:.1f} k/s"


def fmt_error(result):
    err = result["primaryMetric"].get("scoreError")
    try:
        err = float(err)
    except (TypeError, ValueError):
        return ""
    if err != err:  # NaN: a single measurement iteration
        return ""
    return f" ± {err / result['primaryMetric']['score'] * 100:.0f}%"


def fmt_alloc(value):
    return "—" if value is None else f"{value:.0f}"


def verdict(ok):
    return "met" if ok else "**missed**"


def header(results, latency):
    first = results[0] if results else {}
    lines = [
        f"Run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} CPUs "
        f"({cpu_model()}), {platform.system()} {platform.release()}; "
        f"JDK {first.get('jdkVersion', '?')} ({first.get('vmName', '?')}), JMH {first.get('jmhVersion', '?')}.",
    ]
    if first:
        lines.append(
            f"JMH profile: {first.get('forks')} fork, {first.get('warmupIterations')} × {first.get('warmupTime')} warm-up, "
            f"{first.get('measurementIterations')} × {first.get('measurementTime')} measurement, "
            f"JVM args {' '.join(first.get('jvmArgs', [])) or '(none)'}; `-prof gc` for allocation.")
    if latency:
        l0 = latency[0]
        lines.append(f"Latency: {l0['events']} paced events per implementation after warm-up, "
                     f"target rate {l0['targetRate']}/s, one JVM per implementation.")
    lines.append("Ratios compare results of this run only. `±` is JMH's 99.9% error over the measurement iterations.")
    return lines


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def load_burst(path):
    return load_latency(path)


def build(results, latency, burst=()):
    out = []
    checks = []  # (description, ok or None when missing)
    out += header(results, latency)

    tables = {}
    for key, title, cls, method, params in SCENARIOS:
        rows = select(results, cls, method, params)
        tables[key] = rows
        eager = rows.get("fluxbusTryPublish")
        out += ["", f"### {title}", ""]
        if eager:
            out += ["| implementation | events/s | B/event | publish ÷ this | tryPublish ÷ this |",
                    "|---|---:|---:|---:|---:|"]
        else:
            out += ["| implementation | events/s | B/event | Fluxbus ÷ this |", "|---|---:|---:|---:|"]
        ours = rows.get("fluxbus")
        if not rows:
            out.append("| (no results) | | | |")
            continue
        for impl, r in rows.items():
            score = r["primaryMetric"]["score"]
            if impl == "fluxbus":
                name = "**fluxbus** (publish(event), the Mono subscribed per event)"
            elif impl in FLUXBUS_ROWS:
                name = f"**{impl}** ({PEER_NOTES.get(impl, '')})"
            else:
                name = f"{impl} ({PEER_NOTES.get(impl, '')})"
            cells = []
            for mine in ([ours, eager] if eager else [ours]):
                cells.append("—" if impl in FLUXBUS_ROWS or not mine
                             else f"{mine['primaryMetric']['score'] / score:.2f}×")
            out.append(f"| {name} | {fmt_rate(score)}{fmt_error(r)} | {fmt_alloc(alloc(r))} | " + " | ".join(cells) + " |")

    for key, mine, peer, minimum in RATIO_TARGETS:
        rows = tables.get(key, {})
        title = next(t for k, t, *_ in SCENARIOS if k == key)
        what = "Fluxbus" if mine == "fluxbus" else mine
        desc = f"{title}: {what} ≥ {minimum:g}× {peer}"
        if mine in rows and peer in rows:
            ratio = rows[mine]["primaryMetric"]["score"] / rows[peer]["primaryMetric"]["score"]
            checks.append((f"{desc} (got {ratio:.2f}×)", ratio >= minimum))
        else:
            checks.append((desc, None))
    for key, mine, maximum in ALLOC_TARGETS:
        rows = tables.get(key, {})
        desc = f"Allocation per sync publish, {mine}: ≤ {maximum:g} B"
        value = alloc(rows[mine]) if mine in rows else None
        checks.append((f"{desc} (got {value:.1f} B)", value <= maximum + 0.5) if value is not None else (desc, None))

    wildcard = {r["params"]["subscriptions"]: r for r in results
                if r["benchmark"] == PACKAGE + "WildcardPublishBenchmark.fluxbus"}
    out += ["", "### Publish cost with wildcard subscriptions (3 of them match)", "",
            "| subscriptions | ns/publish | B/publish |", "|---:|---:|---:|"]
    for n in sorted(wildcard, key=int):
        r = wildcard[n]
        out.append(f"| {int(n):,} | {r['primaryMetric']['score']:.1f}{fmt_error(r)} | {fmt_alloc(alloc(r))} |")
    desc = f"Publish with 10 000 subscriptions ≤ {WILDCARD_MAX_RATIO:g}× the cost with 3"
    if "3" in wildcard and "10000" in wildcard:
        ratio = wildcard["10000"]["primaryMetric"]["score"] / wildcard["3"]["primaryMetric"]["score"]
        out.append(f"\nCost ratio 10 000 ÷ 3: {ratio:.2f}×")
        checks.append((f"{desc} (got {ratio:.2f}×)", ratio <= WILDCARD_MAX_RATIO))
    else:
        checks.append((desc, None))

    out += ["", "### One-way hand-off latency, paced (µs)", "",
            "| implementation | achieved rate | p50 | p90 | p99 | p99.9 | max |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    if not latency:
        out.append("| (no results) | | | | | | |")
    for row in latency:
        name = "**fluxbus**" if row["impl"] == "fluxbus" else f"{row['impl']} ({PEER_NOTES.get(row['impl'], '')})"
        out.append(f"| {name} | {row['achievedRate']:,.0f}/s | {row['p50_us']:.1f} | {row['p90_us']:.1f} | "
                   f"{row['p99_us']:.1f} | {row['p999_us']:.1f} | {row['max_us']:.1f} |")
    ours = next((r for r in latency if r["impl"] == "fluxbus"), None)
    desc = f"Hand-off p50 ≤ {LATENCY_P50_MAX_US:g} µs"
    checks.append((f"{desc} (got {ours['p50_us']:.1f} µs)", ours["p50_us"] <= LATENCY_P50_MAX_US) if ours
                  else (desc, None))
    peer = next((r for r in latency if r["impl"] == "sinks"), None)
    desc = "Hand-off p99.9 ≤ sinks'"
    checks.append((f"{desc} (got {ours['p999_us']:.1f} µs vs {peer['p999_us']:.1f} µs)",
                   ours["p999_us"] <= peer["p999_us"]) if ours and peer else (desc, None))

    out += ["", "### Burst into an idle bus (drop mode)", "",
            "| implementation | burst | buffer | first delivery p50 (µs) | p90 (µs) | lost per burst, mean | p50 | max |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    if not burst:
        out.append("| (no results) | | | | | | | |")
    burst_notes = {"fluxbus": "MemoryEventBus.create(), subscribeAsync, publish per event",
                   "sinks": "Sinks onBackpressureBuffer(128) + publishOn prefetch 128"}
    for row in burst:
        name = "**fluxbus**" if row["impl"] == "fluxbus" else row["impl"]
        out.append(f"| {name} ({burst_notes.get(row['impl'], '')}) | {row['size']:,} | {row['buffer']} | "
                   f"{row['firstDelivery_p50_us']:.1f} | {row['firstDelivery_p90_us']:.1f} | "
                   f"{row['lost_mean']:,.1f} | {row['lost_p50']:,} | {row['lost_max']:,} |")
    ours = next((r for r in burst if r["impl"] == "fluxbus"), None)
    peer = next((r for r in burst if r["impl"] == "sinks"), None)
    desc = "Burst: Fluxbus loses no more than sinks (mean per burst)"
    checks.append((f"{desc} (got {ours['lost_mean']:,.1f} vs {peer['lost_mean']:,.1f})",
                   ours["lost_mean"] <= peer["lost_mean"]) if ours and peer else (desc, None))

    out += ["", "### Targets", ""]
    for desc, ok in checks:
        out.append(f"- {desc}: {'**no result**' if ok is None else verdict(ok)}")
    return "\n".join(out) + "\n", checks


def fill_readme(path, report):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{path} has no {BEGIN} … {END} section to fill")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    text = pattern.sub(lambda _: f"{BEGIN}\n{report}{END}", text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jmh", required=True, help="JMH JSON result file")
    parser.add_argument("--latency", help="JSON lines from HandOffLatency")
    parser.add_argument("--burst", help="JSON lines from BurstLoss")
    parser.add_argument("--out", help="also write the report to this file")
    parser.add_argument("--readme", help="fill the results section of this Markdown file")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed or has no result")
    args = parser.parse_args()

    report, checks = build(load_jmh(args.jmh), load_latency(args.latency), load_burst(args.burst))
    print(report)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(report)
    if args.readme:
        fill_readme(args.readme, report)
    if args.strict and any(ok is not True for _, ok in checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
