#!/usr/bin/env bash
# Full-path ingestion benchmark: OTLP log exports in over HTTP (decode, normalise, detect,
# store state and anomalies before the answer), against the release `phantom serve` on SQLite
# (the default) and then on PostgreSQL. Exports of 512 records (the OpenTelemetry SDK's
# default batch) and 2,000 records from 8 services (8 streams) are sent by
# `phantom-ingest-load` over 1, 4 and 16 connections; JSON and gzip bodies at 4 connections.
# Each point prints records/s, requests/s, p50/p99 latency, anomalies found, the server's CPU
# time (records per CPU-second is the rate per core) and its peak memory; beside them the raw
# zstd throughput of the same log text on one thread, and the in-process cost of each stage
# (decode / detect / store) on one task.
#
#   bench/ingest.sh              (30 s per point, about 10 minutes per database after the build)
#   bench/ingest.sh --quick      (10 s per point)
#
# PostgreSQL: a scratch database is created and dropped on the server at
# $PHANTOM_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres, needs psql);
# set it to "none" to skip that run. Prints a markdown report (also written to
# bench/results/ingest.md).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=30
if [ "${1:-}" = "--quick" ]; then seconds=10; fi
postgres=${PHANTOM_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}

cargo build --release --quiet -p phantom-cli
cargo build --release --quiet -p phantom-bench --bin phantom-ingest-load
load=target/release/phantom-ingest-load

work=$(mktemp -d)
port=18081
scratch="phantom_ingest_$$"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  if [ "$postgres" != none ]; then psql -q "$postgres" -c "DROP DATABASE IF EXISTS $scratch" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
results="$work/results.jsonl"

serve() { # label [--database-url URL]
  local dir="$work/$1"
  shift
  target/release/phantom serve --addr 127.0.0.1:$port --data-dir "$dir" "$@" 2> "$work/server.log" &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { echo "the server did not start: $(tail -5 "$work/server.log")" >&2; exit 1; }
  export PHANTOM_KEY
  PHANTOM_KEY=$(cat "$dir/admin.key")
}

stop() {
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=""
}

points() { # label
  for records in 512 2000; do
    for c in 1 4 16; do
      $load load --label "$1" --server-pid "$server" --addr 127.0.0.1:$port --records $records \
        --concurrency $c --seconds $seconds >> "$results"
    done
  done
  for format in json protobuf-gzip; do
    $load load --label "$1" --server-pid "$server" --addr 127.0.0.1:$port --format $format \
      --concurrency 4 --seconds $seconds >> "$results"
  done
}

serve sqlite
points SQLite
stop
if [ "$postgres" != none ]; then
  psql -q "$postgres" -c "CREATE DATABASE $scratch"
  serve postgres --database-url "${postgres%/*}/$scratch"
  points PostgreSQL
  stop
fi

zstd="$work/zstd.jsonl"
for records in 512 2000; do $load zstd --records $records >> "$zstd"; done
stages="$work/stages.jsonl"
for records in 512 2000; do $load stages --records $records >> "$stages"; done
$load stages --records 512 --format json >> "$stages"

mkdir -p bench/results
{
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d); ${seconds} s per point"
  echo
  python3 - "$results" "$zstd" "$stages" <<'PY'
import json, sys
results = [json.loads(l) for l in open(sys.argv[1])]
zstd = {z["block_lines"]: z for z in map(json.loads, open(sys.argv[2]))}
print("Raw zstd of the same log text, one thread, each export's lines as one block: " + ", ".join(
    f'{z["lines_per_s"]:,.0f} lines/s (exports of {n}, ratio {z["compressed_ratio"]:.3f})' for n, z in zstd.items()))
print()
print("| database | body | records/export | connections | records/s | requests/s | p50 ms | p99 ms | anomalies | server CPU s | records per CPU-second | ÷ raw zstd | peak RSS MiB | failures |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in results:
    raw = zstd.get(r["records_per_body"], zstd[512])["lines_per_s"]
    print(f'| {r["database"]} | {r["format"]} | {r["records_per_body"]} | {r["concurrency"]} | '
          f'{r["records_per_s"]:,.0f} | {r["requests_per_s"]:.1f} | {r["p50_ms"]:.1f} | {r["p99_ms"]:.1f} | '
          f'{r["anomalies"]:.0f} | {r["server_cpu_s"]:.1f} | {r["records_per_cpu_s"]:,.0f} | '
          f'{r["records_per_cpu_s"] / raw:.2f} | {r["server_peak_rss_bytes"] / 2**20:.0f} | {r["failures"]} |')
    if r["first_failure"]:
        print(f'\nFirst failure: {r["first_failure"]}\n')
print()
print("In process, one task, SQLite in a temporary directory (CPU time of all threads):")
print()
print("| stage | body | records/export | records | records/s | records per CPU-second | µs per record (CPU) | anomalies |")
print("|---|---|---|---|---|---|---|---|")
for s in map(json.loads, open(sys.argv[3])):
    anomalies = "" if s["anomalies"] is None else s["anomalies"]
    print(f'| {s["stage"]} | {s["format"]} | {s["records_per_body"]} | {s["records"]:,} | {s["records_per_s"]:,.0f} | '
          f'{s["records_per_cpu_s"]:,.0f} | {1e6 / s["records_per_cpu_s"]:.2f} | {anomalies} |')
PY
} | tee bench/results/ingest.md
