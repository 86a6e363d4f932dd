#!/usr/bin/env bash
# The redis engine's benchmarks, side by side in one run with redis-benchmark at the same concurrency, reported as
# ratios (see benchmarks/README.md, "Redis engine"). Needs a Redis (FLUXBUS_REDIS_URL, default 127.0.0.1:6379) and
# redis-benchmark on the PATH.
#
#   benchmarks/redis.sh
#
# Environment (defaults in brackets):
#   IN_FLIGHT [50]     publishes outstanding at once: the engine's flatMap concurrency, redis-benchmark's -c / -P
#   REQUESTS [200000]  requests per redis-benchmark run
#   LATENCY_RATE [1000] LATENCY_WARMUP [10000] LATENCY_EVENTS [10000]   paced publish->handler latency runs (the
#                      warm-up is long because a cold JVM falls behind at this rate and queues up for seconds)
#   SKIP_BUILD [0]     1: use the existing benchmarks/target/benchmarks.jar
#   FLUXBUS_LOCK [/tmp/fluxbus-mvn.lock]   held for the whole build and run (do not wrap in flock)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=benchmarks/hold-lock.sh
source benchmarks/hold-lock.sh

url="${FLUXBUS_REDIS_URL:-redis://127.0.0.1:6379}"
hostport="${url#*://}"; hostport="${hostport#*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"; [[ "$port" == "$host" ]] && port=6379
in_flight="${IN_FLIGHT:-50}"
requests="${REQUESTS:-200000}"
results="benchmarks/results"
stamp="$(date +%Y%m%d-%H%M%S)"
jmh_json="$results/redis-jmh-$stamp.json"
latency_json="$results/redis-latency-$stamp.jsonl"
ceilings="$results/redis-benchmark-$stamp.csv"
summary="$results/redis-summary-$stamp.md"
jar="benchmarks/target/benchmarks.jar"
mkdir -p "$results"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "== building" >&2
  ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi

# The engine's entry, as bytes of the same size: the CloudEvents JSON of the benchmark's event (~300 B).
payload="$(java -cp "$jar" io.fluxbus.bench.RedisPayload)"

echo "== redis-benchmark at $host:$port, $in_flight in flight" >&2
: >"$ceilings"
bench() { # name, clients, pipeline, command...
  local name="$1" clients="$2" pipeline="$3"; shift 3
  local rps
  rps="$(redis-benchmark -h "$host" -p "$port" -c "$clients" -P "$pipeline" -n "$requests" --csv "$@" \
    | tail -n 1 | awk -F'","' '{print $(NF-6)}')"
  # the command, quoted unescaped, may hold commas and quotes: the 7th field from the end is the rate
  echo "$name,$clients,$pipeline,$rps" | tee -a "$ceilings" >&2
}
bench PUBLISH "$in_flight" 1 PUBLISH bench:rb:chan "$payload"
bench PUBLISH 1 "$in_flight" PUBLISH bench:rb:chan "$payload"
bench XADD "$in_flight" 1 XADD bench:rb:stream MAXLEN '~' 100000 '*' e "$payload" t order.placed o rb
bench XADD 1 "$in_flight" XADD bench:rb:stream MAXLEN '~' 100000 '*' e "$payload" t order.placed o rb
redis-cli -h "$host" -p "$port" del bench:rb:stream >/dev/null

echo "== JMH RedisPublishThroughput" >&2
java -jar "$jar" RedisPublishThroughput -p inFlight="$in_flight" -rf json -rff "$jmh_json"

: >"$latency_json"
for impl in lettucePubsub pubsub lettuceXread streams group; do
  echo "== publish->handler latency: $impl" >&2
  java -Xms512m -Xmx512m -cp "$jar" io.fluxbus.bench.RedisLatency --impl "$impl" \
    --rate "${LATENCY_RATE:-1000}" --warmup "${LATENCY_WARMUP:-10000}" --events "${LATENCY_EVENTS:-10000}" \
    --out "$latency_json"
done

python3 - "$jmh_json" "$ceilings" "$latency_json" "$in_flight" >"$summary" <<'PY'
import csv, json, sys
jmh, ceilings, latency, in_flight = sys.argv[1:]
score = {}
for r in json.load(open(jmh)):
    score[r["params"]["impl"]] = (r["primaryMetric"]["score"], r["primaryMetric"]["scoreError"])
best = {}
rows = list(csv.reader(open(ceilings)))
for name, clients, pipeline, rps in rows:
    best[(name, clients, pipeline)] = float(rps)
def ceiling(cmd, clients, pipeline):
    return best[(cmd, clients, pipeline)]
n = in_flight
print(f"Publish throughput, {n} publishes in flight (events/s; ratios to raw Lettuce on one connection and to "
      f"redis-benchmark with {n} commands in flight: {n} connections, or one connection pipelining {n}):\n")
print(f"| what | events/s | ÷ raw Lettuce | ÷ redis-benchmark -c {n} -P 1 | ÷ redis-benchmark -c 1 -P {n} |")
print("|---|---:|---:|---:|---:|")
for impl, raw, cmd in (("streams", "lettuceXadd", "XADD"), ("pubsub", "lettucePublish", "PUBLISH"),
                       ("lettuceXadd", "lettuceXadd", "XADD"), ("lettucePublish", "lettucePublish", "PUBLISH")):
    s, e = score[impl]
    name = f"engine, {impl} mode" if impl in ("streams", "pubsub") else f"raw Lettuce {cmd}"
    print(f"| {name} | {s:,.0f} ± {e:,.0f} | {s / score[raw][0]:.2f}× | {s / ceiling(cmd, n, '1'):.2f}× "
          f"({ceiling(cmd, n, '1'):,.0f}) | {s / ceiling(cmd, '1', n):.2f}× ({ceiling(cmd, '1', n):,.0f}) |")
print("\nPublish -> handler latency, paced (µs):\n")
print("| what | rate/s | p50 | p90 | p99 | max |")
print("|---|---|---|---|---|---|")
for line in open(latency):
    r = json.loads(line)
    print(f"| {r['impl']} | {r['rate']} | {r['p50_us']:.0f} | {r['p90_us']:.0f} | {r['p99_us']:.0f} | {r['max_us']:.0f} |")
PY
cat "$summary"
echo "(raw results in $results/redis-*-$stamp.*)" >&2
