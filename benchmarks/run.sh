#!/usr/bin/env bash
# Builds the benchmarks, runs every scenario with Fluxbus and its peers side by side (short profile: about
# 5 minutes on 2 vCPUs), and prints Fluxbus-to-peer ratios against the targets. See benchmarks/README.md.
#
#   benchmarks/run.sh                      # build, run everything, fill the README's results section
#   benchmarks/run.sh 'SyncPublish'        # only JMH benchmarks matching this regex (latency still runs)
#
# Environment (defaults in brackets):
#   FORKS [1] WARMUP_ITERATIONS [5] WARMUP_TIME [1s] ITERATIONS [5] ITERATION_TIME [1s]   JMH profile
#   LATENCY_IMPLS ["fluxbus sinks abq disruptor"]   hand-off latency runs; empty to skip
#   LATENCY_RATE [10000] LATENCY_WARMUP [20000] LATENCY_EVENTS [50000]
#   BURST_IMPLS ["fluxbus sinks"]   burst-into-an-idle-bus runs (BurstLoss); empty to skip
#   BURST_SIZE [2000] BURST_COUNT [200] BURST_WARMUP [100]
#   SKIP_BUILD [0]      1: use the existing benchmarks/target/benchmarks.jar
#   MVN_ARGS []         extra Maven arguments, e.g. -o
#   FILL_README [1]     0: leave benchmarks/README.md alone
#   FLUXBUS_LOCK [/tmp/fluxbus-mvn.lock]   held for the whole build and run, so that no other build on the
#                       machine competes for the 2 cores while we measure; do not wrap this script in flock
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=benchmarks/hold-lock.sh
source benchmarks/hold-lock.sh

filter="${1:-io.fluxbus.bench.*Benchmark}"
results="benchmarks/results"
stamp="$(date +%Y%m%d-%H%M%S)"
jmh_json="$results/jmh-$stamp.json"
latency_json="$results/latency-$stamp.jsonl"
burst_json="$results/burst-$stamp.jsonl"
summary="$results/summary-$stamp.md"
jar="benchmarks/target/benchmarks.jar"
mkdir -p "$results"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "== building" >&2
  # shellcheck disable=SC2086
  ./mvnw -B -q -pl benchmarks -am package -DskipTests ${MVN_ARGS:-}
fi

echo "== JMH: $filter" >&2
java -jar "$jar" "$filter" \
  -f "${FORKS:-1}" \
  -wi "${WARMUP_ITERATIONS:-5}" -w "${WARMUP_TIME:-1s}" \
  -i "${ITERATIONS:-5}" -r "${ITERATION_TIME:-1s}" \
  -prof gc \
  -rf json -rff "$jmh_json"

: >"$latency_json"
for impl in ${LATENCY_IMPLS-fluxbus sinks abq disruptor}; do
  echo "== hand-off latency: $impl" >&2
  java -Xms1g -Xmx1g -cp "$jar" io.fluxbus.bench.HandOffLatency --impl "$impl" \
    --rate "${LATENCY_RATE:-10000}" --warmup "${LATENCY_WARMUP:-20000}" --events "${LATENCY_EVENTS:-50000}" \
    --out "$latency_json"
done

: >"$burst_json"
for impl in ${BURST_IMPLS-fluxbus sinks}; do
  echo "== burst into an idle bus: $impl" >&2
  java -Xms1g -Xmx1g -cp "$jar" io.fluxbus.bench.BurstLoss --impl "$impl" \
    --size "${BURST_SIZE:-2000}" --bursts "${BURST_COUNT:-200}" --warmup "${BURST_WARMUP:-100}" \
    --out "$burst_json"
done

readme_args=()
if [[ "${FILL_README:-1}" == 1 ]]; then
  readme_args=(--readme benchmarks/README.md)
fi
echo >&2
python3 benchmarks/report.py --jmh "$jmh_json" --latency "$latency_json" --burst "$burst_json" --out "$summary" \
  "${readme_args[@]}"
cp "$summary" "$results/latest.md"
echo "raw results: $jmh_json, $latency_json, $burst_json; report: $summary" >&2
