#!/usr/bin/env bash
# The kafka engine's benchmarks, side by side in one run with raw kafka-clients and Kafka's own ProducerPerformance
# with the same acks, record and linger (see benchmarks/README.md, "Kafka engine"). Needs a broker:
# FLUXBUS_KAFKA_BOOTSTRAP, else 127.0.0.1:9092 when it answers, else a single-node KRaft broker started here from
# the Kafka jars in the local Maven repository (the release the engine is built with), stopped at the end.
#
#   benchmarks/kafka.sh
#
# Environment (defaults in brackets):
#   RECORDS [200000]   records per ProducerPerformance run
#   LATENCY_RATE [1000] LATENCY_WARMUP [10000] LATENCY_EVENTS [10000]   paced publish->handler latency runs
#   SKIP_BUILD [0]     1: use the existing benchmarks/target/benchmarks.jar
#   FLUXBUS_LOCK [/tmp/fluxbus-mvn.lock]   held for the whole build and run (do not wrap in flock)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=benchmarks/hold-lock.sh
source benchmarks/hold-lock.sh

results="benchmarks/results"
stamp="$(date +%Y%m%d-%H%M%S)"
jmh_json="$results/kafka-jmh-$stamp.json"
latency_json="$results/kafka-latency-$stamp.jsonl"
peer="$results/kafka-producer-performance-$stamp.txt"
summary="$results/kafka-summary-$stamp.md"
jar="benchmarks/target/benchmarks.jar"
records="${RECORDS:-200000}"
mkdir -p "$results"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "== building" >&2
  ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi

answers() { # host:port
  (exec 3<>"/dev/tcp/${1%%:*}/${1##*:}") 2>/dev/null
}

bootstrap="${FLUXBUS_KAFKA_BOOTSTRAP:-}"
broker_pid=""
if [[ -n "$bootstrap" ]]; then
  answers "${bootstrap%%,*}" || { echo "FLUXBUS_KAFKA_BOOTSTRAP=$bootstrap does not answer" >&2; exit 1; }
elif answers 127.0.0.1:9092; then
  bootstrap=127.0.0.1:9092
else
  echo "== starting a single-node KRaft broker" >&2
  version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' pom.xml)"
  dir="$(mktemp -d /tmp/fluxbus-bench-kafka-XXXXXX)"
  cat >"$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId><artifactId>broker</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$version</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-server</artifactId><version>$version</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>2.0.17</version></dependency>
  </dependencies>
</project>
POM
  ./mvnw -B -q -f "$dir/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
    -Dmdep.outputFile="$dir/classpath.txt" >&2
  port=19092
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:19093
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:19093
log.dirs=$dir/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  cp="$(cat "$dir/classpath.txt")"
  java -cp "$cp" kafka.tools.StorageTool format -t "$(cat /proc/sys/kernel/random/uuid | tr -d - | cut -c1-22)" \
    -c "$dir/server.properties" --standalone >"$dir/broker.log" 2>&1
  java -Xms512m -Xmx512m -cp "$cp" kafka.Kafka "$dir/server.properties" >>"$dir/broker.log" 2>&1 &
  broker_pid=$!
  trap 'kill "$broker_pid" 2>/dev/null || true' EXIT
  bootstrap="127.0.0.1:$port"
  for _ in $(seq 1 120); do answers "$bootstrap" && break; sleep 0.5; done
  answers "$bootstrap" || { echo "the broker did not start; see $dir/broker.log" >&2; exit 1; }
  sleep 2 # the listener answers a moment before the broker has registered
fi
export FLUXBUS_KAFKA_BOOTSTRAP="$bootstrap"
echo "== broker $bootstrap" >&2

# ProducerPerformance: records of the engine's record size (value plus its ce_* headers, which ProducerPerformance
# cannot send, so its value carries their bytes), acks=all, idempotent, linger 5 ms, 64 KiB batches. It sends without
# a bound on records in flight (only the producer's buffer bounds it): the client's ceiling.
value_size="$(java -cp "$jar" io.fluxbus.bench.KafkaPublishThroughput)"
echo "== ProducerPerformance, $records records of $value_size B" >&2
java -cp "$jar" org.apache.kafka.tools.ProducerPerformance --topic "bench-pp-$stamp" --num-records "$records" \
  --record-size "$value_size" --throughput -1 --producer-props bootstrap.servers="$bootstrap" acks=all \
  enable.idempotence=true linger.ms=5 batch.size=65536 2>/dev/null | tail -n 1 | tee "$peer" >&2

echo "== JMH KafkaPublishThroughput" >&2
java -jar "$jar" KafkaPublishThroughput -rf json -rff "$jmh_json"

: >"$latency_json"
for impl in kafkaClients tail group; do
  echo "== publish->handler latency: $impl" >&2
  java -Xms512m -Xmx512m -cp "$jar" io.fluxbus.bench.KafkaLatency --impl "$impl" \
    --rate "${LATENCY_RATE:-1000}" --warmup "${LATENCY_WARMUP:-10000}" --events "${LATENCY_EVENTS:-10000}" \
    --out "$latency_json"
done

python3 - "$jmh_json" "$peer" "$latency_json" >"$summary" <<'PY'
import json, re, sys
jmh, peer, latency = sys.argv[1:]
score = {}
for r in json.load(open(jmh)):
    n = "1" if r["benchmark"].endswith("inFlight1") else "64"
    score[(r["params"]["impl"], n)] = (r["primaryMetric"]["score"], r["primaryMetric"]["scoreError"])
pp = float(re.search(r"([\d.]+) records/sec", open(peer).read()).group(1))
print("Publish throughput (events/s; acks=all, idempotent, linger 5 ms; ratios to raw kafka-clients at the same "
      "number in flight, and to ProducerPerformance, which has no bound on records in flight):\n")
print("| what | in flight | events/s | ÷ raw kafka-clients | ÷ ProducerPerformance |")
print("|---|---:|---:|---:|---:|")
for n in ("1", "64"):
    for impl in ("engine", "kafkaClients"):
        s, e = score[(impl, n)]
        print(f"| {impl} | {n} | {s:,.0f} ± {e:,.0f} | {s / score[('kafkaClients', n)][0]:.2f}× | {s / pp:.2f}× |")
print(f"| ProducerPerformance | unbounded | {pp:,.0f} | | |")
print("\nPublish -> handler latency, paced (µs):\n")
print("| what | rate/s | p50 | p90 | p99 | max |")
print("|---|---|---|---|---|---|")
for line in open(latency):
    r = json.loads(line)
    print(f"| {r['impl']} | {r['rate']} | {r['p50_us']:.0f} | {r['p90_us']:.0f} | {r['p99_us']:.0f} | {r['max_us']:.0f} |")
PY
cat "$summary"
echo "(raw results in $results/kafka-*-$stamp.*)" >&2
