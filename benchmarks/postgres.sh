#!/usr/bin/env bash
# The postgres engine's benchmarks, side by side in one run with pgbench inserting the same row into the same table
# at the same concurrency, reported as ratios (see benchmarks/README.md, "PostgreSQL engine"). Needs a PostgreSQL
# (FLUXBUS_POSTGRES_URL, default r2dbc:postgresql://postgres@127.0.0.1:5432/postgres) and pgbench (on the PATH or
# in /usr/lib/postgresql/*/bin).
#
#   benchmarks/postgres.sh
#
# Environment (defaults in brackets):
#   IN_FLIGHT [16]      concurrent publishes (the engine's flatMap concurrency) and pgbench clients; 1 is always run
#   PGBENCH_TIME [10]   seconds per pgbench run
#   LATENCY_RATE [200] LATENCY_WARMUP [2000] LATENCY_EVENTS [4000]   paced publish->handler latency runs
#   SKIP_BUILD [0]      1: use the existing benchmarks/target/benchmarks.jar
#   MVN_ARGS []         extra Maven arguments, e.g. -o
#   FLUXBUS_LOCK [/tmp/fluxbus-mvn.lock]   held for the whole build and run (do not wrap in flock)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=benchmarks/hold-lock.sh
source benchmarks/hold-lock.sh

url="${FLUXBUS_POSTGRES_URL:-r2dbc:postgresql://postgres@127.0.0.1:5432/postgres}"
rest="${url#*://}"
userinfo=""; [[ "$rest" == *@* ]] && userinfo="${rest%%@*}" && rest="${rest#*@}"
hostport="${rest%%/*}"; database="${rest#*/}"; database="${database%%\?*}"
host="${hostport%%:*}"; port="${hostport##*:}"; [[ "$port" == "$host" ]] && port=5432
pguser="${userinfo%%:*}"; [[ -z "$pguser" ]] && pguser=postgres
if [[ "$userinfo" == *:* ]]; then export PGPASSWORD="${userinfo#*:}"; fi
pgbench="$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1 || true)"
[[ -x "$pgbench" ]] || { echo "pgbench not found on the PATH or in /usr/lib/postgresql/*/bin" >&2; exit 1; }

in_flight="${IN_FLIGHT:-16}"
duration="${PGBENCH_TIME:-10}"
results="benchmarks/results"
stamp="$(date +%Y%m%d-%H%M%S)"
jmh_json="$results/postgres-jmh-$stamp.json"
latency_json="$results/postgres-latency-$stamp.jsonl"
ceilings="$results/postgres-pgbench-$stamp.csv"
script="$results/postgres-pgbench-$stamp.sql"
summary="$results/postgres-summary-$stamp.md"
jar="benchmarks/target/benchmarks.jar"
mkdir -p "$results"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "== building" >&2
  # shellcheck disable=SC2086
  ./mvnw -B -q -pl benchmarks -am package -DskipTests ${MVN_ARGS:-}
fi

# pgbench inserts the engine's row (its CloudEvents JSON, ~260 B) into an engine schema's event_log: same table,
# same indexes, same identity and xid8 defaults, one row per transaction, prepared statements like r2dbc's
bench_schema="fluxbus_pgbench_$(date +%s)"
payload="$(java -cp "$jar" io.fluxbus.bench.PostgresBenchSchema create "$bench_schema")"
cat >"$script" <<SQL
\set id random(1, 2000000000)
INSERT INTO "$bench_schema".event_log (event_id, topic, event_key, origin, partition_no, cloud_event) VALUES (:id, 'order.placed', 'c-42', 'pgbench', 0, '$payload'::jsonb);
SQL

echo "== pgbench at $host:$port/$database, 1 and $in_flight clients, ${duration}s each" >&2
: >"$ceilings"
for clients in 1 "$in_flight"; do
  threads=$(( clients < 2 ? clients : 2 ))
  tps="$("$pgbench" -h "$host" -p "$port" -U "$pguser" -n -M prepared -c "$clients" -j "$threads" -T "$duration" \
    -f "$script" "$database" 2>&1 | awk '/^tps/ {print $3; exit}')"
  echo "pgbench,$clients,$tps" | tee -a "$ceilings" >&2
done
java -cp "$jar" io.fluxbus.bench.PostgresBenchSchema drop "$bench_schema"

echo "== JMH PostgresPublishThroughput" >&2
java -jar "$jar" PostgresPublishThroughput -p inFlight="1,$in_flight" -rf json -rff "$jmh_json"

: >"$latency_json"
for impl in rawNotify local tail group; do
  echo "== publish->handler latency: $impl" >&2
  java -Xms512m -Xmx512m -cp "$jar" io.fluxbus.bench.PostgresLatency --impl "$impl" \
    --rate "${LATENCY_RATE:-200}" --warmup "${LATENCY_WARMUP:-2000}" --events "${LATENCY_EVENTS:-4000}" \
    --out "$latency_json"
done

python3 - "$jmh_json" "$ceilings" "$latency_json" <<'PY' >"$summary"
import csv, json, sys
jmh, ceilings, latency = sys.argv[1:]
score = {}
for r in json.load(open(jmh)):
    score[(r["params"]["impl"], int(r["params"]["inFlight"]))] = (r["primaryMetric"]["score"],
                                                                   r["primaryMetric"]["scoreError"])
pgbench = {int(c): float(t) for _, c, t in csv.reader(open(ceilings))}
print("Publish throughput (events/s; ratio to pgbench inserting the same row at the same concurrency):\n")
print("| what | in flight | events/s | ÷ pgbench | ÷ r2dbc insert |")
print("|---|---:|---:|---:|---:|")
targets = []
for n in sorted(pgbench):
    e, err = score[("engine", n)]
    r, rerr = score[("r2dbcInsert", n)]
    print(f"| **engine publish** | {n} | {e:,.0f} ± {err:,.0f} | **{e / pgbench[n]:.2f}×** | {e / r:.2f}× |")
    print(f"| r2dbc one-row insert | {n} | {r:,.0f} ± {rerr:,.0f} | {r / pgbench[n]:.2f}× | 1.00× |")
    print(f"| pgbench one-row insert (`-c {n}`) | {n} | {pgbench[n]:,.0f} | 1.00× | |")
    targets.append((n, e / pgbench[n]))
print("\nPublish -> handler latency, paced (µs):\n")
print("| what | rate/s | p50 | p90 | p99 | max |")
print("|---|---:|---:|---:|---:|---:|")
p50 = {}
for line in open(latency):
    r = json.loads(line)
    p50[r["impl"]] = r["p50_us"]
    print(f"| {r['impl']} | {r['rate']} | {r['p50_us']:,.0f} | {r['p90_us']:,.0f} | {r['p99_us']:,.0f} | "
          f"{r['max_us']:,.0f} |")
print("\nTargets:\n")
for n, ratio in targets:
    print(f"- publish ≥ 0.5× pgbench at {n} in flight: {ratio:.2f}× — {'met' if ratio >= 0.5 else '**missed**'}")
for impl in ("local", "tail", "group"):
    if impl in p50:
        ms = p50[impl] / 1000
        print(f"- publish→handler p50 ≤ 5 ms ({impl}): {ms:.2f} ms — {'met' if ms <= 5 else '**missed**'}")
PY
cat "$summary"
echo "(raw results in $results/postgres-*-$stamp.*)" >&2
